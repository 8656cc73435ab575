# meshenv: `make run` to start it, `make test` for the whole gate. See README.md.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

# cargo-leptos takes sass and wasm-opt from PATH; they come from tools/ (npm).
export PATH := $(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# cargo-leptos builds debug with this flag; tests and lints use it too so they share its build.
DEV_RUSTFLAGS := --cfg erase_components
# leptos reads this at compile time (it names the wasm file); cargo-leptos sets it, so plain cargo
# must too, or each rebuilds leptos and everything above it after the other.
export LEPTOS_OUTPUT_NAME := meshenv
# Each step of the gate says when it starts; .ci/run turns these lines into each step's time.
STAGE = @echo "stage: $@ $$(date +%s)"

.PHONY: bootstrap build run watch test lint fmt test-rust test-api test-e2e test-lighthouse

bootstrap:
	$(STAGE)
	@scripts/bootstrap

## The release site (target/site: content-hashed assets, each with its .br and .gz) and binary
## (target/release/meshenv, with hash.txt beside it).
build: bootstrap
	$(STAGE)
	cargo leptos build --release --precompress --split
	scripts/regzip target/site

## Build, then serve on 127.0.0.1:3000 with SQLite at ./data/meshenv.db.
run: build
	MESHENV_SITE_ROOT=target/site ./target/release/meshenv serve

## The development loop: rebuilds and reloads the page on every change.
watch: bootstrap
	cargo leptos watch

fmt:
	cargo fmt --all

lint:
	$(STAGE)
	cargo fmt --all -- --check
	RUSTFLAGS="$(DEV_RUSTFLAGS)" cargo clippy -p model -p service -p app -p server --all-targets --features app/ssr -- -D warnings
	RUSTFLAGS="$(DEV_RUSTFLAGS)" cargo clippy -p model -p app -p frontend --target wasm32-unknown-unknown --features app/hydrate -- -D warnings

## Unit and integration tests, on SQLite and on PostgreSQL ($$MESHENV_TEST_POSTGRES_URL).
test-rust:
	$(STAGE)
	RUSTFLAGS="$(DEV_RUSTFLAGS)" cargo test -p model -p service -p app -p server --features app/ssr --lib --tests

## Playwright in Chromium against the release build (what `make run` ships: optimised, with
## hashed and precompressed assets), on a free port with a throwaway database.
test-e2e: build
	$(STAGE)
	scripts/e2e

## Schemathesis against the release server's OpenAPI description, fixed seed, about 90 s on
## SQLite and 60 s on PostgreSQL; zero failures is the bar (each prints its curl to reproduce).
test-api: build
	$(STAGE)
	scripts/fuzz-api
	MESHENV_FUZZ_DB=postgres MESHENV_FUZZ_SECONDS=60 scripts/fuzz-api

## Lighthouse (its mobile profile) on the release server's main pages, signed in with demo data:
## fails below performance 70, accessibility 100 or best practices 100 on any. Reports are kept
## in target/lighthouse/.
test-lighthouse: build
	$(STAGE)
	scripts/lighthouse

test: bootstrap lint test-rust test-api test-e2e test-lighthouse

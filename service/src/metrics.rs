//! Prometheus metrics: what the process counts, and `/metrics` in the text exposition format.
//! The `metrics` facade records; `metrics-exporter-prometheus` renders. The recorder is global
//! to the process (several servers in one test process share it).

use crate::db::Db;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Latency buckets in seconds: a list page takes milliseconds, a probe up to its timeout.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the recorder once per process and returns the handle that renders it.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder (a test harness's) may already be installed: then ours only
            // renders what was recorded through it, which is nothing; say so once.
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "meshenv_http_requests_total",
        "HTTP requests answered, by route template, method and status."
    );
    describe_histogram!(
        "meshenv_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route template and method."
    );
    describe_gauge!(
        "meshenv_db_pool_connections",
        "Database connections of a pool, by state (idle, in_use) and limit (max)."
    );
    describe_gauge!(
        "meshenv_db_pool_waiting",
        "Tasks waiting for a connection from a pool."
    );
    describe_histogram!(
        "meshenv_db_pool_acquire_seconds",
        Unit::Seconds,
        "Time spent waiting for a pooled connection."
    );
    describe_counter!(
        "meshenv_db_pool_timeouts_total",
        "Requests that found a pool exhausted for the whole acquire timeout (answered 503)."
    );
    describe_counter!(
        "meshenv_health_checks_total",
        "Connection health probes, by kind and outcome (ok, failed)."
    );
    describe_counter!(
        "meshenv_sign_ins_total",
        "Password sign-ins, by outcome (success, failure)."
    );
}

/// Renders every metric, with the pools' gauges read now.
pub fn render(db: &Db) -> String {
    let handle = handle();
    for g in db.gauges() {
        let in_use = g.size.saturating_sub(g.idle);
        metrics::gauge!("meshenv_db_pool_connections", "pool" => g.name, "state" => "in_use")
            .set(f64::from(in_use));
        metrics::gauge!("meshenv_db_pool_connections", "pool" => g.name, "state" => "idle")
            .set(f64::from(g.idle));
        metrics::gauge!("meshenv_db_pool_connections", "pool" => g.name, "state" => "max")
            .set(f64::from(g.max));
        metrics::gauge!("meshenv_db_pool_waiting", "pool" => g.name).set(g.waiting as f64);
    }
    handle.render()
}

/// One HTTP request answered. `route` is the matched route template, never the raw path, so
/// the number of series stays bounded.
pub fn request(method: &str, route: &str, status: u16, took: Duration) {
    let method = method.to_string();
    let route = route.to_string();
    metrics::counter!("meshenv_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("meshenv_http_request_duration_seconds", "method" => method, "route" => route)
        .record(took.as_secs_f64());
}

/// A wait for a pooled connection, and whether it got one.
pub fn pool_acquired(pool: &'static str, waited: Duration, ok: bool) {
    metrics::histogram!("meshenv_db_pool_acquire_seconds", "pool" => pool)
        .record(waited.as_secs_f64());
    if !ok {
        metrics::counter!("meshenv_db_pool_timeouts_total", "pool" => pool).increment(1);
    }
}

/// A health probe's outcome.
pub fn health_check(kind: &str, ok: bool) {
    let outcome = if ok { "ok" } else { "failed" };
    metrics::counter!("meshenv_health_checks_total", "kind" => kind.to_string(), "outcome" => outcome)
        .increment(1);
}

/// A password sign-in's outcome.
pub fn sign_in(ok: bool) {
    let outcome = if ok { "success" } else { "failure" };
    metrics::counter!("meshenv_sign_ins_total", "outcome" => outcome).increment(1);
}

/// A sign-in refused before its password was checked: throttled, or no hashing slot free.
pub fn sign_in_refused(reason: &'static str) {
    metrics::counter!("meshenv_sign_ins_total", "outcome" => reason).increment(1);
}

pub fn hash_refused() {
    sign_in_refused("busy");
}

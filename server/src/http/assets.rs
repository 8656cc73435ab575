//! The built assets under `/pkg` (the wasm, its JS glue, the CSS). They are served from the files
//! the release build wrote: the `.br` or `.gz` beside each (`cargo leptos build --precompress`)
//! when the client takes it, so nothing is compressed per request. Their names carry a content
//! hash when the build wrote `hash.txt`, and then they are cached for good.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use axum::Router;
use leptos::config::LeptosOptions;
use std::path::Path;
use tower_http::services::ServeDir;

/// A hashed name never changes content: a year, and no revalidation.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Unhashed names (development builds) change in place: always revalidate.
pub const REVALIDATE: &str = "no-cache";

/// Whether the build hashed the assets' names: it leaves `hash.txt` (the names' hashes) beside
/// the binary, which is where leptos reads it from.
pub fn hashed(options: &LeptosOptions) -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
        .is_some_and(|p| p.is_file())
}

/// The router for `/pkg`.
pub fn router(options: &LeptosOptions) -> Router {
    let dir = Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let cache = if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    // Read in large chunks: the brotli wasm is ~700 KB, and each chunk is a hop to a blocking
    // thread; at the default 64 KiB the hops cost more CPU than sending the bytes.
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .with_buf_chunk_size(1 << 20);
    Router::new()
        .fallback_service(files)
        .layer(from_fn(move |req: Request, next: Next| {
            cache_headers(req, next, cache)
        }))
}

async fn cache_headers(req: Request, next: Next, cache: &'static str) -> Response {
    let mut res = next.run(req).await;
    // A missing file must not be remembered for a year.
    if res.status().is_success() || res.status() == axum::http::StatusCode::NOT_MODIFIED {
        let h = res.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        // The same URL answers brotli, gzip or plain bytes: caches must key on the encoding.
        h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::StatusCode;
    use tower::ServiceExt;

    fn site(files: &[(&str, &[u8])]) -> (tempfile::TempDir, LeptosOptions) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.path().join("pkg").join(name), bytes).unwrap();
        }
        let mut options = LeptosOptions::builder().output_name("meshenv").build();
        options.site_root = dir.path().to_str().unwrap().into();
        options.site_pkg_dir = "pkg".into();
        (dir, options)
    }

    async fn get(
        router: &Router,
        path: &str,
        accept: &str,
    ) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
        let req = axum::http::Request::get(path)
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap();
        let res = router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        let body = to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        (status, headers, body)
    }

    fn header_of<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[tokio::test]
    async fn serves_the_precompressed_file_the_client_takes_and_caches_hashed_names_for_good() {
        let (_dir, mut options) = site(&[
            ("app.h4sh.wasm", b"raw wasm bytes"),
            ("app.h4sh.wasm.br", b"brotli bytes"),
            ("app.h4sh.wasm.gz", b"gzip bytes"),
        ]);
        options.hash_files = true;
        let router = router(&options);
        for (accept, body, encoding) in [
            ("gzip, deflate, br", &b"brotli bytes"[..], Some("br")),
            ("gzip", &b"gzip bytes"[..], Some("gzip")),
            ("identity", &b"raw wasm bytes"[..], None),
        ] {
            let (status, headers, got) = get(&router, "/app.h4sh.wasm", accept).await;
            assert_eq!(status, StatusCode::OK, "{accept}");
            assert_eq!(got, body, "{accept}");
            assert_eq!(
                header_of(&headers, "content-encoding"),
                encoding,
                "{accept}"
            );
            assert_eq!(header_of(&headers, "cache-control"), Some(IMMUTABLE));
            assert_eq!(header_of(&headers, "vary"), Some("accept-encoding"));
        }
        // a name that is not there is not remembered
        let (status, headers, _) = get(&router, "/app.0ther.wasm", "br").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(header_of(&headers, "cache-control"), None);
    }

    #[tokio::test]
    async fn unhashed_names_are_revalidated() {
        let (_dir, options) = site(&[("meshenv.css", b"body{}")]);
        let (status, headers, _) = get(&router(&options), "/meshenv.css", "br").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header_of(&headers, "cache-control"), Some(REVALIDATE));
    }
}

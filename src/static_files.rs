//! The site's own files under `/pkg` (wasm, js, css), served so that a first visit downloads as
//! little as possible and a repeat visit nothing:
//!
//! - **Compressed once, at build time**: `cargo leptos build --release --precompress` writes a
//!   `.br` and a `.gz` beside each file; this serves the one the client accepts (Brotli first), and
//!   the plain file to a client that accepts neither or when none was built (debug builds).
//! - **Cached for good when the name says what is inside**: with `hash-files` (Cargo.toml)
//!   cargo-leptos names them `steward.<md5, base64url>.wasm`, so a changed file is a new URL and the
//!   old one may be kept forever (`immutable`). Any other file must be revalidated (`no-cache`:
//!   `If-Modified-Since` then answers 304 with no body).

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use http::{header, HeaderValue, StatusCode};
use std::path::Path;
use tower_http::services::ServeDir;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The `/pkg` router over `<site_root>/<pkg_dir>`.
pub fn pkg_router<S: Clone + Send + Sync + 'static>(site_root: &str, pkg_dir: &str) -> Router<S> {
    let files = ServeDir::new(Path::new(site_root).join(pkg_dir))
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(false);
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
}

/// `Cache-Control` (and `Vary`) by name and outcome.
async fn cache_control(request: Request, next: Next) -> Response {
    let immutable = request
        .uri()
        .path()
        .rsplit('/')
        .next()
        .is_some_and(is_content_hashed);
    let mut response = next.run(request).await;
    let status = response.status();
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        let value = if immutable { IMMUTABLE } else { REVALIDATE };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        // Which variant was sent depends on Accept-Encoding; a shared cache must know that.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    } else {
        // A missing file may exist after the next deploy: never let a cache keep the 404.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether a file name carries cargo-leptos' content hash: a dot-separated part of 22 base64url
/// characters (an MD5 digest), as in `steward.kH3tq2bKx1Yc7Yt0ZQeQxA.wasm`.
fn is_content_hashed(file_name: &str) -> bool {
    let mut parts = file_name.split('.');
    parts.next(); // the name itself
    parts.any(|part| {
        part.len() == 22
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::is_content_hashed;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_content_hashed("steward.kH3tq2bKx1Yc7Yt0ZQeQxA.wasm"));
        assert!(is_content_hashed("steward.kH3tq2b-x1Yc7Yt0ZQe_xA.js"));
        assert!(!is_content_hashed("steward.wasm"));
        assert!(!is_content_hashed("steward_bg.wasm"));
        assert!(!is_content_hashed("kH3tq2bKx1Yc7Yt0ZQeQxA.wasm"));
        assert!(!is_content_hashed("steward.kH3tq2bKx1Yc7Yt0ZQeQx.wasm"));
        assert!(!is_content_hashed("steward.kH3tq2bKx1Yc7Yt0ZQeQ%A.wasm"));
    }
}

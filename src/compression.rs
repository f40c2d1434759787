//! Compresses pages and JSON answers for clients that ask (`Accept-Encoding`), per response.
//!
//! A signed-in `/organizations` is about 33 KB of HTML and 4.5 KB gzipped. On a slow connection
//! the uncompressed page shares the line with the wasm that its `<head>` has just asked for, and the
//! bundle cannot hydrate before the page has arrived, so its size sits on the path to interactive.
//! The site's own files are compressed once at build time (`static_files`); they already carry a
//! `Content-Encoding` and are left alone here, as are CSV exports (streamed to a client at its own
//! pace) and event streams.
//!
//! The compressor sends its output when the body ends (tower-http #292), which costs nothing
//! here: every page is rendered whole before its first byte (`SsrMode::Async`).
//!
//! Compression and secrets (BREACH): Steward's pages carry no CSRF token (the same-origin check
//! reads `Origin`), and the session cookie is `SameSite=Lax`, so another site cannot make a
//! signed-in browser fetch a page as a subresource and watch its compressed size.

use http::header::CONTENT_TYPE;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Smaller bodies fit one packet either way.
const MIN_SIZE: u16 = 1024;

/// Brotli or gzip at their default speed (Brotli 4, gzip 6: about a millisecond for a page).
pub fn layer() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .quality(CompressionLevel::Default)
        .compress_when(SizeAbove::new(MIN_SIZE).and(is_page_or_json))
}

fn is_page_or_json(
    _status: http::StatusCode,
    _version: http::Version,
    headers: &http::HeaderMap,
    _extensions: &http::Extensions,
) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let media_type = value.split(';').next().unwrap_or("").trim();
            media_type.eq_ignore_ascii_case("text/html")
                || media_type.eq_ignore_ascii_case("application/json")
        })
}

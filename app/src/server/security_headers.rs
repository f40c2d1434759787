//! Security headers on every response. Pages get a Content-Security-Policy that lets only
//! Steward's own scripts run: the hydration script, the resources Leptos serializes into the page
//! and the theme bootstrap are inline, and carry the per-response nonce that Leptos generates
//! (`use_nonce`); WebAssembly needs `'wasm-unsafe-eval'`. Everything else (JSON, files, errors)
//! gets a policy that allows nothing. No page can be framed (`frame-ancestors 'none'`, and
//! `X-Frame-Options` for old browsers); HSTS is sent when cookies are `Secure` (served over https).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{
    HeaderName, HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::HeaderMap;
use leptos::prelude::use_context;
use std::sync::{Arc, OnceLock};

/// The policy of a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// What a response that isn't a page may load: nothing.
pub const NON_PAGE_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Where the shell leaves the nonce of the page it renders, for `add` to build that page's policy
/// from. It travels in the request's extensions, which the render sees through its `Parts`.
///
/// The policy used to ride back in leptos_axum's `ResponseOptions`, and a PostgreSQL end-to-end
/// run once got `/me/security` with the non-page policy instead: the browser ran none of the
/// page's scripts and the page never hydrated. Why that header went missing is not known (the
/// same page had it in every other run and under curl). Now this layer, which every response
/// passes, decides the header itself from what the render left here, and logs an HTML response
/// that arrives without a nonce (it still gets the safe answer: the policy that allows nothing).
#[derive(Clone, Default)]
pub struct PageNonce(Arc<OnceLock<String>>);

/// Records the nonce of the page being rendered (call it from the shell, on the server).
pub fn set_page_policy() {
    let (Some(nonce), Some(parts)) = (
        leptos::nonce::use_nonce(),
        use_context::<http::request::Parts>(),
    ) else {
        tracing::error!("a page rendered without a nonce or request parts");
        return;
    };
    match parts.extensions.get::<PageNonce>() {
        Some(slot) => {
            let _ = slot.0.set(nonce.to_string());
        }
        None => tracing::error!("a page rendered outside the security-header layer"),
    }
}

/// The headers every response carries: a page's policy with its nonce, anything else the policy
/// that allows nothing.
pub async fn add(secure: bool, mut request: Request, next: Next) -> Response {
    let page = PageNonce::default();
    request.extensions_mut().insert(page.clone());
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = page
        .0
        .get()
        .and_then(|nonce| HeaderValue::from_str(&page_policy(nonce)).ok());
    if policy.is_none() && is_html(headers) {
        tracing::error!(%path, "an HTML response without a page nonce gets the non-page policy");
    }
    headers.insert(
        CONTENT_SECURITY_POLICY,
        policy.unwrap_or(HeaderValue::from_static(NON_PAGE_POLICY)),
    );
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(X_FRAME_OPTIONS, "DENY");
    set(REFERRER_POLICY, "same-origin");
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()",
    );
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if secure {
        set(
            STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    response
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_runs_only_scripts_with_its_nonce() {
        let policy = page_policy("abc123");
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}

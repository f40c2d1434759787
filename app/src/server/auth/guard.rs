//! Request guards that sit in front of every handler.

use super::cookie;
use super::token::constant_time_eq;
use crate::error::ApiError;
use crate::server::error::api_error_response;
use crate::server::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderMap, Method};

/// Cookie-authenticated state changes must come from our own pages (API.md §1). Server functions
/// have no CSRF protection of their own, so this covers them and the REST API alike. Requests with
/// an `Authorization` header are not riding on ambient credentials and pass.
pub async fn require_same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let headers = request.headers();
    if safe
        || headers.contains_key(header::AUTHORIZATION)
        || cookie::session_token(headers).is_none()
    {
        return next.run(request).await;
    }
    if is_same_origin(headers) {
        next.run(request).await
    } else {
        api_error_response(ApiError::new(
            403,
            "Cross-site request refused: the Origin does not match this site.",
        ))
    }
}

fn is_same_origin(headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        if site == "same-origin" {
            return true;
        }
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin_host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .unwrap_or("");
            origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

/// When an instance key is configured, `/v2` and `/auth` need `X-API-KEY` (API.md §1).
pub async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(expected) = state.config.api_key.as_deref() else {
        return next.run(request).await;
    };
    let presented = request
        .headers()
        .get("x-api-key")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if constant_time_eq(presented, expected.as_bytes()) {
        next.run(request).await
    } else {
        api_error_response(ApiError::new(401, "A valid X-API-KEY header is required."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_origin_by_origin_or_fetch_metadata() {
        assert!(is_same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[("host", "127.0.0.1:3000")])));
    }
}

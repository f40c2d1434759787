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

/// Requests that ride on the browser must come from our own pages (API.md §1):
/// - cookie-authenticated state changes, on any path (CSRF);
/// - every call of a server function (`/api/...`), with or without a cookie. They are the pages'
///   own door: the sign-in form among them (a foreign page must not sign a victim into the
///   attacker's account, "login CSRF"), and with an instance API key configured they are not a
///   way around it for scripts that merely lack an `Origin`.
///
/// Requests with an `Authorization` header are not riding on ambient credentials and pass, except
/// on `/api`.
pub async fn require_same_origin(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let is_server_fn = request.uri().path().starts_with("/api/");
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let rides_on_cookie = !safe
        && !headers.contains_key(header::AUTHORIZATION)
        && cookie::session_token(headers).is_some();
    if !is_server_fn && !rides_on_cookie {
        return next.run(request).await;
    }
    let our_scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    if is_same_origin(headers, our_scheme) {
        next.run(request).await
    } else {
        api_error_response(ApiError::new(
            403,
            "Cross-site request refused: the Origin does not match this site.",
        ))
    }
}

/// `Sec-Fetch-Site: same-origin` (set by the browser, not by page scripts), or an `Origin` whose
/// scheme and host are ours. The scheme is the one a proxy reports in `X-Forwarded-Proto`, else
/// `default_scheme` (https when the cookie is `Secure`): `https://host` is another origin than
/// `http://host`.
fn is_same_origin(headers: &HeaderMap, default_scheme: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("same-origin") {
        return true;
    }
    let scheme = text("x-forwarded-proto")
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .unwrap_or(default_scheme);
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .strip_prefix(scheme)
            .and_then(|rest| rest.strip_prefix("://"))
            .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host)),
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
        let ours = [
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ];
        assert!(is_same_origin(&headers(&ours), "http"));
        // Same host, other scheme: another origin.
        assert!(!is_same_origin(&headers(&ours), "https"));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            "http"
        ));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "https://steward.example"),
                ("host", "steward.example"),
                ("x-forwarded-proto", "https")
            ]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:3000.evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            "http"
        ));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            "http"
        ));
        assert!(!is_same_origin(
            &headers(&[("host", "127.0.0.1:3000")]),
            "http"
        ));
    }
}

//! Per-request facts the service layer records: the request id (quoted in 500 bodies and on every
//! log line), the client IP and user agent (kept in audit events).

use axum::extract::{ConnectInfo, FromRequestParts};
use http::request::Parts;
use std::convert::Infallible;
use std::net::SocketAddr;

tokio::task_local! {
    /// Set by the request-id middleware for the duration of the request's own task.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn from_parts(parts: &Parts) -> RequestMeta {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let user_agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(255).collect());
        RequestMeta { ip, user_agent }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestMeta::from_parts(parts))
    }
}

//! The REST API (`/v2`, `/auth`) and the operational endpoints. One module per resource; every
//! endpoint is declared once in `endpoints()`, which both builds the router and generates the
//! OpenAPI document, so the two can't drift apart.

pub mod auth;
pub mod current_user;
pub mod envelope;
pub mod extract;
pub mod health;
pub mod openapi;
pub mod organizations;

use super::auth::guard;
use super::error::api_error_response;
use super::AppState;
use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::MethodRouter;
use axum::Router;
use http::header::CONTENT_TYPE;
use openapi::Endpoint;

/// Every REST endpoint, with its documentation.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    all.extend(auth::endpoints());
    all.extend(organizations::endpoints());
    all.extend(current_user::endpoints());
    all.extend(health::endpoints());
    all.push(openapi::endpoint());
    all
}

/// The REST router: `/v2/...` and `/auth/...` (API-key checked), plus `/healthz` and `/readyz`.
pub fn router(state: &AppState) -> Router<AppState> {
    let mut api = Router::new();
    let mut operations = Router::new();
    for endpoint in endpoints() {
        let route: MethodRouter<AppState> = (endpoint.route)();
        if endpoint.path.starts_with("/v2") || endpoint.path.starts_with("/auth") {
            api = api.route(endpoint.path, route);
        } else {
            operations = operations.route(endpoint.path, route);
        }
    }
    let api = api
        .route("/v2/{*rest}", axum::routing::any(unknown_endpoint))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::require_api_key,
        ))
        .layer(middleware::from_fn(normalize_errors));
    api.merge(operations)
}

async fn unknown_endpoint() -> Response {
    api_error_response(ApiError::new(404, "No such endpoint."))
}

/// Errors raised below our handlers (axum's 405, path rejections, a panic caught by the catch-panic
/// layer) arrive as plain text; API clients always get the body of API.md §1.
async fn normalize_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() && !status.is_server_error() || is_json {
        return response;
    }
    let message = match status.as_u16() {
        404 => "No such endpoint or record.",
        405 => "This method is not allowed on this endpoint.",
        413 => "The request body is too large.",
        415 => "Send the body as application/json.",
        500 => "Something went wrong on our side.",
        _ => status.canonical_reason().unwrap_or("Request failed."),
    };
    let mut body = api_error_response(ApiError::new(status.as_u16(), message));
    for (name, value) in response.headers() {
        if name != CONTENT_TYPE && name != http::header::CONTENT_LENGTH {
            body.headers_mut().insert(name.clone(), value.clone());
        }
    }
    body
}

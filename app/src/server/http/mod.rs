//! The REST API (`/v2`, `/auth`) and the operational endpoints. One module per resource, each with
//! a `routes()` that registers its handlers with their `#[utoipa::path]` documentation; the lists
//! below build both the router and the OpenAPI document, so the two can't drift apart.

pub mod access_tokens;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod blocked_addresses;
pub mod current_user;
pub mod envelope;
pub mod events;
pub mod extract;
pub mod health;
pub mod impersonation;
pub mod inbox;
pub mod notification_policy;
pub mod notification_preferences;
pub mod openapi;
pub mod organizations;
pub mod outbox;
pub mod partners;
pub mod sessions;
pub mod two_factor;
pub mod users;

use super::auth::guard;
use super::error::api_error_response;
use super::AppState;
use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use http::header::CONTENT_TYPE;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The API: `/v2/...` and `/auth/...`, behind the API key.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth_routes())
        .merge(organizations::routes())
        .merge(users::routes())
        .merge(partners::routes())
        .merge(notification_preferences::routes())
        .merge(notification_policy::routes())
        .merge(events::routes())
        .merge(inbox::routes())
        .merge(current_user::routes())
        .merge(sessions::routes())
        .merge(access_tokens::routes())
        .merge(two_factor::routes())
        .merge(outbox::routes())
        .merge(audit::routes())
        .merge(blocked_addresses::routes())
        .routes(routes!(openapi::openapi_json))
}

/// `/auth/...`, which API.md §1 also serves under `/v2/auth/...`.
fn auth_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(accounts::routes())
        .merge(impersonation::routes())
}

/// `/healthz` and `/readyz`, for load balancers: no API key.
fn operation_routes() -> OpenApiRouter<AppState> {
    health::routes()
}

/// What `openapi::finish` turns into the document: every route's documentation.
fn documentation() -> utoipa::openapi::OpenApi {
    let mut doc = api_routes().into_openapi();
    doc.merge(operation_routes().into_openapi());
    doc
}

/// The REST router: `/v2/...` and `/auth/...` (API-key checked), plus `/healthz` and `/readyz`.
pub fn router(state: &AppState) -> Router<AppState> {
    let (api, _) = api_routes().split_for_parts();
    let (operations, _) = operation_routes().split_for_parts();
    let (auth_aliases, _) = auth_routes().split_for_parts();
    let api = api
        .nest("/v2", auth_aliases)
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

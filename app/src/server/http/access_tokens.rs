//! `/v2/user/access_token`: the signed-in user's personal access token (API.md §1, §4), sent as
//! `Authorization: Basic <token>`.

use super::envelope::Empty;
use crate::domain::session::{AccessTokenStatus, IssuedAccessToken};
use crate::server::auth::AuthUser;
use crate::server::services::access_tokens as service;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status, generate))
        .routes(routes!(revoke))
}

/// Show my access token
///
/// Whether the signed-in user has a personal access token, and when it was generated and last
/// used. Never the token itself: only its hash is kept.
#[utoipa::path(get, path = "/v2/user/access_token", tag = "Current user",
    responses((status = 200, description = "The token's status", body = AccessTokenStatus)))]
async fn status(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<AccessTokenStatus>, AppError> {
    Ok(Json(service::status(&state.db, &principal).await?))
}

/// Generate my access token
///
/// A new personal access token, shown this once; the one the user had stops working. Send it as
/// `Authorization: Basic <access_token>` (the raw token, not base64 of user:password). It works
/// until revoked. 403 while impersonating.
#[utoipa::path(put, path = "/v2/user/access_token", tag = "Current user",
    responses((status = 200, description = "The new token", body = IssuedAccessToken)))]
async fn generate(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<IssuedAccessToken>, AppError> {
    Ok(Json(service::generate(&state.db, &principal).await?))
}

/// Revoke my access token
///
/// The token stops working at once. Revoking when there is none is no error. 403 while
/// impersonating.
#[utoipa::path(put, path = "/v2/user/access_token/revoke", tag = "Current user",
    responses((status = 200, description = "Revoked", body = Empty)))]
async fn revoke(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<Empty>, AppError> {
    service::revoke(&state.db, &principal).await?;
    Ok(Json(Empty {}))
}

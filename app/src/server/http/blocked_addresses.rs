//! `/v2/blocked_addresses`: the addresses over the limit of failed sign-ins (API.md §2), for a
//! Super Admin to see and lift.

use super::envelope::One;
use crate::domain::blocked_address::BlockedAddress;
use crate::server::auth::AuthUser;
use crate::server::services::blocked_addresses as service;
use crate::server::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(lift))
}

/// List blocked addresses
///
/// The client addresses that made more failed sign-ins than the limit allows in the current
/// window (every attempt from them answers 429 until `blocked_until`), the most attempts first.
/// Super Admin only. Each block is in the audit trail as `address.blocked`.
#[utoipa::path(get, path = "/v2/blocked_addresses", tag = "Authentication",
    responses((status = 200, description = "The blocked addresses", body = One<Vec<BlockedAddress>>)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<One<Vec<BlockedAddress>>>, AppError> {
    Ok(Json(One {
        data: service::list(&state.db, &state.config, &principal).await?,
    }))
}

/// Lift a blocked address
///
/// The address may sign in again at once, its count of failures starting over. Super Admin only;
/// an address that isn't blocked is a 404. Audited as `address.unblocked`.
#[utoipa::path(delete, path = "/v2/blocked_addresses/{address}", tag = "Authentication",
    params(("address" = String, Path, description = "The IP address, as listed")),
    responses(
        (status = 204, description = "Lifted"),
        (status = 404, description = "Not blocked", body = crate::error::ApiError),
    ))]
async fn lift(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(address): Path<String>,
) -> Result<Response, AppError> {
    service::lift(&state.db, &state.config, &principal, &address).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

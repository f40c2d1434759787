//! `/v2/user/...`: the signed-in user's own resources. So far: their organization.

use super::envelope::{Empty, One, Resource};
use super::extract::{IfMatch, JsonBody};
use super::organizations::{organization_resource, OrganizationBody};
use crate::domain::organization::OrganizationAttributes;
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::services::organizations as service;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::ETAG;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show_organization, update_organization))
}

/// Get current organization
///
/// The caller's own organization, with an `ETag` of its version.
#[utoipa::path(get, path = "/v2/user/organization", tag = "Current user",
    responses((status = 200, description = "The organization", body = One<Resource<OrganizationAttributes>>)))]
async fn show_organization(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Response, AppError> {
    let organization = service::get_own_organization(&state.db, &principal).await?;
    Ok((
        [(ETAG, organization.etag())],
        Json(One {
            data: organization_resource(&organization),
        }),
    )
        .into_response())
}

/// Update current organization
///
/// Admin only; the body as seed `001_*`. Attributes absent from the body are kept.
#[utoipa::path(put, path = "/v2/user/organization", tag = "Current user",
    params(IfMatch),
    request_body = OrganizationBody,
    responses(
        (status = 200, description = "Updated (the new version is in `ETag`)", body = Empty),
        (status = 412, description = "The organization changed since the ETag", body = ApiError),
    ))]
async fn update_organization(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    IfMatch(expected): IfMatch,
    JsonBody(body): JsonBody<OrganizationBody>,
) -> Result<Response, AppError> {
    let input = body.into_input()?;
    let updated = service::update_own_organization(&state.db, &principal, input, expected).await?;
    Ok(([(ETAG, updated.etag())], Json(Empty {})).into_response())
}

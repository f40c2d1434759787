//! `/v2/user/...`: the signed-in user's own resources: their profile, password and organization.

use super::envelope::{Empty, One, Resource};
use super::extract::{IfMatch, JsonBody};
use super::organizations::{organization_resource, OrganizationBody};
use super::users::{user_resource, UserBody, UserBodySchema};
use crate::domain::organization::OrganizationAttributes;
use crate::domain::user::UserAttributes;
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::services::organizations as service;
use crate::server::services::users;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::ETAG;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_organization, update_organization))
        .routes(routes!(show_me, update_me))
        .routes(routes!(change_password))
}

/// Get current user
///
/// The signed-in user, with an `ETag` of its version.
#[utoipa::path(get, path = "/v2/user/me", tag = "Current user",
    responses((status = 200, description = "The user", body = One<Resource<UserAttributes>>)))]
async fn show_me(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Response, AppError> {
    let user = users::get_me(&state.db, &principal).await?;
    Ok((
        [(ETAG, user.etag())],
        Json(One {
            data: user_resource(&user),
        }),
    )
        .into_response())
}

/// Update current user
///
/// The profile, as seed `003_*` (`{"user": {...}}`); absent attributes are kept. `role` and
/// `organization_id` may be sent unchanged; changing them here is a 403 (an admin does it).
#[utoipa::path(put, path = "/v2/user/me", tag = "Current user",
    params(IfMatch),
    request_body = UserBodySchema,
    responses(
        (status = 200, description = "Updated (the new version is in `ETag`)", body = Empty),
        (status = 412, description = "The user changed since the ETag", body = ApiError),
    ))]
async fn update_me(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    IfMatch(expected): IfMatch,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Response, AppError> {
    let updated = users::update_me(&state.db, &principal, body.into_input()?, expected).await?;
    Ok(([(ETAG, updated.etag())], Json(Empty {})).into_response())
}

/// `{"current_password", "password", "password_confirmation"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    #[serde(default)]
    current_password: String,
    /// 8 to 128 characters.
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// Change current user password
///
/// The current password is required; every other session of the user ends.
#[utoipa::path(put, path = "/v2/user/password", tag = "Current user",
    request_body = PasswordChange,
    responses((status = 200, description = "Changed", body = Empty)))]
async fn change_password(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<PasswordChange>,
) -> Result<Json<Empty>, AppError> {
    users::change_password(
        &state.db,
        &principal,
        &body.current_password,
        &body.password,
        &body.password_confirmation,
    )
    .await?;
    Ok(Json(Empty {}))
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

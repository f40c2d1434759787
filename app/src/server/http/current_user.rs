//! `/v2/user/...`: the signed-in user's own resources: their profile, password and organization.

use super::envelope::{Empty, One, Resource};
use super::extract::{IfMatch, JsonBody};
use super::organizations::{organization_resource, OrganizationBody};
use super::users::{user_resource, UserBody, UserBodySchema};
use crate::domain::organization::OrganizationAttributes;
use crate::domain::user::{CanDelete, UserAttributes};
use crate::error::ApiError;
use crate::server::auth::cookie::clear_session_cookie;
use crate::server::auth::AuthUser;
use crate::server::services::organizations as service;
use crate::server::services::users;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::ETAG;
use http::header::SET_COOKIE;
use http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_organization, update_organization))
        .routes(routes!(show_me, update_me, delete_me))
        .routes(routes!(change_password))
        .routes(routes!(can_delete_me))
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
    let updated = users::update_me(
        &state.db,
        &state.config,
        &principal,
        body.into_input()?,
        expected,
    )
    .await?;
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
        &state.config,
        &principal,
        &body.current_password,
        &body.password,
        &body.password_confirmation,
    )
    .await?;
    Ok(Json(Empty {}))
}

/// `{"password"}`: the account's own password, to delete it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct DeleteAccount {
    password: String,
}

/// Delete my account
///
/// The password is required (422 naming `password` when it is wrong). Refused with a 409 and the
/// reasons when `GET /v2/user/can_delete` says no (the last Super Admin, the last Admin of an
/// organization with users, the partner of customer organizations). Every session ends.
#[utoipa::path(delete, path = "/v2/user/me", tag = "Current user",
    request_body = DeleteAccount,
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "The account can't be deleted now (the message says why)", body = ApiError),
    ))]
async fn delete_me(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<DeleteAccount>,
) -> Result<Response, AppError> {
    users::delete_me(&state.db, &principal, &body.password).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            SET_COOKIE,
            clear_session_cookie(state.config.secure_cookies),
        )],
    )
        .into_response())
}

/// Check whether my account can be deleted
///
/// `can_delete` and, when not, every reason.
#[utoipa::path(get, path = "/v2/user/can_delete", tag = "Current user",
    responses((status = 200, description = "The answer", body = CanDelete)))]
async fn can_delete_me(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<CanDelete>, AppError> {
    Ok(Json(users::can_delete_me(&state.db, &principal).await?))
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

//! The public account endpoints of API.md §2: forgot and reset password, confirmation, invitation.
//! They take a one-time token from an email instead of credentials.

use super::auth::SignInResponse;
use super::envelope::Empty;
use super::extract::JsonBody;
use crate::domain::time::format_millis;
use crate::domain::Role;
use crate::error::ApiError;
use crate::server::auth::cookie::session_cookie;
use crate::server::request::RequestMeta;
use crate::server::services::accounts::{self as service, Acceptance};
use crate::server::{AppError, AppState};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::SET_COOKIE;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(forgot_password, reset_password))
        .routes(routes!(show_confirmation, confirm))
        .routes(routes!(show_invitation, accept_invitation))
}

/// `{"email"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ForgotPassword {
    /// The address of the account.
    #[schema(
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*@[^\x00-\x1F\x7F-\x9F]*$",
        max_length = 255
    )]
    email: String,
}

/// Request a password reset
///
/// Emails a link to `/password/reset/{token}` (valid 2 hours, once) when the address belongs to
/// a user. The answer is 202 either way; too many requests from one client address get a 429.
#[utoipa::path(post, path = "/auth/password", tag = "Authentication", security(()),
    request_body = ForgotPassword,
    responses(
        (status = 202, description = "Accepted (whether or not the address is known)", body = Empty),
        (status = 429, description = "Too many requests from this address", body = ApiError),
    ))]
async fn forgot_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<ForgotPassword>,
) -> Result<Response, AppError> {
    service::request_password_reset(&state.db, &state.config, &body.email, &meta).await?;
    Ok((StatusCode::ACCEPTED, Json(Empty {})).into_response())
}

/// `{"reset_password_token", "password", "password_confirmation"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetPassword {
    #[serde(default)]
    reset_password_token: String,
    /// 8 to 128 characters.
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

/// Reset the password
///
/// With the token of the emailed link. Every session of the user ends; a lockout is lifted.
/// An unknown, used or expired token is a 422 naming `reset_password_token`.
#[utoipa::path(put, path = "/auth/password", tag = "Authentication", security(()),
    request_body = ResetPassword,
    responses((status = 200, description = "The password is set", body = Empty)))]
async fn reset_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<ResetPassword>,
) -> Result<Json<Empty>, AppError> {
    service::reset_password(
        &state.db,
        &state.config,
        &body.reset_password_token,
        &body.password,
        &body.password_confirmation,
        &meta,
    )
    .await?;
    Ok(Json(Empty {}))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ConfirmationQuery {
    /// The token of the emailed link.
    #[serde(default)]
    confirmation_token: String,
}

#[derive(Serialize, ToSchema)]
struct ConfirmationState {
    email: String,
    confirmed: bool,
    /// The account has no password yet: `POST /auth/confirmation` must set one.
    needs_password: bool,
}

/// Check a confirmation token
///
/// The address the token confirms (the confirmation form's data); 404 when it is unknown, used or
/// expired.
#[utoipa::path(get, path = "/auth/confirmation", tag = "Authentication", security(()),
    params(ConfirmationQuery),
    responses(
        (status = 200, description = "The token's account", body = ConfirmationState),
        (status = 404, description = "No live confirmation behind this token", body = ApiError),
    ))]
async fn show_confirmation(
    State(state): State<AppState>,
    Query(query): Query<ConfirmationQuery>,
) -> Result<Json<ConfirmationState>, AppError> {
    let details = service::confirmation_details(&state.db, &query.confirmation_token).await?;
    Ok(Json(ConfirmationState {
        email: details.email,
        confirmed: details.confirmed,
        needs_password: details.needs_password,
    }))
}

/// `{"confirmation_token"}`, plus the password of an account created without one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Confirm {
    #[serde(default)]
    confirmation_token: String,
    /// Required when the account has no password yet (`needs_password`).
    password: Option<String>,
    password_confirmation: Option<String>,
}

/// Confirm an email address
///
/// Spends the token. An account created without a password sets one here.
#[utoipa::path(post, path = "/auth/confirmation", tag = "Authentication", security(()),
    request_body = Confirm,
    responses((status = 200, description = "Confirmed", body = Empty)))]
async fn confirm(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<Confirm>,
) -> Result<Json<Empty>, AppError> {
    let password = body.password.unwrap_or_default();
    let confirmation = body.password_confirmation.unwrap_or_default();
    service::confirm(
        &state.db,
        &body.confirmation_token,
        Some((&password, &confirmation)),
        &meta,
    )
    .await?;
    Ok(Json(Empty {}))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct InvitationQuery {
    /// The token of the emailed link.
    #[serde(default)]
    invitation_token: String,
}

#[derive(Serialize, ToSchema)]
struct InvitationOrganization {
    #[schema(format = Uuid)]
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
struct Invitation {
    email: String,
    organization: InvitationOrganization,
    role: Role,
    /// RFC 3339 with milliseconds.
    expires_at: String,
}

/// Check an invitation
///
/// What the invitation offers, before it is accepted; 404 when the token is unknown, used or
/// expired.
#[utoipa::path(get, path = "/auth/invitation", tag = "Authentication", security(()),
    params(InvitationQuery),
    responses(
        (status = 200, description = "The invitation", body = Invitation),
        (status = 404, description = "No live invitation behind this token", body = ApiError),
    ))]
async fn show_invitation(
    State(state): State<AppState>,
    Query(query): Query<InvitationQuery>,
) -> Result<Json<Invitation>, AppError> {
    let details = service::invitation_details(&state.db, &query.invitation_token).await?;
    Ok(Json(Invitation {
        email: details.email,
        organization: InvitationOrganization {
            id: details.organization_id,
            name: details.organization_name,
        },
        role: details.role,
        expires_at: format_millis(&details.expires_at),
    }))
}

/// `{"invitation_token", "password", "password_confirmation", "first_name"?, "last_name"?}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AcceptInvitation {
    #[serde(default)]
    invitation_token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// Accept an invitation
///
/// Sets the password (and names), confirms the address and signs in: the sign-in body, and the
/// browser session cookie.
#[utoipa::path(put, path = "/auth/invitation", tag = "Authentication", security(()),
    request_body = AcceptInvitation,
    responses((status = 200, description = "Accepted and signed in", body = SignInResponse)))]
async fn accept_invitation(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<AcceptInvitation>,
) -> Result<Response, AppError> {
    let signed_in = service::accept_invitation(
        &state.db,
        &state.config,
        Acceptance {
            token: &body.invitation_token,
            password: &body.password,
            password_confirmation: &body.password_confirmation,
            first_name: body.first_name.as_deref(),
            last_name: body.last_name.as_deref(),
        },
        &meta,
    )
    .await?;
    let cookie = session_cookie(
        &signed_in.token,
        signed_in.expires_in_secs,
        state.config.secure_cookies,
    );
    Ok(([(SET_COOKIE, cookie)], Json(SignInResponse::new(signed_in))).into_response())
}

//! `/auth/sign_in` and `/auth/sign_out` (API.md §2). Every `/auth` route is also served (and
//! documented) under `/v2/auth` (see `http::router` and `openapi::finish`).

use super::extract::JsonBody;
use crate::domain::role::Role;
use crate::error::ApiError;
use crate::server::auth::cookie::{clear_session_cookie, session_cookie};
use crate::server::auth::AuthUser;
use crate::server::request::RequestMeta;
use crate::server::services::auth::{self as auth_service, SignedIn};
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::header::SET_COOKIE;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(sign_out))
}

/// `{"username": ..., "password": ...}`; `email` is accepted for `username`.
#[derive(Deserialize, ToSchema)]
struct SignInBody {
    /// The username or the email address.
    username: Option<String>,
    /// Instead of `username`.
    email: Option<String>,
    #[serde(default)]
    password: String,
}

/// The answer to a sign-in (API.md §2).
#[derive(Serialize, ToSchema)]
pub struct SignInResponse {
    status: u16,
    #[schema(value_type = String)]
    status_text: &'static str,
    username: String,
    /// The session token: `Authorization: Bearer <token>`.
    token: String,
    sign_in_count: i64,
    role: Role,
    timezone: String,
    verified: bool,
    #[schema(value_type = String, example = "email")]
    provider: &'static str,
    organization: SignInOrganization,
}

#[derive(Serialize, ToSchema)]
struct SignInOrganization {
    #[schema(format = Uuid)]
    uuid: String,
    name: String,
}

impl SignInResponse {
    pub fn new(signed_in: SignedIn) -> SignInResponse {
        SignInResponse {
            status: 200,
            status_text: "OK",
            username: signed_in.username,
            token: signed_in.token,
            sign_in_count: signed_in.sign_in_count,
            role: signed_in.role,
            timezone: signed_in.timezone,
            verified: signed_in.verified,
            provider: "email",
            organization: SignInOrganization {
                uuid: signed_in.organization_id,
                name: signed_in.organization_name,
            },
        }
    }
}

/// Sign in
///
/// Exchanges a username (or email) and password for a session token. Wrong password and unknown
/// user give the same 401; repeated failures lock the account; failures are rate-limited per
/// address (429 with `Retry-After`). Also sets the browser session cookie.
#[utoipa::path(post, path = "/auth/sign_in", tag = "Authentication", security(()),
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in", body = SignInResponse),
        (status = 401, description = "Wrong username or password (or a locked account: the same answer)", body = ApiError),
        (status = 429, description = "Too many failed attempts from this address", body = ApiError),
    ))]
async fn sign_in(
    state: State<AppState>,
    meta: RequestMeta,
    body: JsonBody<SignInBody>,
) -> Result<Response, AppError> {
    sign_in_with(state, meta, body).await
}

/// Sign out
///
/// Revokes the session token (or cookie) used for this request.
#[utoipa::path(delete, path = "/auth/sign_out", tag = "Authentication",
    responses((status = 204, description = "Signed out")))]
async fn sign_out(state: State<AppState>, user: AuthUser) -> Result<Response, AppError> {
    sign_out_with(state, user).await
}

async fn sign_in_with(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<Response, AppError> {
    let username = body.username.or(body.email).unwrap_or_default();
    let signed_in =
        auth_service::sign_in(&state.db, &state.config, &username, &body.password, &meta).await?;
    let cookie = session_cookie(
        &signed_in.token,
        signed_in.expires_in_secs,
        state.config.secure_cookies,
    );
    Ok(([(SET_COOKIE, cookie)], Json(SignInResponse::new(signed_in))).into_response())
}

async fn sign_out_with(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Response, AppError> {
    auth_service::sign_out(&state.db, &principal).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(
            SET_COOKIE,
            clear_session_cookie(state.config.secure_cookies),
        )],
    )
        .into_response())
}

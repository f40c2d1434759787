//! `/auth/sign_in` and `/auth/sign_out` (API.md §2). Every `/auth` route is also served (and
//! documented) under `/v2/auth` (see `http::router` and `openapi::finish`).

use super::extract::JsonBody;
use crate::domain::role::Role;
use crate::domain::two_factor::OtpMethod;
use crate::error::ApiError;
use crate::server::auth::cookie::{clear_session_cookie, session_cookie};
use crate::server::auth::AuthUser;
use crate::server::request::RequestMeta;
use crate::server::services::auth::{self as auth_service, SignInOutcome, SignedIn};
use crate::server::services::two_factor::{self, SecondFactor};
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
        .routes(routes!(sign_in_with_recovery_code))
        .routes(routes!(sign_out))
        .routes(routes!(check_2fa))
        .routes(routes!(send_sms_otp))
}

/// The first step `{"username", "password"}` (`email` is accepted for `username`), or the second
/// `{"otp_attempt", "otp_session_state"}`.
#[derive(Deserialize, ToSchema)]
struct SignInBody {
    /// The username or the email address.
    username: Option<String>,
    /// Instead of `username`.
    email: Option<String>,
    #[serde(default)]
    password: String,
    /// Second step: the code of the authenticator app, or the one texted.
    otp_attempt: Option<String>,
    /// Second step: what the first step answered.
    otp_session_state: Option<String>,
}

/// The first step's answer for an account with 2FA: no token yet.
#[derive(Serialize, ToSchema)]
struct OtpRequired {
    status: u16,
    #[schema(value_type = String)]
    status_text: &'static str,
    otp_required: bool,
    /// Present it with the code (`POST /auth/sign_in`) or a recovery code; it expires in 5 minutes.
    otp_session_state: String,
    otp_default_method: OtpMethod,
}

#[derive(Deserialize, ToSchema)]
struct RecoveryCodeSignIn {
    /// What the first step answered.
    #[serde(default)]
    #[schema(schema_with = super::openapi::non_blank, required = true)]
    otp_session_state: String,
    /// One of the ten recovery codes (case and dashes don't matter).
    #[serde(default)]
    #[schema(schema_with = super::openapi::non_blank, required = true)]
    recovery_code: String,
}

#[derive(Deserialize, ToSchema)]
struct Check2faBody {
    /// The username or the email address.
    #[schema(schema_with = super::openapi::non_blank, required = true)]
    username: Option<String>,
    /// Accepted instead of `username` (as at sign-in).
    #[schema(schema_with = super::openapi::non_blank)]
    email: Option<String>,
    #[serde(default)]
    #[schema(min_length = 1, required = true)]
    password: String,
}

#[derive(Serialize, ToSchema)]
struct Check2faResponse {
    two_factor_enabled: bool,
    otp_default_method: Option<OtpMethod>,
}

#[derive(Deserialize, ToSchema)]
struct SendSmsOtpBody {
    /// What the first step of the sign-in answered.
    #[serde(default)]
    #[schema(schema_with = super::openapi::non_blank, required = true)]
    otp_session_state: String,
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
/// address (429 with `Retry-After`). Also sets the browser session cookie. For an account with
/// 2FA the first step answers `otp_required` and an `otp_session_state`, and a second call with
/// `otp_attempt` and that state signs in; wrong codes count toward the lockout.
#[utoipa::path(post, path = "/auth/sign_in", tag = "Authentication", security(()),
    request_body = SignInBody,
    responses(
        (status = 200, description = "Signed in, or the second factor is required", body = SignInResponse),
        (status = 422, description = "A blank field", body = ApiError),
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

/// Sign in with a recovery code
///
/// The second step with one of the ten recovery codes instead of a code; the code is spent.
#[utoipa::path(post, path = "/auth/sign_in/recovery_code", tag = "Authentication", security(()),
    request_body = RecoveryCodeSignIn,
    responses(
        (status = 200, description = "Signed in", body = SignInResponse),
        (status = 401, description = "A wrong or spent code, or an expired sign-in", body = ApiError),
        (status = 422, description = "A blank field", body = ApiError),
        (status = 429, description = "Too many failed attempts from this address", body = ApiError),
    ))]
async fn sign_in_with_recovery_code(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<RecoveryCodeSignIn>,
) -> Result<Response, AppError> {
    let signed_in = auth_service::sign_in_second_step(
        &state.db,
        &state.config,
        &body.otp_session_state,
        SecondFactor::RecoveryCode(&body.recovery_code),
        &meta,
    )
    .await?;
    Ok(signed_in_response(&state, signed_in))
}

/// Does this account use 2FA?
///
/// Checks the credentials (counted as a sign-in attempt) and says whether a second factor will
/// be asked for, and which first.
#[utoipa::path(post, path = "/auth/check_2fa", tag = "Authentication", security(()),
    request_body = Check2faBody,
    responses(
        (status = 200, description = "Whether 2FA is on", body = Check2faResponse),
        (status = 401, description = "Wrong username or password", body = ApiError),
        (status = 429, description = "Too many failed attempts from this address", body = ApiError),
    ))]
async fn check_2fa(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<Check2faBody>,
) -> Result<Json<Check2faResponse>, AppError> {
    let username = body.username.or(body.email).unwrap_or_default();
    let (two_factor_enabled, otp_default_method) =
        auth_service::check_2fa(&state.db, &state.config, &username, &body.password, &meta).await?;
    Ok(Json(Check2faResponse {
        two_factor_enabled,
        otp_default_method,
    }))
}

/// Text a sign-in code
///
/// Sends a new code for this sign-in through the SMS sender (the outbox unless a gateway is
/// configured); the latest code is the one that works.
#[utoipa::path(post, path = "/auth/send_sms_otp", tag = "Authentication", security(()),
    request_body = SendSmsOtpBody,
    responses(
        (status = 204, description = "A code is on its way"),
        (status = 401, description = "An expired or unknown sign-in", body = ApiError),
        (status = 422, description = "The account has no sign-in by text message", body = ApiError),
        (status = 429, description = "Too many texts", body = ApiError),
    ))]
async fn send_sms_otp(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<SendSmsOtpBody>,
) -> Result<StatusCode, AppError> {
    two_factor::send_sms_otp(&state.db, &state.config, &body.otp_session_state).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn signed_in_response(state: &AppState, signed_in: SignedIn) -> Response {
    let cookie = session_cookie(
        &signed_in.token,
        signed_in.expires_in_secs,
        state.config.secure_cookies,
    );
    ([(SET_COOKIE, cookie)], Json(SignInResponse::new(signed_in))).into_response()
}

async fn sign_in_with(
    State(state): State<AppState>,
    meta: RequestMeta,
    JsonBody(body): JsonBody<SignInBody>,
) -> Result<Response, AppError> {
    if body.otp_attempt.is_some() || body.otp_session_state.is_some() {
        let signed_in = auth_service::sign_in_second_step(
            &state.db,
            &state.config,
            body.otp_session_state.as_deref().unwrap_or_default(),
            SecondFactor::Otp(body.otp_attempt.as_deref().unwrap_or_default()),
            &meta,
        )
        .await?;
        return Ok(signed_in_response(&state, signed_in));
    }
    let username = body.username.or(body.email).unwrap_or_default();
    match auth_service::sign_in(&state.db, &state.config, &username, &body.password, &meta).await? {
        SignInOutcome::SignedIn(signed_in) => Ok(signed_in_response(&state, signed_in)),
        SignInOutcome::SecondFactorRequired(challenge) => Ok(Json(OtpRequired {
            status: 200,
            status_text: "OK",
            otp_required: true,
            otp_session_state: challenge.otp_session_state,
            otp_default_method: challenge.default_method,
        })
        .into_response()),
    }
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

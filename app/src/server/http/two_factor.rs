//! `/v2/user/2fa`: the signed-in user's second factor (API.md §4). Setting a method up is two
//! calls: `enable` (a TOTP secret, or a code texted to the phone) and `verify` with the first
//! code, which turns it on and answers the recovery codes once.

use super::envelope::Empty;
use super::extract::JsonBody;
use crate::domain::two_factor::{OtpMethod, RecoveryCodes, TotpSetup};
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::services::two_factor as service;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enable))
        .routes(routes!(verify))
        .routes(routes!(disable))
        .routes(routes!(set_default_method))
        .routes(routes!(regenerate_recovery_codes, remaining_recovery_codes))
}

#[derive(Deserialize)]
struct EnableBody {
    method: Option<String>,
    phone: Option<String>,
}

/// `EnableBody` as the document states it: `phone` belongs to (and is required by) `sms`, which
/// a derived schema can't say.
enum EnableBodySchema {}

impl utoipa::PartialSchema for EnableBodySchema {
    fn schema() -> RefOr<Schema> {
        serde_json::from_value(json!({
            "oneOf": [
                {
                    "type": "object",
                    "required": ["method"],
                    "properties": {"method": {"type": "string", "enum": ["totp"]}}
                },
                {
                    "type": "object",
                    "required": ["method", "phone"],
                    "properties": {
                        "method": {"type": "string", "enum": ["sms"]},
                        "phone": {
                            "type": "string",
                            "description": "`+` and the country code: 8 to 15 digits (spaces, dots, dashes and brackets are ignored).",
                            "pattern": r"^\+[0-9]{8,15}$"
                        }
                    }
                }
            ]
        }))
        .expect("a valid schema")
    }
}

impl ToSchema for EnableBodySchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "EnableTwoFactorBody".into()
    }
}

#[derive(Deserialize, ToSchema)]
struct VerifyBody {
    /// The authenticator app's code, or the one texted.
    #[serde(default)]
    #[schema(schema_with = super::openapi::non_blank, required = true)]
    otp_attempt: String,
}

#[derive(Deserialize, ToSchema)]
struct DisableBody {
    #[serde(default)]
    #[schema(min_length = 1, required = true)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
struct DefaultMethodBody {
    /// It must be on.
    #[schema(value_type = OtpMethod, required = true)]
    method: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct RemainingRecoveryCodes {
    remaining: u32,
}

/// Start setting up 2FA
///
/// `{"method": "totp"}` answers a new secret and its `otpauth://` link (a QR code of it is what
/// authenticator apps scan); an enabled TOTP keeps working until the new one is verified.
/// `{"method": "sms", "phone"}` texts a code to the phone and answers 202. Either is turned on by
/// `POST /v2/user/2fa/verify`. 403 while impersonating.
#[utoipa::path(post, path = "/v2/user/2fa/enable", tag = "Current user",
    request_body = EnableBodySchema,
    responses(
        (status = 200, description = "TOTP: the secret to put into the app", body = TotpSetup),
        (status = 202, description = "SMS: a code is on its way"),
        (status = 422, description = "An unknown method or a bad phone number", body = ApiError),
        (status = 429, description = "Too many texts", body = ApiError),
    ))]
async fn enable(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<EnableBody>,
) -> Result<Response, AppError> {
    let setup = service::enable(
        &state.db,
        &state.config,
        &principal,
        body.method.as_deref(),
        body.phone.as_deref(),
    )
    .await?;
    Ok(match setup {
        Some(setup) => Json(setup).into_response(),
        None => StatusCode::ACCEPTED.into_response(),
    })
}

/// Turn 2FA on
///
/// The first code of the method being set up. Answers ten single-use recovery codes, shown this
/// once (a new set replaces older ones).
#[utoipa::path(post, path = "/v2/user/2fa/verify", tag = "Current user",
    request_body = VerifyBody,
    responses(
        (status = 200, description = "On; the recovery codes", body = RecoveryCodes),
        (status = 422, description = "A wrong code, or nothing being set up", body = ApiError),
        (status = 429, description = "Too many wrong codes", body = ApiError),
    ))]
async fn verify(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<VerifyBody>,
) -> Result<Json<RecoveryCodes>, AppError> {
    Ok(Json(
        service::verify(&state.db, &state.config, &principal, &body.otp_attempt).await?,
    ))
}

/// Turn 2FA off
///
/// Every method and recovery code goes; the password is required. The organization's
/// notification policy (`secondFactorRemoved`) may tell the user by email.
#[utoipa::path(delete, path = "/v2/user/2fa", tag = "Current user",
    request_body = DisableBody,
    responses(
        (status = 204, description = "Off"),
        (status = 422, description = "A wrong password, or 2FA is not on", body = ApiError),
    ))]
async fn disable(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<DisableBody>,
) -> Result<StatusCode, AppError> {
    service::disable(&state.db, &state.config, &principal, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Choose the default 2FA method
///
/// The method sign-in asks for first (`otp_default_method`).
#[utoipa::path(put, path = "/v2/user/2fa/default_method", tag = "Current user",
    request_body = DefaultMethodBody,
    responses(
        (status = 200, description = "Saved", body = Empty),
        (status = 422, description = "An unknown method, or one that is not on", body = ApiError),
    ))]
async fn set_default_method(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<DefaultMethodBody>,
) -> Result<Json<Empty>, AppError> {
    service::set_default_method(&state.db, &principal, body.method.as_deref()).await?;
    Ok(Json(Empty {}))
}

/// New recovery codes
///
/// Ten new single-use codes, shown this once; the old ones stop working.
#[utoipa::path(post, path = "/v2/user/2fa/recovery_codes", tag = "Current user",
    responses(
        (status = 200, description = "The new codes", body = RecoveryCodes),
        (status = 422, description = "2FA is not on", body = ApiError),
    ))]
async fn regenerate_recovery_codes(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<RecoveryCodes>, AppError> {
    Ok(Json(
        service::regenerate_recovery_codes(&state.db, &state.config, &principal).await?,
    ))
}

/// How many recovery codes are left
#[utoipa::path(get, path = "/v2/user/2fa/recovery_codes", tag = "Current user",
    responses((status = 200, description = "Unused codes", body = RemainingRecoveryCodes)))]
async fn remaining_recovery_codes(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<RemainingRecoveryCodes>, AppError> {
    Ok(Json(RemainingRecoveryCodes {
        remaining: service::remaining_recovery_codes(&state.db, &principal).await?,
    }))
}

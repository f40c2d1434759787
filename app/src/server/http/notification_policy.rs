//! The notification policy through ZITADEL's management API (API.md §7, seed `004_*`):
//! `/management/v1/policies/notification`, its instance default and the admin API's setter.
//! ZITADEL clients expect ZITADEL's error shape, `{"code": <gRPC code>, "message", "details": []}`,
//! so these handlers map errors themselves instead of answering the §1 body.

use crate::domain::notification::NotificationPolicy;
use crate::domain::time::format_millis;
use crate::server::auth::MaybeAuthUser;
use crate::server::auth::Principal;
use crate::server::services::notification_policy::{self as service, AppliedPolicy, PolicyDetails};
use crate::server::{AppError, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::request::Parts;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, create, update, reset))
        .routes(routes!(show_default))
        .routes(routes!(update_default))
}

/// ZITADEL's error body.
#[derive(Serialize, ToSchema)]
pub struct ZitadelError {
    /// The gRPC status code: 3 invalid argument, 5 not found, 7 permission denied,
    /// 16 unauthenticated, 13 internal.
    code: i32,
    message: String,
    details: Vec<Value>,
    #[serde(skip)]
    status: StatusCode,
}

impl ZitadelError {
    fn invalid(message: impl Into<String>) -> ZitadelError {
        ZitadelError {
            code: 3,
            message: message.into(),
            details: Vec::new(),
            status: StatusCode::BAD_REQUEST,
        }
    }
}

impl From<AppError> for ZitadelError {
    fn from(err: AppError) -> ZitadelError {
        let (code, status) = match &err {
            AppError::Unauthorized(_) => (16, StatusCode::UNAUTHORIZED),
            AppError::Forbidden(_) => (7, StatusCode::FORBIDDEN),
            AppError::NotFound(_) => (5, StatusCode::NOT_FOUND),
            AppError::Invalid(_) | AppError::BadRequest(_) => (3, StatusCode::BAD_REQUEST),
            AppError::TooManyRequests { .. } => (8, StatusCode::TOO_MANY_REQUESTS),
            AppError::Conflict(_) => (6, StatusCode::CONFLICT),
            AppError::PayloadTooLarge(_) => (8, StatusCode::PAYLOAD_TOO_LARGE),
            _ => (13, StatusCode::INTERNAL_SERVER_ERROR),
        };
        // The §1 body's message (a 500's names only its request id; the cause is logged).
        let message = err.to_api_error().message;
        ZitadelError {
            code,
            message,
            details: Vec::new(),
            status,
        }
    }
}

impl IntoResponse for ZitadelError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}

/// The signed-in caller, or ZITADEL's 401.
struct Caller(Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ZitadelError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ZitadelError> {
        match MaybeAuthUser::from_request_parts(parts, state).await?.0 {
            Some(principal) => Ok(Caller(principal)),
            None => Err(AppError::Unauthorized(
                "Send the bearer token of a signed-in user.".into(),
            )
            .into()),
        }
    }
}

/// The organization `x-zitadel-orgid` names, if any.
fn named_organization(headers: &HeaderMap) -> Result<Option<String>, ZitadelError> {
    match headers.get("x-zitadel-orgid") {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .map(|v| Some(v.trim().to_string()))
            .map_err(|_| ZitadelError::invalid("x-zitadel-orgid is not a valid organization id")),
    }
}

/// The raw body, or ZITADEL's error when it couldn't be read (too large: code 8).
type RawBody = Result<Bytes, BytesRejection>;

/// `{"passwordChange": bool, ...}`: the body is required (seed `004_*`), every trigger in it
/// optional and off unless set. Anything else is ZITADEL's invalid argument.
fn policy_from(body: RawBody) -> Result<NotificationPolicy, ZitadelError> {
    let body = body.map_err(|rejection| {
        let status = rejection.status();
        ZitadelError {
            code: if status == StatusCode::PAYLOAD_TOO_LARGE {
                8
            } else {
                3
            },
            message: rejection.body_text(),
            details: Vec::new(),
            status: if status.is_client_error() {
                status
            } else {
                StatusCode::BAD_REQUEST
            },
        }
    })?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ZitadelError::invalid(
            "the body is required: {\"passwordChange\": true|false}",
        ));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| ZitadelError::invalid(format!("the body is not valid JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(ZitadelError::invalid("the body must be a JSON object"));
    };
    let mut policy = NotificationPolicy::default();
    for (key, flag) in object {
        let slot = match key.as_str() {
            "passwordChange" => &mut policy.password_change,
            "emailChange" => &mut policy.email_change,
            "secondFactorRemoved" => &mut policy.second_factor_removed,
            "accountLocked" => &mut policy.account_locked,
            _ => {
                return Err(ZitadelError::invalid(format!(
                    "unknown field {key:?} (expected one of {})",
                    NotificationPolicy::KEYS.join(", ")
                )))
            }
        };
        match flag {
            Value::Bool(on) => *slot = *on,
            _ => {
                return Err(ZitadelError::invalid(format!(
                    "{key} must be true or false"
                )))
            }
        }
    }
    Ok(policy)
}

/// ZITADEL's `details`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct Details {
    /// The policy's change counter, a u64 as a string.
    sequence: String,
    #[schema(format = DateTime)]
    creation_date: String,
    #[schema(format = DateTime)]
    change_date: String,
    /// The organization id (`instance` for the instance default).
    resource_owner: String,
}

impl From<PolicyDetails> for Details {
    fn from(d: PolicyDetails) -> Details {
        Details {
            sequence: d.sequence.to_string(),
            creation_date: format_millis(&d.creation_date),
            change_date: format_millis(&d.change_date),
            resource_owner: d.resource_owner,
        }
    }
}

/// `{"details": {...}}`: what a change answers.
#[derive(Serialize, ToSchema)]
struct Changed {
    details: Details,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct PolicyBody {
    details: Details,
    /// The organization has no policy of its own: this is the instance default.
    is_default: bool,
    password_change: bool,
    email_change: bool,
    second_factor_removed: bool,
    account_locked: bool,
}

/// `{"policy": {...}}`.
#[derive(Serialize, ToSchema)]
struct Shown {
    policy: PolicyBody,
}

fn shown(applied: AppliedPolicy) -> Json<Shown> {
    Json(Shown {
        policy: PolicyBody {
            details: applied.details.into(),
            is_default: applied.is_default,
            password_change: applied.policy.password_change,
            email_change: applied.policy.email_change,
            second_factor_removed: applied.policy.second_factor_removed,
            account_locked: applied.policy.account_locked,
        },
    })
}

/// Get the organization's notification policy
///
/// The caller's organization, or the one `x-zitadel-orgid` names (which the caller must
/// administer). `isDefault` says it is the instance default (the organization has none of its own).
#[utoipa::path(get, path = "/management/v1/policies/notification", tag = "Notification policy (ZITADEL)",
    params(("x-zitadel-orgid" = Option<String>, Header, description = "Another organization's id")),
    responses(
        (status = 200, description = "The policy", body = Shown),
        (status = 401, description = "Unauthenticated (code 16)", body = ZitadelError),
        (status = 403, description = "Permission denied (code 7)", body = ZitadelError),
        (status = 404, description = "Not found (code 5)", body = ZitadelError),
    ))]
async fn show(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
) -> Result<Json<Shown>, ZitadelError> {
    let organization = named_organization(&headers)?;
    Ok(shown(
        service::get(&state.db, &principal, organization.as_deref()).await?,
    ))
}

async fn set(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    body: RawBody,
) -> Result<Json<Changed>, ZitadelError> {
    let organization = named_organization(headers)?;
    let policy = policy_from(body)?;
    let details = service::set(&state.db, principal, organization.as_deref(), policy).await?;
    Ok(Json(Changed {
        details: details.into(),
    }))
}

/// Add the organization's notification policy
///
/// Creates or updates, like `PUT`. Triggers left out are off.
#[utoipa::path(post, path = "/management/v1/policies/notification", tag = "Notification policy (ZITADEL)",
    params(("x-zitadel-orgid" = Option<String>, Header, description = "Another organization's id")),
    request_body = NotificationPolicy,
    responses(
        (status = 200, description = "Saved", body = Changed),
        (status = 400, description = "Invalid argument (code 3)", body = ZitadelError),
        (status = 403, description = "Permission denied (code 7)", body = ZitadelError),
    ))]
async fn create(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    body: RawBody,
) -> Result<Json<Changed>, ZitadelError> {
    set(&state, &principal, &headers, body).await
}

/// Update the organization's notification policy
///
/// Seed `004_*`: `{"passwordChange": true}` (and Steward's further triggers `emailChange`,
/// `secondFactorRemoved`, `accountLocked`). Creates or updates; triggers left out are off.
#[utoipa::path(put, path = "/management/v1/policies/notification", tag = "Notification policy (ZITADEL)",
    params(("x-zitadel-orgid" = Option<String>, Header, description = "Another organization's id")),
    request_body = NotificationPolicy,
    responses(
        (status = 200, description = "Saved", body = Changed),
        (status = 400, description = "Invalid argument (code 3)", body = ZitadelError),
        (status = 403, description = "Permission denied (code 7)", body = ZitadelError),
    ))]
async fn update(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
    body: RawBody,
) -> Result<Json<Changed>, ZitadelError> {
    set(&state, &principal, &headers, body).await
}

/// Reset the organization's notification policy to the default
///
/// 404 (code 5) when the organization has no policy of its own.
#[utoipa::path(delete, path = "/management/v1/policies/notification", tag = "Notification policy (ZITADEL)",
    params(("x-zitadel-orgid" = Option<String>, Header, description = "Another organization's id")),
    responses(
        (status = 200, description = "Back to the instance default", body = Changed),
        (status = 404, description = "No policy of its own (code 5)", body = ZitadelError),
    ))]
async fn reset(
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
) -> Result<Json<Changed>, ZitadelError> {
    let organization = named_organization(&headers)?;
    let details = service::reset(&state.db, &principal, organization.as_deref()).await?;
    Ok(Json(Changed {
        details: details.into(),
    }))
}

/// Get the default notification policy
///
/// The instance default, which organizations without a policy of their own follow.
#[utoipa::path(get, path = "/management/v1/policies/default/notification", tag = "Notification policy (ZITADEL)",
    responses((status = 200, description = "The instance default", body = Shown)))]
async fn show_default(
    State(state): State<AppState>,
    Caller(_principal): Caller,
) -> Result<Json<Shown>, ZitadelError> {
    Ok(shown(service::get_default(&state.db).await?))
}

/// Update the default notification policy
///
/// Super Admin (code 7 otherwise).
#[utoipa::path(put, path = "/admin/v1/policies/notification", tag = "Notification policy (ZITADEL)",
    request_body = NotificationPolicy,
    responses(
        (status = 200, description = "Saved", body = Changed),
        (status = 403, description = "Permission denied (code 7)", body = ZitadelError),
    ))]
async fn update_default(
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: RawBody,
) -> Result<Json<Changed>, ZitadelError> {
    let policy = policy_from(body)?;
    let details = service::set_default(&state.db, &principal, policy).await?;
    Ok(Json(Changed {
        details: details.into(),
    }))
}

//! `/auth/impersonate` (API.md §2, seed `002_*`): an admin starts acting as a user, and stops.
//! Also served under `/v2/auth` (see `http::auth_routes`).

use super::auth::SignInResponse;
use super::extract::{JsonBody, QueryPairs};
use crate::domain::role::Role;
use crate::domain::time::millis;
use crate::domain::FieldError;
use crate::server::auth::AuthUser;
use crate::server::services::impersonation as service;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(impersonate, stop))
}

/// `?uuid=<user id>&reason=...`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the query; `QueryPairs` reads it.
struct ImpersonateParams {
    /// The user to act as.
    #[param(format = Uuid)]
    uuid: String,
    /// Why (kept in the audit trail; the console asks for it). At most 500 characters.
    #[param(max_length = 500, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    reason: Option<String>,
}

/// The impersonation body of seed `002_*`.
#[derive(Serialize, ToSchema)]
struct ImpersonationResponse {
    username: String,
    /// A session token of the user, naming the admin: `Authorization: Bearer <token>`. It lasts
    /// an hour at the most.
    token: String,
    role: Role,
    timezone: String,
    #[schema(value_type = String, example = "email")]
    provider: &'static str,
    /// Single-use: `DELETE /auth/impersonate` with it (and the token above) returns to the admin.
    impersonator_revert_token: String,
    #[serde(with = "millis")]
    #[schema(value_type = String, format = DateTime)]
    created_at: DateTime<Utc>,
    #[serde(with = "millis")]
    #[schema(value_type = String, format = DateTime)]
    updated_at: DateTime<Utc>,
}

/// Impersonate user
///
/// Acts as the user `uuid`: the answer's token is a session of that user, and everything done
/// with it is audited with both identities. A Super Admin may impersonate anyone but a Super
/// Admin; an Admin only Users of their own organization; nobody themselves or while already
/// impersonating (403). A user out of the caller's sight is a 404.
#[utoipa::path(post, path = "/auth/impersonate", tag = "Authentication",
    params(ImpersonateParams),
    responses(
        (status = 200, description = "Acting as the user", body = ImpersonationResponse),
        (status = 404, description = "No such user (or not the caller's to see)", body = crate::error::ApiError),
        (status = 409, description = "The user hasn't confirmed their address yet", body = crate::error::ApiError),
    ))]
async fn impersonate(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<ImpersonationResponse>, AppError> {
    let value = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let Some(uuid) = value("uuid").filter(|v| !v.trim().is_empty()) else {
        return Err(AppError::Invalid(vec![FieldError::new(
            "uuid",
            "can't be blank",
        )]));
    };
    let started = service::start(&state.db, &principal, uuid, value("reason")).await?;
    Ok(Json(ImpersonationResponse {
        username: started.username,
        token: started.token,
        role: started.role,
        timezone: started.timezone,
        provider: "email",
        impersonator_revert_token: started.revert_token,
        created_at: started.user_created_at,
        updated_at: started.user_updated_at,
    }))
}

/// `{"impersonator_revert_token"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct StopBody {
    #[serde(default)]
    #[schema(max_length = 128)]
    impersonator_revert_token: String,
}

/// Stop impersonating
///
/// With the impersonation's own token and its revert token: ends the impersonation's session and
/// answers a new sign-in of the admin. A revert token used twice, expired, or presented with any
/// other session is a 422 naming it.
#[utoipa::path(delete, path = "/auth/impersonate", tag = "Authentication",
    request_body = StopBody,
    responses((status = 200, description = "Back as the admin", body = SignInResponse)))]
async fn stop(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<StopBody>,
) -> Result<Json<SignInResponse>, AppError> {
    let signed_in = service::stop(
        &state.db,
        &state.config,
        &principal,
        &body.impersonator_revert_token,
    )
    .await?;
    Ok(Json(SignInResponse::new(signed_in)))
}

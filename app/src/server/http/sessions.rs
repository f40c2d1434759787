//! `/v2/user/sessions` and `/v2/user/token/valid`: the signed-in user's sessions (the
//! "Active sessions" card of `/me/security`), and whether this request's credential still works.

use super::envelope::{Many, Resource};
use super::extract::QueryPairs;
use super::openapi::{DocumentedList, ListParams};
use crate::domain::list::{ListQuery, ListSpec};
use crate::domain::session::{ActiveSession, SessionAttributes};
use crate::domain::time::millis_option;
use crate::server::auth::AuthUser;
use crate::server::services::sessions::{self as service, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, revoke_others))
        .routes(routes!(revoke))
        .routes(routes!(token_valid))
}

/// `GET /v2/user/sessions`' parameters.
pub enum SessionList {}

impl DocumentedList for SessionList {
    const SPEC: &'static ListSpec = &LIST_SPEC;
    const SEARCHABLE: bool = false;
}

fn resource(session: ActiveSession) -> Resource<SessionAttributes> {
    Resource::new(session.id, "sessions", session.attributes)
}

/// List my sessions
///
/// Every session the signed-in user is signed in with (browsers and API sign-ins) that still
/// works, the most recently used first; `current` marks the one of this request. An impersonating
/// admin's session as this user shows who they are in `impersonator_id`.
#[utoipa::path(get, path = "/v2/user/sessions", tag = "Current user",
    params(ListParams<SessionList>),
    responses((status = 200, description = "A page", body = Many<Resource<SessionAttributes>>)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Many<Resource<SessionAttributes>>>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list_mine(&state.db, &state.config, &principal, &query).await?;
    Ok(Json(Many {
        data: page.items.into_iter().map(resource).collect(),
        meta: page.meta,
    }))
}

/// Sign out everywhere else
///
/// Ends every session of the signed-in user except the one this request uses (all of them when
/// it uses an access token). The access token is not touched: revoke it with
/// `PUT /v2/user/access_token/revoke`. 403 while impersonating.
#[utoipa::path(delete, path = "/v2/user/sessions", tag = "Current user",
    responses((status = 204, description = "The other sessions ended")))]
async fn revoke_others(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Response, AppError> {
    service::revoke_others(&state.db, &principal).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// End one of my sessions
///
/// That session's token stops working at once (ending the current one signs out). Another user's
/// session is a 404, like a missing one. 403 while impersonating.
#[utoipa::path(delete, path = "/v2/user/sessions/{id}", tag = "Current user",
    params(("id" = String, Path, format = Uuid, description = "Session id")),
    responses((status = 204, description = "Ended")))]
async fn revoke(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::revoke_mine(&state.db, &principal, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `{"valid": true, "expires_at"}`.
#[derive(Serialize, ToSchema)]
pub struct TokenValidity {
    /// Always `true`: a credential that doesn't work gets a 401 instead.
    valid: bool,
    /// The session's absolute end (it ends earlier when left idle); `null` for an access token,
    /// which works until it is revoked.
    #[serde(with = "millis_option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    expires_at: Option<DateTime<Utc>>,
}

/// Check my token
///
/// Whether the credential of this request (a session token, the cookie, or an access token)
/// works, and until when at the latest.
#[utoipa::path(get, path = "/v2/user/token/valid", tag = "Current user",
    responses((status = 200, description = "It works", body = TokenValidity)))]
async fn token_valid(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<TokenValidity>, AppError> {
    let expires_at = service::current_expiry(&state.db, &principal).await?;
    Ok(Json(TokenValidity {
        valid: true,
        expires_at,
    }))
}

//! `/v2/audit/events` (API.md §8): the audit trail, for administrators.

use super::envelope::{Many, One, Resource};
use super::extract::QueryPairs;
use super::openapi::{DocumentedList, ListParams};
use crate::domain::audit::{AuditAttributes, AuditEvent};
use crate::domain::list::{ListQuery, ListSpec};
use crate::server::auth::AuthUser;
use crate::server::services::audit::{self as service, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
}

/// `GET /v2/audit/events`' parameters.
pub enum AuditList {}

impl DocumentedList for AuditList {
    const SPEC: &'static ListSpec = &LIST_SPEC;
}

fn resource(event: AuditEvent) -> Resource<AuditAttributes> {
    Resource::new(event.id, "audit_events", event.attributes)
}

/// List audit events
///
/// Every change made through any surface, newest first: who did it (and the impersonating admin,
/// if any), the action, its target, each changed field's `from` and `to` (secrets masked), IP,
/// user agent and time. `q[action]`, `q[actor_id]`, `q[target_type]`, `q[target_id]` and the
/// date ranges filter; `q` is a substring of the action or the target type. A Super Admin reads
/// every event, an Admin their organization's; a User gets 403.
#[utoipa::path(get, path = "/v2/audit/events", tag = "Audit",
    params(ListParams<AuditList>),
    responses((status = 200, description = "A page", body = Many<Resource<AuditAttributes>>)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Many<Resource<AuditAttributes>>>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list(&state.db, &principal, &query).await?;
    Ok(Json(Many {
        data: page.items.into_iter().map(resource).collect(),
        meta: page.meta,
    }))
}

/// Show an audit event
///
/// One event of the caller's part of the trail (another organization's is a 404).
#[utoipa::path(get, path = "/v2/audit/events/{id}", tag = "Audit",
    params(("id" = String, Path, format = Uuid, description = "Audit event id")),
    responses((status = 200, description = "The event", body = One<Resource<AuditAttributes>>)))]
async fn show(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<One<Resource<AuditAttributes>>>, AppError> {
    let event = service::find(&state.db, &principal, &id).await?;
    Ok(Json(One {
        data: resource(event),
    }))
}

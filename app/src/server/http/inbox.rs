//! In-app notifications (API.md §6, `/v2/notifications`): the signed-in user's inbox.

use super::envelope::{Empty, One, Resource};
use super::extract::QueryPairs;
use super::openapi::{DocumentedList, ListParams};
use crate::domain::inbox::{InboxAttributes, InboxNotification};
use crate::domain::list::{ListQuery, ListSpec, PageMeta};
use crate::server::auth::AuthUser;
use crate::server::services::inbox::{self as service, Mark, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show, delete))
        .routes(routes!(read))
        .routes(routes!(seen))
        .routes(routes!(read_all))
        .routes(routes!(seen_all))
}

/// `GET /v2/notifications`' parameters.
pub enum InboxList {}

impl DocumentedList for InboxList {
    const SPEC: &'static ListSpec = &LIST_SPEC;

    fn filter_schema(filter: &str) -> Option<serde_json::Value> {
        matches!(filter, "read" | "seen")
            .then(|| serde_json::json!({"type": "string", "enum": ["", "true", "false"]}))
    }
}

fn resource(n: InboxNotification) -> Resource<InboxAttributes> {
    Resource::new(n.id.as_str(), "notifications", n.attributes)
}

/// A list's `meta` with the user's counts.
#[derive(Serialize, ToSchema)]
pub struct InboxMeta {
    #[serde(flatten)]
    page: PageMeta,
    /// The user's unread notifications (whatever the filters).
    unread_count: u64,
    /// The user's notifications not seen yet.
    unseen_count: u64,
}

/// `{"data": [...], "meta": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct InboxList200 {
    data: Vec<Resource<InboxAttributes>>,
    meta: InboxMeta,
}

/// List my notifications
///
/// Newest first. `q[read]` and `q[seen]` take `true` or `false`; `q[notification_type]` a type
/// (`scan_event`, `password_change`, ...). `meta` adds `unread_count` and `unseen_count`.
#[utoipa::path(get, path = "/v2/notifications", tag = "Notifications",
    params(ListParams<InboxList>),
    responses((status = 200, description = "A page", body = InboxList200)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<InboxList200>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list(&state.db, &principal, &query).await?;
    Ok(Json(InboxList200 {
        data: page.items.into_iter().map(resource).collect(),
        meta: InboxMeta {
            page: page.meta,
            unread_count: page.unread_count,
            unseen_count: page.unseen_count,
        },
    }))
}

/// Show a notification
///
/// One of the signed-in user's (another user's is a 404).
#[utoipa::path(get, path = "/v2/notifications/{id}", tag = "Notifications",
    params(("id" = String, Path, format = Uuid, description = "Notification id")),
    responses((status = 200, description = "The notification", body = One<Resource<InboxAttributes>>)))]
async fn show(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<One<Resource<InboxAttributes>>>, AppError> {
    let notification = service::find(&state.db, &principal, &id).await?;
    Ok(Json(One {
        data: resource(notification),
    }))
}

/// Delete a notification
#[utoipa::path(delete, path = "/v2/notifications/{id}", tag = "Notifications",
    params(("id" = String, Path, format = Uuid, description = "Notification id")),
    responses((status = 204, description = "Deleted")))]
async fn delete(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::delete(&state.db, &principal, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Mark a notification read
///
/// Reading one also sees it. Marking twice is no error.
#[utoipa::path(put, path = "/v2/notifications/{id}/read", tag = "Notifications",
    params(("id" = String, Path, format = Uuid, description = "Notification id")),
    responses((status = 200, description = "Marked", body = Empty)))]
async fn read(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Empty>, AppError> {
    service::mark(&state.db, &principal, &id, Mark::Read).await?;
    Ok(Json(Empty {}))
}

/// Mark a notification seen
#[utoipa::path(put, path = "/v2/notifications/{id}/seen", tag = "Notifications",
    params(("id" = String, Path, format = Uuid, description = "Notification id")),
    responses((status = 200, description = "Marked", body = Empty)))]
async fn seen(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Empty>, AppError> {
    service::mark(&state.db, &principal, &id, Mark::Seen).await?;
    Ok(Json(Empty {}))
}

/// Mark all my notifications read
#[utoipa::path(put, path = "/v2/notifications/read_all", tag = "Notifications",
    responses((status = 200, description = "Marked", body = Empty)))]
async fn read_all(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<Empty>, AppError> {
    service::mark_all(&state.db, &principal, Mark::Read).await?;
    Ok(Json(Empty {}))
}

/// Mark all my notifications seen
#[utoipa::path(put, path = "/v2/notifications/seen_all", tag = "Notifications",
    responses((status = 200, description = "Marked", body = Empty)))]
async fn seen_all(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<Empty>, AppError> {
    service::mark_all(&state.db, &principal, Mark::Seen).await?;
    Ok(Json(Empty {}))
}

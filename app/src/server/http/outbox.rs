//! `GET /v2/outbox` (API.md §8): what Steward sent, or tried to, for a Super Admin.

use super::envelope::{Many, Resource};
use super::extract::QueryPairs;
use super::openapi::{DocumentedList, ListParams};
use crate::domain::list::{ListQuery, ListSpec};
use crate::domain::outbox::OutboxAttributes;
use crate::server::auth::AuthUser;
use crate::server::services::outbox::{self as service, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// `GET /v2/outbox`' parameters.
pub enum OutboxList {}

impl DocumentedList for OutboxList {
    const SPEC: &'static ListSpec = &LIST_SPEC;
}

/// List the outbox
///
/// Every email Steward wrote, newest first, with its status (`pending`, `sent`, `stored` when no
/// SMTP server is configured, `failed`), attempts and the last error. Super Admin only.
#[utoipa::path(get, path = "/v2/outbox", tag = "Outbox",
    params(ListParams<OutboxList>),
    responses((status = 200, description = "A page", body = Many<Resource<OutboxAttributes>>)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Many<Resource<OutboxAttributes>>>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list_messages(&state.db, &principal, &query).await?;
    Ok(Json(Many {
        data: page
            .items
            .into_iter()
            .map(|m| Resource::new(m.id.as_str(), "outbox_messages", m.attributes))
            .collect(),
        meta: page.meta,
    }))
}

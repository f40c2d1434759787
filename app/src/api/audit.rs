//! The audit screens' server functions (`/audit`, `/audit/{id}`), through the same service as
//! `/v2/audit/events`.

use crate::domain::audit::AuditEvent;
use crate::domain::list::Page;
use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The audit page's URL state, one field each so that absent ones are simply `None`. `period` is
/// a `relative_date_range` (`24h`, `7d`, ...).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub period: Option<String>,
}

#[server(endpoint = "audit/list")]
pub async fn list_audit(query: AuditQuery) -> Result<Page<AuditEvent>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(format!("list_audit:{query:?}"), || async move {
        use crate::domain::list::{ListParams, ListQuery, UI_COUNT_LIMIT};
        use crate::server::services::audit::{self as service, LIST_SPEC};
        use crate::server::{ui, AppError};

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        let AuditQuery {
            q,
            sort,
            page,
            per_page,
            action,
            target_type,
            actor_id,
            target_id,
            period,
        } = query;
        let params = ListParams {
            q,
            sort,
            page,
            per_page,
            filters: [
                ("action", action),
                ("target_type", target_type),
                ("actor_id", actor_id),
                ("target_id", target_id),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
            .collect(),
        };
        let mut pairs = params.to_pairs();
        if let Some(period) = period.filter(|p| !p.trim().is_empty()) {
            pairs.push(("relative_date_range".to_string(), period));
        }
        let mut query = ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now())
            .map_err(|errors| ui::fail(AppError::Invalid(errors)))?;
        query.count_limit = Some(UI_COUNT_LIMIT);
        service::list(&state.db, &principal, &query)
            .await
            .map_err(ui::fail)
    })
    .await
}

/// One event, for `/audit/{id}`.
#[server(endpoint = "audit/get")]
pub async fn get_audit_event(id: String) -> Result<AuditEvent, ApiError> {
    crate::server::ui::read_once(format!("get_audit_event:{id}"), || async move {
        use crate::server::services::audit as service;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        service::find(&state.db, &principal, &id)
            .await
            .map_err(ui::fail)
    })
    .await
}

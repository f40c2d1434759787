use crate::domain::list::Page;
use crate::domain::outbox::OutboxMessage;
use crate::error::ApiError;
use leptos::prelude::*;

/// The outbox page's URL state.
#[server(endpoint = "outbox/list")]
pub async fn list_outbox(
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    status: Option<String>,
) -> Result<Page<OutboxMessage>, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once(
        format!("list_outbox:{:?}", (&q, &sort, &page, &per_page, &status,)),
        || async move {
            use crate::domain::list::{ListParams, ListQuery};
            use crate::server::services::outbox::{self as service, LIST_SPEC};
            use crate::server::{ui, AppError};

            let state = ui::state()?;
            let principal = ui::principal(&state).await?;
            let params = ListParams {
                q,
                sort,
                page,
                per_page,
                filters: status
                    .map(|s| ("status".to_string(), s))
                    .into_iter()
                    .collect(),
            };
            let query = ListQuery::parse(&params.to_pairs(), &LIST_SPEC, chrono::Utc::now())
                .map_err(|errors| ui::fail(AppError::Invalid(errors)))?;
            service::list_messages(&state.db, &principal, &query)
                .await
                .map_err(ui::fail)
        },
    )
    .await
}

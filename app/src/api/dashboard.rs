use crate::domain::user::DashboardSummary;
use crate::error::ApiError;
use leptos::prelude::*;

#[server(endpoint = "dashboard_summary")]
pub async fn get_dashboard_summary() -> Result<DashboardSummary, ApiError> {
    // Once per page render (see `ui::read_once`).
    crate::server::ui::read_once("get_dashboard_summary".to_string(), || async move {
        use crate::server::services::dashboard;
        use crate::server::ui;

        let state = ui::state()?;
        let principal = ui::principal(&state).await?;
        dashboard::dashboard_summary(&state.db, &principal)
            .await
            .map_err(ui::fail)
    })
    .await
}

use super::services::export::ExportBudget;
use super::{Config, Db};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// The one state shared by the REST routers, the server functions and SSR (leptos_axum provides
/// it as context to every server function).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    /// Who may stream an export right now (see `services::export`).
    pub exports: ExportBudget,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

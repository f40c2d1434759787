//! Liveness and readiness for load balancers and orchestrators.

use crate::error::ApiError;
use crate::server::AppState;
use axum::extract::State;
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// Liveness
///
/// 200 while the process is up.
#[utoipa::path(get, path = "/healthz", tag = "Operations", security(()),
    responses((status = 200, description = "Up", body = Object)))]
async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness
///
/// 200 when the database answers, 503 otherwise.
#[utoipa::path(get, path = "/readyz", tag = "Operations", security(()),
    responses(
        (status = 200, description = "Ready", body = Object),
        (status = 503, description = "The database is unreachable", body = ApiError),
    ))]
async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    json!({ "status": 503, "status_text": "Service Unavailable", "message": "The database is unreachable.", "errors": [] }),
                ),
            )
        }
    }
}

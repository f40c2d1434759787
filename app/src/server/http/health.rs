//! Liveness and readiness for load balancers and orchestrators.

use super::openapi::Endpoint;
use crate::server::AppState;
use axum::extract::State;
use axum::routing::{get, MethodRouter};
use axum::Json;
use http::StatusCode;
use serde_json::{json, Value};

pub fn endpoints() -> Vec<Endpoint> {
    fn healthz_route() -> MethodRouter<AppState> {
        get(healthz)
    }
    fn readyz_route() -> MethodRouter<AppState> {
        get(readyz)
    }
    vec![
        Endpoint::new("get", "/healthz", healthz_route)
            .public()
            .doc("Operations", "Liveness", "200 while the process is up.")
            .response(200, "Up", None),
        Endpoint::new("get", "/readyz", readyz_route)
            .public()
            .doc(
                "Operations",
                "Readiness",
                "200 when the database answers, 503 otherwise.",
            )
            .response(200, "Ready", None)
            .response(503, "The database is unreachable", None),
    ]
}

async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

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

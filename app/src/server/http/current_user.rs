//! `/v2/user/...`: the signed-in user's own resources. So far: their organization.

use super::extract::{IfMatch, JsonBody};
use super::openapi::{data, schema_ref, Endpoint};
use super::organizations::{organization_resource, OrganizationBody};
use crate::server::auth::AuthUser;
use crate::server::services::organizations as service;
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put, MethodRouter};
use axum::Json;
use http::header::ETAG;
use serde_json::json;

pub fn endpoints() -> Vec<Endpoint> {
    fn show_route() -> MethodRouter<AppState> {
        get(show_organization)
    }
    fn update_route() -> MethodRouter<AppState> {
        put(update_organization)
    }
    vec![
        Endpoint::new("get", "/v2/user/organization", show_route)
            .doc("Current user", "Get current organization", "The caller's own organization.")
            .response(200, "The organization", Some(data(schema_ref("Organization")))),
        Endpoint::new("put", "/v2/user/organization", update_route)
            .doc("Current user", "Update current organization", "Admin only; body as seed 001 (`{\"organization\": {...}}`).")
            .body(json!({"type": "object", "properties": {"organization": schema_ref("OrganizationInput")}}))
            .response(200, "Updated (empty object)", Some(json!({"type": "object"}))),
    ]
}

async fn show_organization(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Response, AppError> {
    let organization = service::get_own_organization(&state.db, &principal).await?;
    Ok((
        [(ETAG, organization.etag())],
        Json(json!({ "data": organization_resource(&organization) })),
    )
        .into_response())
}

async fn update_organization(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    IfMatch(expected): IfMatch,
    JsonBody(body): JsonBody<OrganizationBody>,
) -> Result<Response, AppError> {
    let input = body.into_input()?;
    let updated = service::update_own_organization(&state.db, &principal, input, expected).await?;
    Ok(([(ETAG, updated.etag())], Json(json!({}))).into_response())
}

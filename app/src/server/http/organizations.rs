//! `/v2/organizations` (API.md §3; subscriptions come with their own issue).

use super::envelope::{many, one, resource};
use super::extract::{IfMatch, JsonBody, QueryPairs};
use super::openapi::{data, schema_ref, Endpoint};
use crate::domain::list::ListQuery;
use crate::domain::organization::{
    Organization, OrganizationInput, ORGANIZATION_FIELDS, ORGANIZATION_FILTERS, ORGANIZATION_SORTS,
};
use crate::domain::time::format_millis;
use crate::server::auth::AuthUser;
use crate::server::csv;
use crate::server::services::organizations::{self as service, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Json;
use futures::StreamExt;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, LOCATION};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

pub fn endpoints() -> Vec<Endpoint> {
    fn list_route() -> MethodRouter<AppState> {
        get(list)
    }
    fn create_route() -> MethodRouter<AppState> {
        post(create)
    }
    fn export_route() -> MethodRouter<AppState> {
        get(export)
    }
    fn show_route() -> MethodRouter<AppState> {
        get(show)
    }
    fn update_route() -> MethodRouter<AppState> {
        put(update)
    }
    fn delete_route() -> MethodRouter<AppState> {
        delete(destroy)
    }
    let id = |e: Endpoint| {
        e.param(
            "id",
            "path",
            "Organization id",
            json!({"type": "string", "format": "uuid"}),
        )
    };
    let body = json!({"type": "object", "required": ["organization"], "properties": {"organization": schema_ref("OrganizationInput")}});
    vec![
        Endpoint::new("get", "/v2/organizations", list_route)
            .doc("Organizations", "List organizations", "The organizations the caller may see, filtered, sorted and paged.")
            .list_params(&ORGANIZATION_FILTERS, &ORGANIZATION_SORTS)
            .response(200, "A page", Some(json!({"type": "object", "properties": {
                "data": {"type": "array", "items": schema_ref("Organization")}, "meta": schema_ref("PageMeta")}}))),
        Endpoint::new("post", "/v2/organizations", create_route)
            .doc("Organizations", "Create an organization", "Super Admin, or a partner Admin (the new organization becomes their customer).")
            .body(body.clone())
            .response(201, "Created", Some(data(schema_ref("Organization")))),
        Endpoint::new("get", "/v2/organizations/export", export_route)
            .doc("Organizations", "Export organizations", "Every row matching the list's filters and sort, as streamed CSV. Cells that could be read as formulas are prefixed with '.")
            .list_params(&ORGANIZATION_FILTERS, &ORGANIZATION_SORTS)
            .response(200, "text/csv", None),
        id(Endpoint::new("get", "/v2/organizations/{id}", show_route))
            .doc("Organizations", "Retrieve an organization", "With an ETag of its version.")
            .response(200, "The organization", Some(data(schema_ref("Organization"))))
            .response(404, "Missing or not visible to the caller", None),
        id(Endpoint::new("put", "/v2/organizations/{id}", update_route))
            .doc("Organizations", "Update an organization", "Attributes absent from the body are kept. With If-Match, a changed version answers 412 and nothing is written.")
            .param("If-Match", "header", "The ETag from GET (or several, or `*`)", json!({"type": "string", "pattern": "^\\s*(\\*|(W/)?\"[^\"]*\"(\\s*,\\s*(W/)?\"[^\"]*\")*)\\s*$"}))
            .body(body)
            .response(200, "Updated (empty object)", Some(json!({"type": "object"})))
            .response(412, "The organization changed since the ETag", None),
        id(Endpoint::new("delete", "/v2/organizations/{id}", delete_route))
            .doc("Organizations", "Delete an organization", "Super Admin only; 409 while it still has users.")
            .response(204, "Deleted", None)
            .response(409, "It still has users", None),
    ]
}

pub fn organization_resource(organization: &Organization) -> Value {
    resource(&organization.id, "organizations", &organization.attributes)
}

async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Value>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list_organizations(&state.db, &principal, &query).await?;
    Ok(Json(many(
        page.items.iter().map(organization_resource).collect(),
        &page.meta,
    )))
}

#[derive(Deserialize)]
pub struct OrganizationBody {
    pub organization: Option<OrganizationInput>,
}

impl OrganizationBody {
    pub fn into_input(self) -> Result<OrganizationInput, AppError> {
        self.organization.ok_or_else(|| {
            AppError::invalid(
                "organization",
                "is missing (send {\"organization\": {...}})",
            )
        })
    }
}

async fn create(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<OrganizationBody>,
) -> Result<Response, AppError> {
    let created = service::create_organization(&state.db, &principal, body.into_input()?).await?;
    Ok((
        StatusCode::CREATED,
        [
            (LOCATION, format!("/v2/organizations/{}", created.id)),
            (ETAG, created.etag()),
        ],
        Json(one(organization_resource(&created))),
    )
        .into_response())
}

async fn show(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let organization = service::get_organization(&state.db, &principal, &id).await?;
    Ok((
        [(ETAG, organization.etag())],
        Json(one(organization_resource(&organization))),
    )
        .into_response())
}

async fn update(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    JsonBody(body): JsonBody<OrganizationBody>,
) -> Result<Response, AppError> {
    let updated =
        service::update_organization(&state.db, &principal, &id, body.into_input()?, expected)
            .await?;
    Ok(([(ETAG, updated.etag())], Json(json!({}))).into_response())
}

async fn destroy(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    service::delete_organization(&state.db, &principal, &id, expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The CSV header and one row per organization, in `ORGANIZATION_FIELDS` order.
fn csv_header() -> String {
    let mut cells = vec!["id"];
    cells.extend(ORGANIZATION_FIELDS.iter().map(|f| f.key));
    cells.extend([
        "partner_organization_id",
        "users_count",
        "created_at",
        "updated_at",
    ]);
    csv::line(cells)
}

fn csv_row(organization: &Organization) -> String {
    let input = organization.to_input();
    let a = &organization.attributes;
    let users_count = a.users_count.to_string();
    let created_at = format_millis(&a.created_at);
    let updated_at = format_millis(&a.updated_at);
    let mut cells = vec![organization.id.as_str()];
    cells.extend(
        ORGANIZATION_FIELDS
            .iter()
            .map(|f| input.get(f.key).unwrap_or("")),
    );
    cells.extend([
        a.partner_organization_id.as_deref().unwrap_or(""),
        users_count.as_str(),
        created_at.as_str(),
        updated_at.as_str(),
    ]);
    csv::line(cells)
}

async fn export(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let rows = service::export_organizations(&state.db, &state.exports, &principal, &query)
        .await?
        .map(|row| {
            row.map(|organization| csv_row(&organization))
                .map_err(|err| {
                    // Headers are gone by now; the log has the cause and the client sees a cut-off body.
                    let body = err.to_api_error();
                    std::io::Error::other(body.message)
                })
        });
    let body = futures::stream::once(async { Ok::<_, std::io::Error>(csv_header()) }).chain(rows);
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"organizations.csv\"".to_string(),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

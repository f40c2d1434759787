//! `/v2/organizations` (API.md §3; subscriptions come with their own issue).

use super::envelope::{Empty, Many, One, Resource};
use super::extract::{attribute_pairs, IfMatch, JsonBody, QueryPairs};
use super::openapi::{DocumentedList, ListParams};
use crate::domain::list::{ListQuery, ListSpec};
use crate::domain::organization::{
    Organization, OrganizationAttributes, OrganizationInput, ORGANIZATION_FIELDS,
};
use crate::domain::time::format_millis;
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::csv;
use crate::server::services::organizations::{self as service, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG, LOCATION};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(show, update, destroy))
        .routes(routes!(change_user_organization))
}

/// `{"user_id", "organization_id"}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UserMove {
    #[schema(format = Uuid)]
    user_id: String,
    #[schema(format = Uuid)]
    organization_id: String,
}

/// Move a user to another organization
///
/// The same change as `PUT /v2/users/{id}` with `organization_id` (and the same checks: an
/// Admin moves users between the organizations they see; audited). The user's new version is in
/// `ETag`.
#[utoipa::path(put, path = "/v2/organizations/change_user_organization", tag = "Organizations",
    request_body = UserMove,
    responses(
        (status = 200, description = "Moved", body = Empty),
        (status = 404, description = "The user or the organization isn't the caller's to see", body = ApiError),
    ))]
async fn change_user_organization(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<UserMove>,
) -> Result<Response, AppError> {
    use crate::domain::user::UserInput;
    use crate::server::services::precondition::ExpectedVersion;
    use crate::server::services::users;

    let mut input = UserInput::default();
    input.set("organization_id", body.organization_id);
    let moved = users::update_user(
        &state.db,
        &state.config,
        &principal,
        &body.user_id,
        input,
        ExpectedVersion::any(),
    )
    .await?;
    Ok(([(ETAG, moved.etag())], Json(Empty {})).into_response())
}

/// `GET /v2/organizations`' parameters.
pub enum OrganizationList {}

impl DocumentedList for OrganizationList {
    const SPEC: &'static ListSpec = &LIST_SPEC;
}

pub type OrganizationResource = Resource<OrganizationAttributes>;

pub fn organization_resource(organization: &Organization) -> OrganizationResource {
    Resource::new(
        organization.id.as_str(),
        "organizations",
        organization.attributes.clone(),
    )
}

/// List organizations
///
/// The organizations the caller may see, filtered, sorted and paged.
#[utoipa::path(get, path = "/v2/organizations", tag = "Organizations",
    params(ListParams<OrganizationList>),
    responses((status = 200, description = "A page", body = Many<Resource<OrganizationAttributes>>)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Many<OrganizationResource>>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list_organizations(&state.db, &principal, &query).await?;
    Ok(Json(Many {
        data: page.items.iter().map(organization_resource).collect(),
        meta: page.meta,
    }))
}

/// `{"organization": {...}}`: the body of every organization write (seed `001_*`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationBody {
    /// The attributes to write; on an update, absent (or `null`) ones keep their value.
    #[schema(value_type = OrganizationInput)]
    pub(super) organization: Option<Map<String, Value>>,
}

impl OrganizationBody {
    pub fn into_input(self) -> Result<OrganizationInput, AppError> {
        let pairs = attribute_pairs("organization", self.organization, |key| {
            ORGANIZATION_FIELDS.iter().any(|spec| spec.key == key)
        })?;
        Ok(OrganizationInput::from_pairs(&pairs))
    }
}

/// The create body: `OrganizationBody` with the attributes a new organization must have.
pub enum NewOrganizationBody {}

impl utoipa::PartialSchema for NewOrganizationBody {
    fn schema() -> RefOr<Schema> {
        let mut schema = serde_json::to_value(OrganizationInput::schema()).expect("schema");
        schema["required"] = json!(["name", "company_name"]);
        for key in ["name", "company_name"] {
            schema["properties"][key]["type"] = json!("string");
        }
        serde_json::from_value(json!({
            "type": "object",
            "required": ["organization"],
            "additionalProperties": false,
            "properties": { "organization": schema }
        }))
        .expect("a valid schema")
    }
}

impl ToSchema for NewOrganizationBody {}

/// Create an organization
///
/// Super Admin, or a partner Admin (the new organization becomes their customer).
#[utoipa::path(post, path = "/v2/organizations", tag = "Organizations",
    request_body = NewOrganizationBody,
    responses((status = 201, description = "Created", body = One<Resource<OrganizationAttributes>>)))]
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
        Json(One {
            data: organization_resource(&created),
        }),
    )
        .into_response())
}

/// Retrieve an organization
///
/// With an `ETag` of its version.
#[utoipa::path(get, path = "/v2/organizations/{id}", tag = "Organizations",
    params(("id" = String, Path, format = Uuid, description = "Organization id")),
    responses((status = 200, description = "The organization", body = One<Resource<OrganizationAttributes>>)))]
async fn show(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let organization = service::get_organization(&state.db, &principal, &id).await?;
    Ok((
        [(ETAG, organization.etag())],
        Json(One {
            data: organization_resource(&organization),
        }),
    )
        .into_response())
}

/// Update an organization
///
/// Attributes absent from the body are kept. With `If-Match`, a changed version answers 412 and
/// nothing is written; without it, the update applies on top of whatever is current.
#[utoipa::path(put, path = "/v2/organizations/{id}", tag = "Organizations",
    params(("id" = String, Path, format = Uuid, description = "Organization id"), IfMatch),
    request_body = OrganizationBody,
    responses(
        (status = 200, description = "Updated (the new version is in `ETag`)", body = Empty),
        (status = 412, description = "The organization changed since the ETag", body = ApiError),
    ))]
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
    Ok(([(ETAG, updated.etag())], Json(Empty {})).into_response())
}

/// Delete an organization
///
/// Super Admin only; 409 while it still has users.
#[utoipa::path(delete, path = "/v2/organizations/{id}", tag = "Organizations",
    params(("id" = String, Path, format = Uuid, description = "Organization id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "It still has users", body = ApiError),
        (status = 412, description = "The organization changed since the ETag", body = ApiError),
    ))]
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

/// Export organizations
///
/// Every row matching the list's filters and sort, as streamed CSV. Cells that could be read as
/// formulas are prefixed with `'`.
#[utoipa::path(get, path = "/v2/organizations/export", tag = "Organizations",
    params(ListParams<OrganizationList>),
    responses((status = 200, description = "The CSV file", content_type = "text/csv", body = String)))]
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

//! `/v2/users` (API.md §4): the list, export, one user, and whether it can be deleted. Invitations,
//! import and the partner endpoints come in later slices.

use super::envelope::{Empty, Many, One, Resource};
use super::extract::{attribute_pairs, IfMatch, JsonBody, QueryPairs};
use super::openapi::{DocumentedList, ListParams};
use crate::domain::list::{ListQuery, ListSpec};
use crate::domain::time::format_millis;
use crate::domain::user::{
    CanDelete, User, UserAttributes, UserFieldKind, UserInput, LOCALES, USER_FIELDS,
};
use crate::domain::Role;
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::csv;
use crate::server::services::users::{self as service, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::StreamExt;
use http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, ETAG};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(export))
        .routes(routes!(show, update, destroy))
        .routes(routes!(can_delete))
}

/// `GET /v2/users`' parameters.
pub enum UserList {}

impl DocumentedList for UserList {
    const SPEC: &'static ListSpec = &LIST_SPEC;
}

pub type UserResource = Resource<UserAttributes>;

pub fn user_resource(user: &User) -> UserResource {
    Resource::new(user.id.as_str(), "users", user.attributes.clone())
}

/// `{"user": {...}}`: the body of a user write (seed `003_*`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    user: Option<Map<String, Value>>,
}

impl UserBody {
    pub fn into_input(self) -> Result<UserInput, AppError> {
        let pairs = attribute_pairs("user", self.user, |key| {
            USER_FIELDS.iter().any(|spec| spec.key == key)
        })?;
        Ok(UserInput::from_pairs(&pairs))
    }
}

/// The `user` object's schema, from `USER_FIELDS` (the attributes are pairs in the domain, so
/// nothing is derived): each attribute a string, or `null`, which keeps it (absent does too), with
/// the pattern its check accepts.
pub enum UserBodySchema {}

impl utoipa::PartialSchema for UserBodySchema {
    fn schema() -> RefOr<Schema> {
        let text = super::openapi::TEXT_PATTERN;
        let mut properties = Map::new();
        for spec in USER_FIELDS {
            let mut schema = json!({"type": ["string", "null"], "description": spec.label});
            match spec.kind {
                UserFieldKind::Email => {
                    schema["pattern"] = json!(super::openapi::EMAIL_PATTERN);
                    schema["maxLength"] = json!(255);
                }
                UserFieldKind::Username => {
                    schema["pattern"] =
                        json!(r"^[^\S\x1C-\x1F]*[A-Za-z0-9._@+-]{1,64}[^\S\x1C-\x1F]*$");
                }
                UserFieldKind::Role => {
                    let mut roles: Vec<Value> =
                        Role::ALL.iter().map(|r| json!(r.as_str())).collect();
                    roles.push(Value::Null);
                    schema["enum"] = json!(roles);
                }
                UserFieldKind::Organization => {
                    schema["format"] = json!("uuid");
                }
                UserFieldKind::Locale => {
                    let mut locales = vec![""];
                    locales.extend(LOCALES);
                    schema["enum"] = json!(locales);
                }
                UserFieldKind::Timezone => {
                    let mut zones = vec![""];
                    zones.extend(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()));
                    schema["enum"] = json!(zones);
                }
                UserFieldKind::Site => {
                    schema["pattern"] = json!(super::openapi::SITE_PATTERN);
                    schema["maxLength"] = json!(255);
                }
                UserFieldKind::LongText => {
                    schema["pattern"] = json!(text);
                    schema["maxLength"] = json!(2000);
                }
                UserFieldKind::Text => {
                    schema["pattern"] = json!(text);
                    schema["maxLength"] = json!(255);
                }
            }
            properties.insert(spec.key.to_string(), schema);
        }
        serde_json::from_value(json!({
            "type": "object",
            "required": ["user"],
            "additionalProperties": false,
            "properties": {
                "user": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "The attributes to write; absent (or `null`) ones keep their value.",
                    "properties": properties
                }
            }
        }))
        .expect("a valid schema")
    }
}

impl ToSchema for UserBodySchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "UserBody".into()
    }
}

/// List users
///
/// The users the caller may see (Super Admin: all; Admin: their organization's and their
/// customers'; User: themselves), filtered, sorted and paged.
#[utoipa::path(get, path = "/v2/users", tag = "Users",
    params(ListParams<UserList>),
    responses((status = 200, description = "A page", body = Many<Resource<UserAttributes>>)))]
async fn list(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Json<Many<UserResource>>, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let page = service::list_users(&state.db, &principal, &query).await?;
    Ok(Json(Many {
        data: page.items.iter().map(user_resource).collect(),
        meta: page.meta,
    }))
}

/// Retrieve a user
///
/// With an `ETag` of its version.
#[utoipa::path(get, path = "/v2/users/{id}", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses((status = 200, description = "The user", body = One<Resource<UserAttributes>>)))]
async fn show(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = service::get_user(&state.db, &principal, &id).await?;
    Ok((
        [(ETAG, user.etag())],
        Json(One {
            data: user_resource(&user),
        }),
    )
        .into_response())
}

/// Update a user
///
/// The body as seed `003_*`, plus `username` and `role`; absent attributes are kept. Nobody
/// gives a role above their own (403); an organization the caller can't see is a 404; a change
/// that would leave no Super Admin, or an organization with users but no Admin, is a 409.
#[utoipa::path(put, path = "/v2/users/{id}", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id"), IfMatch),
    request_body = UserBodySchema,
    responses(
        (status = 200, description = "Updated (the new version is in `ETag`)", body = Empty),
        (status = 409, description = "The change would strand an organization or the instance", body = ApiError),
        (status = 412, description = "The user changed since the ETag", body = ApiError),
    ))]
async fn update(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Response, AppError> {
    let updated =
        service::update_user(&state.db, &principal, &id, body.into_input()?, expected).await?;
    Ok(([(ETAG, updated.etag())], Json(Empty {})).into_response())
}

/// Delete a user
///
/// Admins delete the users they manage; 409 with the reasons when `can_delete` says no.
#[utoipa::path(delete, path = "/v2/users/{id}", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id"), IfMatch),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "It can't be deleted now (the message says why)", body = ApiError),
        (status = 412, description = "The user changed since the ETag", body = ApiError),
    ))]
async fn destroy(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, AppError> {
    service::delete_user(&state.db, &principal, &id, expected).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Check whether a user can be deleted
///
/// `can_delete` and, when not, every reason: the last Super Admin, the last Admin of an
/// organization with users, a partner with customers, yourself.
#[utoipa::path(get, path = "/v2/users/{id}/can_delete", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses((status = 200, description = "The answer", body = CanDelete)))]
async fn can_delete(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CanDelete>, AppError> {
    Ok(Json(
        service::can_delete_user(&state.db, &principal, &id).await?,
    ))
}

/// The CSV columns: the read model's, flat.
const CSV_HEADER: [&str; 14] = [
    "id",
    "email",
    "username",
    "role",
    "first_name",
    "last_name",
    "organization_id",
    "organization_name",
    "title",
    "phone",
    "locale",
    "timezone",
    "created_at",
    "last_sign_in_at",
];

fn csv_row(user: &User) -> String {
    let a = &user.attributes;
    let created_at = format_millis(&a.created_at);
    let last_sign_in_at = a
        .last_sign_in_at
        .as_ref()
        .map(format_millis)
        .unwrap_or_default();
    csv::line([
        user.id.as_str(),
        &a.email,
        &a.username,
        a.role.as_str(),
        a.first_name.as_deref().unwrap_or(""),
        a.last_name.as_deref().unwrap_or(""),
        &a.organization.id,
        &a.organization.name,
        a.title.as_deref().unwrap_or(""),
        a.phone.as_deref().unwrap_or(""),
        &a.locale,
        &a.timezone,
        &created_at,
        &last_sign_in_at,
    ])
}

/// Export users
///
/// Every user matching the list's filters and sort, as streamed CSV. Cells that could be read as
/// formulas are prefixed with `'`.
#[utoipa::path(get, path = "/v2/users/export", tag = "Users",
    params(ListParams<UserList>),
    responses((status = 200, description = "The CSV file", content_type = "text/csv", body = String)))]
async fn export(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    QueryPairs(pairs): QueryPairs,
) -> Result<Response, AppError> {
    let query =
        ListQuery::parse(&pairs, &LIST_SPEC, chrono::Utc::now()).map_err(AppError::Invalid)?;
    let rows = service::export_users(&state.db, &state.exports, &principal, &query)
        .await?
        .map(|row| {
            row.map(|user| csv_row(&user))
                .map_err(|err| std::io::Error::other(err.to_api_error().message))
        });
    let body =
        futures::stream::once(async { Ok::<_, std::io::Error>(csv::line(CSV_HEADER)) }).chain(rows);
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"users.csv\"".to_string(),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

//! `/v2/users` (API.md §4): the list, create and invite, export, one user, and whether it can be
//! deleted. Import and the partner endpoints come in later slices.

use super::envelope::{Empty, Many, One, Resource};
use super::extract::{attribute_pairs, IfMatch, JsonBody, QueryPairs};
use super::openapi::{DocumentedList, ListParams};
use crate::domain::list::{ListQuery, ListSpec};
use crate::domain::time::format_millis;
use crate::domain::user::ImportReport;
use crate::domain::user::{
    CanDelete, User, UserAttributes, UserFieldKind, UserInput, LOCALES, USER_FIELDS,
};
use crate::domain::Role;
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::csv;
use crate::server::services::user_import;
use crate::server::services::users::{self as service, Onboarding, LIST_SPEC};
use crate::server::{AppError, AppState};
use axum::body::Body;
use axum::extract::{Path, Query, State};
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
        .routes(routes!(list, create))
        .routes(routes!(invite))
        .routes(routes!(resend_confirmation))
        .routes(routes!(export))
        .routes(routes!(import))
        .routes(routes!(show, update, destroy))
        .routes(routes!(can_delete))
        .routes(routes!(make_partner, unmake_partner))
        .routes(routes!(unlock))
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
                    let mut locales: Vec<Value> = vec![json!("")];
                    locales.extend(LOCALES.iter().map(|l| json!(l)));
                    locales.push(Value::Null);
                    schema["enum"] = json!(locales);
                }
                UserFieldKind::Timezone => {
                    let mut zones: Vec<Value> = vec![json!("")];
                    zones.extend(chrono_tz::TZ_VARIANTS.iter().map(|tz| json!(tz.name())));
                    zones.push(Value::Null);
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

/// `{"user": {..., "password"?}}`: a new user (`POST /v2/users`, `POST /v2/users/invite`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub(super) user: Option<Map<String, Value>>,
}

impl NewUserBody {
    /// The attributes and the password, if one was given (only `POST /v2/users` takes one).
    pub(super) fn into_parts(
        self,
        takes_password: bool,
    ) -> Result<(UserInput, Option<String>), AppError> {
        let mut user = self.user;
        let password = match user.as_mut().and_then(|u| u.remove("password")) {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if takes_password => Some(p),
            Some(_) if takes_password => {
                return Err(AppError::invalid("user.password", "must be a string"))
            }
            Some(_) => {
                return Err(AppError::invalid(
                    "user.password",
                    "is chosen by the invitee; create the user with POST /v2/users to set one",
                ))
            }
        };
        let pairs = attribute_pairs("user", user, |key| {
            USER_FIELDS.iter().any(|spec| spec.key == key)
        })?;
        Ok((UserInput::from_pairs(&pairs), password))
    }
}

/// The schema of a new user's body: the update's attributes with `email` required, and for
/// `POST /v2/users` an optional `password`.
pub(super) fn new_user_schema(takes_password: bool) -> RefOr<Schema> {
    let mut schema = serde_json::to_value(<UserBodySchema as utoipa::PartialSchema>::schema())
        .expect("a schema");
    let user = &mut schema["properties"]["user"];
    user["required"] = json!(["email"]);
    user["properties"]["email"]["type"] = json!("string");
    if takes_password {
        user["properties"]["password"] = json!({"type": ["string", "null"], "minLength": 8, "maxLength": 128,
            "description": "Set it and the user can sign in at once; leave it out and they get a confirmation email to choose one."});
    }
    user["description"] = json!("The new user; absent attributes take their defaults (the caller's organization, role User, the email as username).");
    serde_json::from_value(schema).expect("a valid schema")
}

/// `POST /v2/users`' body.
pub enum NewUserBodySchema {}

impl utoipa::PartialSchema for NewUserBodySchema {
    fn schema() -> RefOr<Schema> {
        new_user_schema(true)
    }
}

impl ToSchema for NewUserBodySchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "NewUserBody".into()
    }
}

/// `POST /v2/users/invite`' body: the invitee chooses their password.
pub enum InvitationBodySchema {}

impl utoipa::PartialSchema for InvitationBodySchema {
    fn schema() -> RefOr<Schema> {
        new_user_schema(false)
    }
}

impl ToSchema for InvitationBodySchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "InvitationBody".into()
    }
}

/// Create a user
///
/// In an organization the caller manages, with a role no higher than theirs. With a `password`
/// the user can sign in at once; without one they get a confirmation email (`/confirm/{token}`)
/// to choose it.
#[utoipa::path(post, path = "/v2/users", tag = "Users",
    request_body = NewUserBodySchema,
    responses(
        (status = 201, description = "Created", body = One<Resource<UserAttributes>>),
        (status = 404, description = "The organization doesn't exist or isn't the caller's to see", body = ApiError),
    ))]
async fn create(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<NewUserBody>,
) -> Result<Response, AppError> {
    let (input, password) = body.into_parts(true)?;
    let user = service::create_user(
        &state.db,
        &state.config,
        &principal,
        input,
        password.as_deref(),
        Onboarding::Create,
    )
    .await?;
    Ok(created(&user))
}

fn created(user: &User) -> Response {
    (
        StatusCode::CREATED,
        [(ETAG, user.etag())],
        Json(One {
            data: user_resource(user),
        }),
    )
        .into_response()
}

/// Invite a user
///
/// `{"user": {"email", "role", "organization_id"?, "first_name"?, "last_name"?}}` (any other
/// user attribute too). The invitee gets an email whose link (`/invitation/{token}`, valid 7 days,
/// once) lets them choose a password and signs them in.
#[utoipa::path(post, path = "/v2/users/invite", tag = "Users",
    request_body = InvitationBodySchema,
    responses(
        (status = 201, description = "Invited (the user exists, unconfirmed)", body = One<Resource<UserAttributes>>),
        (status = 404, description = "The organization doesn't exist or isn't the caller's to see", body = ApiError),
    ))]
async fn invite(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    JsonBody(body): JsonBody<NewUserBody>,
) -> Result<Response, AppError> {
    let (input, _) = body.into_parts(false)?;
    let user = service::create_user(
        &state.db,
        &state.config,
        &principal,
        input,
        None,
        Onboarding::Invite,
    )
    .await?;
    Ok(created(&user))
}

/// Resend the confirmation
///
/// A new link for a user who hasn't confirmed yet (their invitation again, when they were
/// invited); the previous link stops working. 409 when they have confirmed already.
#[utoipa::path(post, path = "/v2/users/{id}/resend_confirmation", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses(
        (status = 202, description = "A new email is on its way", body = Empty),
        (status = 409, description = "Already confirmed", body = ApiError),
    ))]
async fn resend_confirmation(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    service::resend_confirmation(&state.db, &state.config, &principal, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(Empty {})).into_response())
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
    let updated = service::update_user(
        &state.db,
        &state.config,
        &principal,
        &id,
        body.into_input()?,
        expected,
    )
    .await?;
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

/// Unlock a user
///
/// Lets a user locked by repeated failed sign-ins sign in again before the lock runs out, and
/// starts their count of failures from zero. For an Admin who manages them, or a Super Admin.
/// A user who isn't locked stays as they are (200 all the same). Audited as `user.unlock`.
#[utoipa::path(put, path = "/v2/users/{id}/unlock", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses(
        (status = 200, description = "They can sign in (the new version is in `ETag`)", body = Empty),
        (status = 403, description = "Not one of the users you manage", body = ApiError),
        (status = 404, description = "No such user, or not one you can see", body = ApiError),
    ))]
async fn unlock(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = service::unlock(&state.db, &principal, &id).await?;
    Ok(([(ETAG, user.etag())], Json(Empty {})).into_response())
}

/// Make a user a partner
///
/// Super Admin only. A partner Admin creates customer organizations; only an Admin can be one
/// (409 otherwise).
#[utoipa::path(put, path = "/v2/users/{id}/partner", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses(
        (status = 200, description = "A partner now (the new version is in `ETag`)", body = Empty),
        (status = 409, description = "Not an Admin", body = ApiError),
    ))]
async fn make_partner(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = service::set_partner(&state.db, &principal, &id, true).await?;
    Ok(([(ETAG, user.etag())], Json(Empty {})).into_response())
}

/// Stop a user being a partner
///
/// Super Admin only. The last partner of an organization with customer organizations stays one
/// until they are handed over (409).
#[utoipa::path(delete, path = "/v2/users/{id}/partner", tag = "Users",
    params(("id" = String, Path, format = Uuid, description = "User id")),
    responses(
        (status = 200, description = "No longer a partner (the new version is in `ETag`)", body = Empty),
        (status = 409, description = "Customers still depend on them", body = ApiError),
    ))]
async fn unmake_partner(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let user = service::set_partner(&state.db, &principal, &id, false).await?;
    Ok(([(ETAG, user.etag())], Json(Empty {})).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check only: answer what would happen, write nothing.
    #[serde(default)]
    dry_run: bool,
}

/// `multipart/form-data` with the file in `file` (and nothing else).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ImportUpload {
    #[schema(format = Binary, content_media_type = "text/csv")]
    file: String,
}

/// Import users
///
/// A CSV (`text/csv` body, or `multipart/form-data` with `file`) whose header names user
/// attributes (`email` required; our export's own columns are accepted, matching is by email). A
/// row whose email belongs to a user the caller manages updates them (not their role or
/// organization); any other row creates an invited user. `dry_run=true` checks only. Every bad
/// row and field is listed at once; a real run with any invalid row writes nothing and answers
/// 422 (the fields are `rows[<line>].<column>`, the header being line 1). Cells that a
/// spreadsheet would run as formulas are refused; our export's `'` guard is taken off.
#[utoipa::path(post, path = "/v2/users/import", tag = "Users",
    params(ImportQuery),
    request_body(content(
        (String = "text/csv"),
        (ImportUpload = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "Imported (or, with `dry_run`, what would be; `errors` lists every bad row)", body = One<ImportReport>),
        (status = 422, description = "A bad header or encoding, or (a real run) invalid rows: nothing was imported", body = ApiError),
    ))]
async fn import(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Query(query): Query<ImportQuery>,
    request: axum::extract::Request,
) -> Result<Json<One<ImportReport>>, AppError> {
    let file = import_file(&state, request).await?;
    let report =
        user_import::import_users(&state.db, &state.config, &principal, &file, query.dry_run)
            .await?;
    if !query.dry_run && !report.errors.is_empty() {
        return Err(AppError::Invalid(
            report
                .errors
                .iter()
                .map(|e| {
                    crate::domain::FieldError::new(
                        format!("rows[{}].{}", e.row, e.field),
                        e.message.clone(),
                    )
                })
                .collect(),
        ));
    }
    Ok(Json(One { data: report }))
}

/// The CSV of an import request: the body itself, or the `file` part of a form upload.
async fn import_file(
    state: &AppState,
    request: axum::extract::Request,
) -> Result<axum::body::Bytes, AppError> {
    use axum::extract::FromRequest;
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    Ok(if content_type.starts_with("multipart/form-data") {
        let mut form = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("The upload can't be read: {e}")))?;
        let mut file = None;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| AppError::BadRequest(format!("The upload can't be read: {e}")))?
        {
            if field.name() == Some("file") {
                file =
                    Some(field.bytes().await.map_err(|e| {
                        AppError::BadRequest(format!("The upload can't be read: {e}"))
                    })?);
            }
        }
        file.ok_or_else(|| AppError::invalid("file", "is missing from the upload"))?
    } else if content_type.starts_with("text/csv") || content_type.starts_with("text/plain") {
        axum::body::to_bytes(request.into_body(), state.config.body_limit)
            .await
            .map_err(|_| AppError::PayloadTooLarge("The file is too large.".into()))?
    } else {
        return Err(AppError::UnsupportedMediaType(
            "Send the CSV as text/csv, or as the `file` of a multipart/form-data upload.".into(),
        ));
    })
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

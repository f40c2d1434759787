//! Notification preferences (API.md §5, seed `000_*`): the signed-in user's four preferences
//! (`/v2/user/preferences/notifications`) and an organization's defaults
//! (`/v2/organizations/{id}/notification_defaults`).

use super::envelope::{One, Resource};
use super::extract::{JsonBody, OptionalJsonBody};
use crate::domain::notification::{
    Channels, ChannelsChange, NotificationDefault, NotificationPreference, PreferenceParams,
    IF_COMPLETED, MAX_SEVERITY, NOTIFICATION_NAMES, WHEN_STATUS,
};
use crate::domain::FieldError;
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::services::notification_preferences::{
    self as service, DefaultChange, PreferenceChange,
};
use crate::server::{AppError, AppState};
use axum::extract::{Path, State};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_mine))
        .routes(routes!(enable))
        .routes(routes!(disable))
        .routes(routes!(show_defaults, update_defaults))
}

/// A preference's attributes: the seed's, plus `channels`, `locked` and `customized`.
#[derive(Serialize, ToSchema)]
pub struct PreferenceAttributes {
    /// One of scan_event, report_event, exception_event, overdue_pci_reminder.
    name: String,
    /// The same as `name` (the seed carries both).
    notification_type: String,
    /// Whether it is on for this user: their own choice, else the organization's default; a
    /// locked default is always on.
    enabled: bool,
    /// Always `null` (the seed's field; no preference has a code).
    code: Option<String>,
    params: PreferenceParams,
    /// Where it arrives (both by default).
    channels: Channels,
    /// The organization keeps it on: disabling it is refused (403).
    locked: bool,
    /// The user chose for themselves rather than following the organization's default.
    customized: bool,
    #[schema(format = DateTime)]
    created_at: String,
    #[schema(format = DateTime)]
    updated_at: String,
}

fn millis(at: &DateTime<Utc>) -> String {
    crate::domain::time::format_millis(at)
}

pub fn preference_resource(p: &NotificationPreference) -> Resource<PreferenceAttributes> {
    Resource::new(
        p.id.clone(),
        "notification_preferences",
        PreferenceAttributes {
            name: p.name.clone(),
            notification_type: p.name.clone(),
            enabled: p.enabled,
            code: None,
            params: p.params.clone(),
            channels: p.channels,
            locked: p.locked,
            customized: p.customized,
            created_at: millis(&p.created_at),
            updated_at: millis(&p.updated_at),
        },
    )
}

/// `{"data": [...]}`.
#[derive(Serialize, ToSchema)]
pub struct PreferenceList {
    data: Vec<Resource<PreferenceAttributes>>,
}

/// The `{name}` of the path: one of the four.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
struct PreferenceName {
    /// scan_event, report_event, exception_event or overdue_pci_reminder.
    #[param(value_type = String, pattern = "^(scan_event|report_event|exception_event|overdue_pci_reminder)$")]
    name: String,
}

/// List my notification preferences
///
/// All four, as they apply to the signed-in user (created on first read, following the
/// organization's defaults).
#[utoipa::path(get, path = "/v2/user/preferences/notifications", tag = "Notification preferences",
    responses((status = 200, description = "The four preferences", body = PreferenceList)))]
async fn list_mine(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
) -> Result<Json<PreferenceList>, AppError> {
    let preferences = service::list_mine(&state.db, &principal).await?;
    Ok(Json(PreferenceList {
        data: preferences.iter().map(preference_resource).collect(),
    }))
}

/// The optional body of enable: `{"params"?, "channels"?}` (disable takes `channels` only).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PreferenceBody {
    #[serde(default)]
    params: Option<Value>,
    #[serde(default)]
    channels: Option<Value>,
}

/// `params` as a request writes it: each list optional, only the accepted values.
fn params_schema() -> Value {
    json!({
        "type": ["object", "null"],
        "additionalProperties": false,
        "description": "Narrows which events notify; an empty (or absent) list places no condition.",
        "properties": {
            "when_status": {"type": ["array", "null"], "items": {"type": "string", "enum": WHEN_STATUS}},
            "if_completed": {"type": ["array", "null"], "items": {"type": "string", "enum": IF_COMPLETED}},
            "if_severity": {"type": ["array", "null"], "items": {"type": "integer", "minimum": 0, "maximum": MAX_SEVERITY}},
        }
    })
}

/// `channels` as a request writes it: an absent channel keeps its setting.
fn channels_schema() -> Value {
    json!({
        "type": ["object", "null"],
        "additionalProperties": false,
        "description": "Where it arrives; an absent channel keeps its setting.",
        "properties": {
            "email": {"type": ["boolean", "null"]},
            "in_app": {"type": ["boolean", "null"]},
        }
    })
}

fn schema_of(value: Value) -> RefOr<Schema> {
    serde_json::from_value(value).expect("a valid schema")
}

/// The body of enable.
enum EnableBody {}

impl PartialSchema for EnableBody {
    fn schema() -> RefOr<Schema> {
        schema_of(json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {"params": params_schema(), "channels": channels_schema()}
        }))
    }
}

impl ToSchema for EnableBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "PreferenceEnableBody".into()
    }
}

/// The body of disable: the channels only (params are set with enable).
enum DisableBody {}

impl PartialSchema for DisableBody {
    fn schema() -> RefOr<Schema> {
        schema_of(json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {"channels": channels_schema()}
        }))
    }
}

impl ToSchema for DisableBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "PreferenceDisableBody".into()
    }
}

impl PreferenceBody {
    fn into_change(self, enabled: bool) -> Result<PreferenceChange, AppError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let params = match self.params {
            None | Some(Value::Null) => None,
            Some(value) => PreferenceParams::parse(&value, "params")
                .map_err(|e| errors.extend(e))
                .ok(),
        };
        if params.is_some() && !enabled {
            errors.push(FieldError::new("params", "are set with enable"));
        }
        let channels = match self.channels {
            None | Some(Value::Null) => None,
            Some(value) => ChannelsChange::parse(&value)
                .map_err(|e| errors.extend(e))
                .ok(),
        };
        if errors.is_empty() {
            Ok(PreferenceChange {
                enabled: Some(enabled),
                params,
                channels,
            })
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

async fn set(
    state: &AppState,
    principal: &crate::server::auth::Principal,
    name: &str,
    body: PreferenceBody,
    enabled: bool,
) -> Result<Json<One<Resource<PreferenceAttributes>>>, AppError> {
    service::check_name(name)?;
    let change = body.into_change(enabled)?;
    let saved = service::set_mine(&state.db, principal, name, change).await?;
    Ok(Json(One {
        data: preference_resource(&saved),
    }))
}

/// Enable a notification preference
///
/// The body is optional: `{"params": {"when_status": [...], "if_completed": [...],
/// "if_severity": [...]}}` narrows which events notify (an empty list places no condition), and
/// `{"channels": {"email": bool, "in_app": bool}}` chooses where they arrive. Absent parts keep
/// their value.
#[utoipa::path(put, path = "/v2/user/preferences/notifications/{name}/enable", tag = "Notification preferences",
    params(PreferenceName),
    request_body(content = Option<EnableBody>, description = "Optional"),
    responses((status = 200, description = "The preference", body = One<Resource<PreferenceAttributes>>)))]
async fn enable(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(PreferenceName { name }): Path<PreferenceName>,
    OptionalJsonBody(body): OptionalJsonBody<PreferenceBody>,
) -> Result<Json<One<Resource<PreferenceAttributes>>>, AppError> {
    set(&state, &principal, &name, body, true).await
}

/// Disable a notification preference
///
/// Refused (403) when the organization has locked it on. The body is optional (`channels` only).
#[utoipa::path(put, path = "/v2/user/preferences/notifications/{name}/disable", tag = "Notification preferences",
    params(PreferenceName),
    request_body(content = Option<DisableBody>, description = "Optional"),
    responses(
        (status = 200, description = "The preference", body = One<Resource<PreferenceAttributes>>),
        (status = 403, description = "The organization keeps it on", body = ApiError),
    ))]
async fn disable(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(PreferenceName { name }): Path<PreferenceName>,
    OptionalJsonBody(body): OptionalJsonBody<PreferenceBody>,
) -> Result<Json<One<Resource<PreferenceAttributes>>>, AppError> {
    set(&state, &principal, &name, body, false).await
}

/// `{"data": [...]}`: an organization's four defaults.
#[derive(Serialize, ToSchema)]
struct DefaultList {
    data: Vec<NotificationDefault>,
}

/// `{"notification_defaults": {"<name>": {"enabled"?, "params"?, "locked"?}, ...}}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DefaultsBody {
    notification_defaults: Map<String, Value>,
}

/// The defaults body's schema: by name, names left out keep their default.
enum DefaultsBodySchema {}

impl PartialSchema for DefaultsBodySchema {
    fn schema() -> RefOr<Schema> {
        let one = json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "enabled": {"type": ["boolean", "null"]},
                "locked": {"type": ["boolean", "null"], "description": "Users can't turn it off."},
                "params": params_schema(),
            }
        });
        let by_name: Map<String, Value> = NOTIFICATION_NAMES
            .iter()
            .map(|name| (name.to_string(), one.clone()))
            .collect();
        schema_of(json!({
            "type": "object",
            "required": ["notification_defaults"],
            "additionalProperties": false,
            "properties": {
                "notification_defaults": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "By name; names left out keep their default, absent attributes theirs.",
                    "properties": by_name,
                }
            }
        }))
    }
}

impl ToSchema for DefaultsBodySchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "NotificationDefaultsBody".into()
    }
}

impl DefaultsBody {
    fn into_changes(self) -> Result<Vec<(String, DefaultChange)>, AppError> {
        let mut changes = Vec::new();
        let mut errors = Vec::new();
        for (name, value) in self.notification_defaults {
            let field = format!("notification_defaults.{name}");
            if !NOTIFICATION_NAMES.contains(&name.as_str()) {
                errors.push(FieldError::new(
                    field,
                    format!("is not a preference ({})", NOTIFICATION_NAMES.join(", ")),
                ));
                continue;
            }
            let Some(object) = value.as_object() else {
                errors.push(FieldError::new(field, "must be an object"));
                continue;
            };
            let mut change = DefaultChange::default();
            for (key, v) in object {
                let field = format!("{field}.{key}");
                match (key.as_str(), v) {
                    (_, Value::Null) => {}
                    ("enabled", Value::Bool(on)) => change.enabled = Some(*on),
                    ("locked", Value::Bool(on)) => change.locked = Some(*on),
                    ("enabled" | "locked", _) => {
                        errors.push(FieldError::new(field, "must be true or false"))
                    }
                    ("params", v) => match PreferenceParams::parse(v, &field) {
                        Ok(params) => change.params = Some(params),
                        Err(e) => errors.extend(e),
                    },
                    _ => errors.push(FieldError::new(
                        field,
                        "is not a default's attribute (enabled, params, locked)",
                    )),
                }
            }
            changes.push((name, change));
        }
        if errors.is_empty() {
            Ok(changes)
        } else {
            Err(AppError::Invalid(errors))
        }
    }
}

/// Get an organization's notification defaults
///
/// What its users without a choice of their own get; a `locked` default is on for everyone.
/// Its Admins, its partner's Admins and Super Admins.
#[utoipa::path(get, path = "/v2/organizations/{id}/notification_defaults", tag = "Notification preferences",
    params(("id" = String, Path, format = Uuid, description = "Organization id")),
    responses((status = 200, description = "The four defaults", body = DefaultList)))]
async fn show_defaults(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<DefaultList>, AppError> {
    let data = service::get_defaults(&state.db, &principal, &id).await?;
    Ok(Json(DefaultList { data }))
}

/// Set an organization's notification defaults
///
/// `{"notification_defaults": {"scan_event": {"enabled": true, "params": {...}, "locked": false}}}`:
/// the named defaults change (absent attributes keep theirs), the others stay. Users who chose for
/// themselves keep their choice, except that a locked default is on for everyone.
#[utoipa::path(put, path = "/v2/organizations/{id}/notification_defaults", tag = "Notification preferences",
    params(("id" = String, Path, format = Uuid, description = "Organization id")),
    request_body = DefaultsBodySchema,
    responses((status = 200, description = "The four defaults", body = DefaultList)))]
async fn update_defaults(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DefaultsBody>,
) -> Result<Json<DefaultList>, AppError> {
    let changes = body.into_changes()?;
    let data = service::set_defaults(&state.db, &principal, &id, changes).await?;
    Ok(Json(DefaultList { data }))
}

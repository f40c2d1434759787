//! `POST /v2/events` (API.md §5): an event fans out to every user of its organization whose
//! preference matches, as in-app notifications and emails.

use super::extract::JsonBody;
use crate::domain::event::NewEvent;
use crate::domain::notification::{IF_COMPLETED, MAX_SEVERITY, NOTIFICATION_NAMES, WHEN_STATUS};
use crate::error::ApiError;
use crate::server::auth::AuthUser;
use crate::server::services::events::{self as service, IDEMPOTENCY_KEY};
use crate::server::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_event))
}

/// `{"event": {...}}` as the API documents it (the handler checks it field by field, to name
/// every bad one at once).
enum EventBody {}

impl PartialSchema for EventBody {
    fn schema() -> RefOr<Schema> {
        serde_json::from_value(json!({
            "type": "object",
            "required": ["event"],
            "additionalProperties": false,
            "properties": {"event": {
                "type": "object",
                "required": ["type", "organization_id", "title"],
                "additionalProperties": false,
                "properties": {
                    "type": {"type": "string", "enum": NOTIFICATION_NAMES},
                    "organization_id": {"type": "string", "format": "uuid"},
                    "status": {"type": ["string", "null"], "enum": [WHEN_STATUS[0], WHEN_STATUS[1], WHEN_STATUS[2], WHEN_STATUS[3], null]},
                    "result": {"type": ["string", "null"], "enum": [IF_COMPLETED[0], IF_COMPLETED[1], null]},
                    "severity": {"type": ["integer", "null"], "minimum": 0, "maximum": MAX_SEVERITY},
                    "title": {"type": "string", "minLength": 1, "maxLength": crate::domain::event::TITLE_MAX,
                        "pattern": "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"},
                    "url": {"type": ["string", "null"], "maxLength": 2000,
                        "pattern": "^(|/([^/\\\\\\s\\x00-\\x1F\\x7F-\\x9F][^\\\\\\s\\x00-\\x1F\\x7F-\\x9F]*)?|https?://[A-Za-z0-9-]+([.][A-Za-z0-9-]+)+(:[0-9]{1,5})?([/?#][^\\s\\x00-\\x1F\\x7F-\\x9F]*)?)$",
                        "description": "An http(s) URL, or a path of this site starting with /"}
                }
            }}
        }))
        .expect("a valid schema")
    }
}

impl ToSchema for EventBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "EventBody".into()
    }
}

/// `{"id", "recipients"}`.
#[derive(Serialize, ToSchema)]
pub struct EventPosted {
    #[schema(format = Uuid)]
    id: String,
    /// Users who got an in-app notification, an email or both.
    recipients: u64,
}

/// `{"data": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct EventAccepted {
    data: EventPosted,
}

/// Post an event
///
/// Every confirmed user of the organization whose preference of that type is on (their own
/// choice, else the organization's default; a locked default is on) and whose params match
/// (each non-empty list contains the event's value) gets an in-app notification and an email,
/// on the channels their preference chooses. Admins of the organization (or of its partner) and
/// Super Admins. The notifications and emails are stored before the answer.
///
/// With an `Idempotency-Key` header, a retry with the same key and body answers the first 202
/// again (with `Idempotent-Replayed: true`) and creates nothing; the same key with another body
/// is a 422.
#[utoipa::path(post, path = "/v2/events", tag = "Events",
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,255}$", description = "Makes a retry create nothing twice (1–255 visible ASCII characters)")),
    request_body = EventBody,
    responses(
        (status = 202, description = "Stored for delivery", body = EventAccepted),
        (status = 403, description = "Not an administrator of the organization", body = ApiError),
        (status = 404, description = "No such organization (or not yours to see)", body = ApiError),
    ))]
async fn post_event(
    State(state): State<AppState>,
    AuthUser(principal): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, AppError> {
    let event = NewEvent::parse(&body).map_err(AppError::Invalid)?;
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| {
                    AppError::invalid(IDEMPOTENCY_KEY, "must be visible ASCII characters")
                })?
                .to_string(),
        ),
    };
    let posted = service::post(&state.db, &state.config, &principal, event, key.as_deref()).await?;
    let replayed = posted.replayed;
    let mut response = (
        StatusCode::ACCEPTED,
        Json(EventAccepted {
            data: EventPosted {
                id: posted.id,
                recipients: posted.recipients,
            },
        }),
    )
        .into_response();
    if replayed {
        response.headers_mut().insert(
            HeaderName::from_static("idempotent-replayed"),
            HeaderValue::from_static("true"),
        );
    }
    Ok(response)
}

//! Extractors whose failures are the error body of API.md §1 instead of axum's plain text.

use crate::server::services::precondition::ExpectedVersion;
use crate::server::AppError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use http::request::Parts;
use serde::de::DeserializeOwned;

/// A JSON body. Wrong content type → 415, malformed JSON → 400, wrong shape → 422, too large → 413.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A JSON body that may be left out: no body at all (and no `Content-Type`), or `null`, is
/// `T::default()`; anything else must be a JSON object, checked as `JsonBody` checks it.
pub struct OptionalJsonBody<T>(pub T);

impl<S, T> FromRequest<S> for OptionalJsonBody<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared_length = req
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let has_type = req.headers().contains_key(http::header::CONTENT_TYPE);
        if !has_type && matches!(declared_length, None | Some(0)) {
            let bytes = axum::body::Bytes::from_request(req, state)
                .await
                .map_err(|e| AppError::BadRequest(e.body_text()))?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJsonBody(T::default()));
            }
            return Err(AppError::UnsupportedMediaType(
                "Send the body as JSON with 'Content-Type: application/json'.".into(),
            ));
        }
        // `null` is no body too; anything else must be an object (serde alone would take an
        // array for a struct).
        let JsonBody(value) = JsonBody::<serde_json::Value>::from_request(req, state).await?;
        match value {
            serde_json::Value::Null => Ok(OptionalJsonBody(T::default())),
            serde_json::Value::Object(_) => serde_json::from_value(value)
                .map(OptionalJsonBody)
                .map_err(|e| {
                    AppError::Invalid(vec![crate::domain::FieldError::new("body", e.to_string())])
                }),
            _ => Err(AppError::invalid("body", "must be a JSON object")),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> AppError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType(
            "Send the body as JSON with 'Content-Type: application/json'.".into(),
        ),
        JsonRejection::JsonSyntaxError(e) => {
            AppError::BadRequest(format!("The body is not valid JSON: {}", e.body_text()))
        }
        JsonRejection::JsonDataError(e) => {
            AppError::Invalid(vec![crate::domain::FieldError::new("body", e.body_text())])
        }
        other if other.status() == http::StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge("The request body is too large.".into())
        }
        other => AppError::BadRequest(other.body_text()),
    }
}

/// The attributes of a write's `{"<root>": {...}}` object as pairs, each checked to be a known
/// key with a string (or `null`, which leaves it out) value; every problem is named
/// (`<root>.<key>`). serde's derive alone would take an array for the object and ignore misspelt
/// keys.
pub fn attribute_pairs(
    root: &str,
    object: Option<serde_json::Map<String, serde_json::Value>>,
    known: impl Fn(&str) -> bool,
) -> Result<Vec<(String, String)>, AppError> {
    use serde_json::Value;
    let Some(attributes) = object else {
        return Err(AppError::invalid(
            root,
            format!("is missing (send {{\"{root}\": {{...}}}})"),
        ));
    };
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    for (key, value) in attributes {
        let field = format!("{root}.{key}");
        if !known(&key) {
            errors.push(crate::domain::FieldError::new(
                field,
                format!("is not a {root} attribute"),
            ));
            continue;
        }
        match value {
            Value::String(text) => pairs.push((key, text)),
            Value::Null => {}
            _ => errors.push(crate::domain::FieldError::new(field, "must be a string")),
        }
    }
    if errors.is_empty() {
        Ok(pairs)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// All query parameters in order, as raw pairs for `ListQuery::parse`.
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map(|Query(pairs)| QueryPairs(pairs))
            .map_err(|e: QueryRejection| AppError::BadRequest(e.body_text()))
    }
}

/// `If-Match`: one ETag, a list of them, or `*` (absent: no precondition).
pub struct IfMatch(pub ExpectedVersion);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(http::header::IF_MATCH) else {
            return Ok(IfMatch(ExpectedVersion::any()));
        };
        // Bytes that aren't text can't be a list of ETags either.
        ExpectedVersion::from_if_match(value.to_str().unwrap_or("\u{0}"))
            .map(IfMatch)
            .map_err(|message| AppError::BadRequest(format!("If-Match {message}")))
    }
}

/// `params(IfMatch)` documents the header.
impl utoipa::IntoParams for IfMatch {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        let parameter = serde_json::json!({
            "name": "If-Match",
            "in": "header",
            "required": false,
            "description": "The `ETag` from a read (or several, comma-separated, or `*`): a write to another version answers 412.",
            "schema": {
                "type": "string",
                "pattern": r#"^[ \t]*(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)?[ \t]*$"#
            }
        });
        vec![serde_json::from_value(parameter).expect("a valid parameter")]
    }
}

//! The error body of API.md §1, shared by the REST API and the server functions: the UI receives
//! exactly what an API client would, so it can put each field error next to its field.

use crate::domain::field_error::{summarize, FieldError};
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(as = Error))]
pub struct ApiError {
    pub status: u16,
    pub status_text: String,
    pub message: String,
    #[serde(default)]
    pub errors: Vec<FieldError>,
    /// What a plain HTML form submitted, echoed back so the page can show it again next to the
    /// errors (a form post without JavaScript is answered with a redirect that carries this error).
    /// Never set on REST answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(ignore))]
    pub submitted: Option<Vec<(String, String)>>,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            status_text: status_text(status).to_string(),
            message: message.into(),
            errors: Vec::new(),
            submitted: None,
        }
    }

    /// A 422 listing every invalid field.
    pub fn invalid(errors: Vec<FieldError>) -> ApiError {
        ApiError {
            message: summarize(&errors),
            errors,
            ..ApiError::new(422, "")
        }
    }

    /// With the values a plain form submitted (see `submitted`).
    pub fn with_submitted(mut self, submitted: Vec<(String, String)>) -> ApiError {
        self.submitted = Some(submitted);
        self
    }

    /// What a failed plain form post had in `key`, to show it again.
    pub fn submitted_value(&self, key: &str) -> Option<String> {
        self.submitted
            .as_ref()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// The message for one field (`organization.name` or plain `name`), if it is invalid.
    pub fn field_message(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field || e.field.rsplit('.').next() == Some(field))
            .map(|e| e.message.clone())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

/// `status_text` by status (API.md §1).
pub fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Record Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Parameter Error",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    }
}

/// Failures of the server-function machinery itself (bad arguments, network) become this body too.
impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m) => ApiError::new(400, m),
            ServerFnErrorErr::Request(m) => {
                ApiError::new(503, format!("The server could not be reached: {m}"))
            }
            other => ApiError::new(500, other.to_string()),
        }
    }
}

//! One error type for the service layer and one place that maps it to a status and the body of
//! API.md §1. A 500 never shows its cause: the log has it, under the request id the body quotes.

use super::request::current_request_id;
use crate::domain::FieldError;
use crate::error::ApiError;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("invalid parameters")]
    Invalid(Vec<FieldError>),
    /// Refused by a rate limit; the client may try again after `retry_after_secs`.
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn not_found(what: &str) -> AppError {
        AppError::NotFound(format!("{what} not found"))
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The wire body. Logs the cause of a 500 (and only then) with the request id.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            AppError::Invalid(errors) => ApiError::invalid(errors.clone()),
            AppError::Database(_) | AppError::Internal(_) => {
                let request_id =
                    current_request_id().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                tracing::error!(request_id = %request_id, error = %self, "request failed");
                ApiError::new(
                    500,
                    format!("Something went wrong on our side. Request id: {request_id}"),
                )
            }
            other => ApiError::new(other.status().as_u16(), other.to_string()),
        }
    }

    /// Unique and foreign-key violations are the client's doing, not ours.
    pub fn from_constraint(err: sqlx::Error, conflict_message: &str) -> AppError {
        match err.as_database_error() {
            Some(db) if db.is_unique_violation() || db.is_foreign_key_violation() => {
                AppError::Conflict(conflict_message.to_string())
            }
            _ => AppError::Database(err),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = api_error_response(self.to_api_error());
        if let AppError::TooManyRequests {
            retry_after_secs, ..
        } = self
        {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, retry_after_secs.into());
        }
        response
    }
}

pub fn api_error_response(body: ApiError) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(body)).into_response()
}

/// The server-function side: set the HTTP status (server functions answer 500 otherwise, see
/// TOOLCHAIN.md) and hand the UI the same body an API client gets. A plain form post (no
/// JavaScript) keeps the redirect back to its page that server_fn prepares, with this error in the
/// URL; a 4xx status there would turn that redirect into a raw JSON page.
pub fn into_server_fn_error(err: AppError) -> ApiError {
    let body = err.to_api_error();
    if super::ui::is_plain_form_post() {
        return body;
    }
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = StatusCode::from_u16(body.status) {
            response.set_status(status);
        }
    }
    body
}

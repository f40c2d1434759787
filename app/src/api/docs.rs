use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One endpoint of the API reference page, read from the OpenAPI document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointDoc {
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub description: String,
    pub authenticated: bool,
    pub parameters: Vec<FieldDoc>,
    /// The JSON body's fields, flattened (`organization.name`); empty without a body.
    pub request: Vec<FieldDoc>,
    pub responses: Vec<ResponseDoc>,
}

/// A parameter or a field of a body: where it goes, what it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDoc {
    pub name: String,
    /// `query`, `path`, `header`, or empty for a body field.
    pub location: String,
    pub required: bool,
    /// `string or null, at most 255 characters`, `one of: name, name:asc, …`.
    pub kind: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResponseDoc {
    pub status: String,
    pub description: String,
    pub content_type: Option<String>,
    /// The body's fields, for successful answers (errors all share the error body).
    pub fields: Vec<FieldDoc>,
}

/// The REST endpoints, read from the OpenAPI document that the router is built with.
#[server(endpoint = "api_reference")]
pub async fn api_reference() -> Result<Vec<EndpointDoc>, ApiError> {
    Ok(crate::server::http::openapi::reference())
}

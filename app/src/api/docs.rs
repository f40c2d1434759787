use crate::error::ApiError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One endpoint of the API reference page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointDoc {
    pub method: String,
    pub path: String,
    pub tag: String,
    pub summary: String,
    pub description: String,
    pub authenticated: bool,
    pub parameters: Vec<(String, String, String)>,
}

/// The REST endpoints, from the same list that builds the router and the OpenAPI document.
#[server(endpoint = "api_reference")]
pub async fn api_reference() -> Result<Vec<EndpointDoc>, ApiError> {
    use crate::server::http::endpoints;

    Ok(endpoints()
        .into_iter()
        .map(|e| EndpointDoc {
            method: e.method.to_uppercase(),
            path: e.path.to_string(),
            tag: e.tag.to_string(),
            summary: e.summary.to_string(),
            description: e.description.to_string(),
            authenticated: e.authenticated,
            parameters: e
                .parameters
                .iter()
                .map(|p| {
                    let text = |key: &str| p[key].as_str().unwrap_or_default().to_string();
                    (text("name"), text("in"), text("description"))
                })
                .collect(),
        })
        .collect())
}

//! The OpenAPI 3.1 document, generated from the same `Endpoint` list that builds the router.

use crate::domain::organization::{FieldKind, ORGANIZATION_FIELDS};
use crate::server::AppState;
use axum::routing::{get, MethodRouter};
use axum::Json;
use serde_json::{json, Map, Value};

/// One REST endpoint: how to route it and how to document it.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub route: fn() -> MethodRouter<AppState>,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub authenticated: bool,
    pub parameters: Vec<Value>,
    pub body: Option<Value>,
    pub responses: Vec<(u16, &'static str, Option<Value>)>,
}

impl Endpoint {
    pub fn new(
        method: &'static str,
        path: &'static str,
        route: fn() -> MethodRouter<AppState>,
    ) -> Endpoint {
        Endpoint {
            method,
            path,
            route,
            tag: "",
            summary: "",
            description: "",
            authenticated: true,
            parameters: Vec::new(),
            body: None,
            responses: Vec::new(),
        }
    }

    pub fn doc(
        mut self,
        tag: &'static str,
        summary: &'static str,
        description: &'static str,
    ) -> Self {
        self.tag = tag;
        self.summary = summary;
        self.description = description;
        self
    }

    pub fn public(mut self) -> Self {
        self.authenticated = false;
        self
    }

    pub fn param(mut self, name: &str, location: &str, description: &str, schema: Value) -> Self {
        self.parameters.push(json!({
            "name": name, "in": location, "description": description,
            "required": location == "path", "schema": schema
        }));
        self
    }

    pub fn body(mut self, schema: Value) -> Self {
        self.body = Some(schema);
        self
    }

    pub fn response(
        mut self,
        status: u16,
        description: &'static str,
        schema: Option<Value>,
    ) -> Self {
        self.responses.push((status, description, schema));
        self
    }

    /// The list parameters of API.md §1.
    pub fn list_params(self, filters: &[&str], sorts: &[&str]) -> Self {
        let mut endpoint = self
            .param(
                "page",
                "query",
                "Page number, from 1.",
                json!({"type": "integer", "minimum": 1, "default": 1}),
            )
            .param(
                "per_page",
                "query",
                "Rows per page.",
                json!({"type": "integer", "minimum": 1, "maximum": 100, "default": 25}),
            )
            .param(
                "sort_by",
                "query",
                &format!(
                    "`field`, `field:asc` or `field:desc`; fields: {}.",
                    sorts.join(", ")
                ),
                json!({"type": "string"}),
            )
            .param(
                "q",
                "query",
                "Substring of the name (the UI's search box).",
                json!({"type": "string"}),
            )
            .param(
                "date_range_start",
                "query",
                "created_at from, `YYYY-MM-DD hh:mm:ss` UTC.",
                json!({"type": "string"}),
            )
            .param(
                "date_range_end",
                "query",
                "created_at until, `YYYY-MM-DD hh:mm:ss` UTC.",
                json!({"type": "string"}),
            )
            .param(
                "relative_date_range",
                "query",
                "`<n><unit>` (s, m, h, d, M, y, q) or `1q2020`.",
                json!({"type": "string"}),
            );
        for filter in filters {
            endpoint = endpoint.param(
                &format!("q[{filter}]"),
                "query",
                "Case-insensitive; `*` is a wildcard, otherwise exact.",
                json!({"type": "string"}),
            );
        }
        endpoint
    }
}

pub fn endpoint() -> Endpoint {
    fn route() -> MethodRouter<AppState> {
        get(openapi_json)
    }
    Endpoint::new("get", "/v2/openapi.json", route)
        .public()
        .doc(
            "Meta",
            "This document",
            "The OpenAPI 3.1 description of every endpoint.",
        )
        .response(200, "The document", Some(json!({"type": "object"})))
}

async fn openapi_json() -> Json<Value> {
    Json(document())
}

fn status_text(status: u16) -> &'static str {
    crate::error::status_text(status)
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for endpoint in super::endpoints() {
        let path = paths
            .entry(endpoint.path.to_string())
            .or_insert_with(|| json!({}));
        let mut responses = Map::new();
        for (status, description, schema) in &endpoint.responses {
            let mut response = json!({ "description": description });
            if let Some(schema) = schema {
                response["content"] = json!({ "application/json": { "schema": schema } });
            }
            responses.insert(status.to_string(), response);
        }
        // The error statuses every endpoint of its kind can answer, whatever it documents itself:
        // a record in the path may not exist (or be another tenant's), a body may not be JSON.
        let mut errors = vec![400, 422, 500];
        if endpoint.authenticated {
            errors.extend([401, 403]);
        }
        if endpoint.path.contains('{') {
            errors.push(404);
        }
        if endpoint.body.is_some() {
            errors.extend([413, 415]);
        }
        for status in errors {
            responses.entry(status.to_string()).or_insert_with(|| {
                json!({
                    "description": status_text(status),
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                })
            });
        }
        let mut operation = json!({
            "tags": [endpoint.tag],
            "summary": endpoint.summary,
            "description": endpoint.description,
            "operationId": format!("{}_{}", endpoint.method, endpoint.path.trim_start_matches('/').replace(['/', '{', '}', '.'], "_")),
            "parameters": endpoint.parameters,
            "responses": responses,
        });
        if let Some(body) = &endpoint.body {
            operation["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": body } } });
        }
        if !endpoint.authenticated {
            operation["security"] = json!([]);
        }
        path[endpoint.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Steward API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Organizations, users and notification preferences (the identity half of CG Scanning API V2)."
        },
        "servers": [{ "url": "/" }],
        "security": [{ "bearer": [] }, { "accessToken": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A session token from POST /auth/sign_in." },
                "accessToken": { "type": "http", "scheme": "basic", "description": "`Authorization: Basic <personal access token>` (the raw token)." },
                "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-KEY", "description": "Required too when the instance is configured with an API key." }
            },
            "schemas": {
                "Error": error_schema(),
                "OrganizationInput": organization_input_schema(),
                "Organization": organization_schema(),
                "PageMeta": {
                    "type": "object",
                    "properties": {
                        "page": {"type": "integer"}, "per_page": {"type": "integer"},
                        "total_count": {"type": "integer"}, "total_pages": {"type": "integer"}
                    }
                }
            }
        }
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["status", "status_text", "message", "errors"],
        "properties": {
            "status": {"type": "integer", "example": 422},
            "status_text": {"type": "string", "example": "Parameter Error"},
            "message": {"type": "string", "example": "Name can't be blank"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "field": {"type": "string", "example": "organization.name"},
                "message": {"type": "string", "example": "can't be blank"}
            }}}
        }
    })
}

fn organization_input_schema() -> Value {
    let mut properties = Map::new();
    for spec in ORGANIZATION_FIELDS {
        let mut schema = json!({"type": "string", "description": spec.label});
        match spec.kind {
            FieldKind::Email => schema["format"] = json!("email"),
            FieldKind::Url => schema["format"] = json!("uri"),
            FieldKind::LongText => schema["maxLength"] = json!(2000),
            _ => schema["maxLength"] = json!(255),
        }
        properties.insert(spec.key.to_string(), schema);
    }
    json!({"type": "object", "properties": properties})
}

fn organization_schema() -> Value {
    let mut attributes = organization_input_schema();
    let props = &mut attributes["properties"];
    // A stored organization answers `null` for an attribute it doesn't have.
    for spec in ORGANIZATION_FIELDS {
        if spec.kind != FieldKind::Required {
            props[spec.key]["type"] = json!(["string", "null"]);
        }
    }
    props["partner_organization_id"] = json!({"type": ["string", "null"], "format": "uuid"});
    props["users_count"] = json!({"type": "integer"});
    props["created_at"] = json!({"type": "string", "format": "date-time"});
    props["updated_at"] = json!({"type": "string", "format": "date-time"});
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"const": "organizations"},
            "attributes": attributes
        }
    })
}

/// `{"data": <schema>}`.
pub fn data(schema: Value) -> Value {
    json!({"type": "object", "properties": {"data": schema}})
}

pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

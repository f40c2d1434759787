//! The OpenAPI 3.1 document. Every handler carries its own `#[utoipa::path]`, and every resource
//! module's `routes()` registers its handlers on a `utoipa_axum` router, which routes them and
//! collects their documentation in one step: the router and the document are built from the same
//! list (`super::api_routes`), so they can't drift apart. Schemas are derived from the domain types.
//!
//! `finish` then adds what no single handler owns: the error statuses every operation of a kind
//! can answer, operation ids, the security schemes and the document's header.

use crate::api::docs::{EndpointDoc, FieldDoc, ResponseDoc};
use crate::domain::list::{ListSpec, DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, MAX_SEARCH_LENGTH};
use crate::error::ApiError;
use axum::Json;
use serde_json::{json, Map, Value};
use std::sync::LazyLock;
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::IntoParams;

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| finish(super::documentation()));

/// The whole document, built once.
pub fn document() -> &'static Value {
    &DOCUMENT
}

/// This document
///
/// The OpenAPI 3.1 description of every endpoint.
#[utoipa::path(get, path = "/v2/openapi.json", tag = "Meta", security(()),
    responses((status = 200, description = "The document", content_type = "application/json", body = Object)))]
pub async fn openapi_json() -> Json<&'static Value> {
    Json(document())
}

/// A collection whose list parameters (API.md §1) a `#[utoipa::path]` documents with
/// `params(ListParams<Its>)`.
pub trait DocumentedList {
    const SPEC: &'static ListSpec;

    /// Whether the list has the search box's `q` (a list without text to search answers 422).
    const SEARCHABLE: bool = true;

    /// The schema of a `q[<filter>]` whose values are fewer than any text (`true`/`false`).
    fn filter_schema(_filter: &str) -> Option<Value> {
        None
    }
}

pub struct ListParams<L>(std::marker::PhantomData<L>);

impl<L: DocumentedList> IntoParams for ListParams<L> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        list_params(L::SPEC, L::filter_schema)
            .into_iter()
            .filter(|param| L::SEARCHABLE || param["name"] != "q")
            .map(|param| serde_json::from_value(param).expect("a valid parameter"))
            .collect()
    }
}

/// What `text::optional` accepts: no control characters but tab and newline inside, white space
/// trimmed at the ends. (The organization schema, derived, spells the same patterns out.)
pub const TEXT_PATTERN: &str = r"^[^\S\x1C-\x1F]*([^\s\x00-\x1F\x7F-\x9F]([^\x00-\x08\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F])?)?[^\S\x1C-\x1F]*$";
/// What `text::optional_email` accepts (the empty string clears).
pub const EMAIL_PATTERN: &str = r"^[^\S\x1C-\x1F]*[^\s@\x00-\x1F\x7F-\x9F]+@[A-Za-z0-9-][A-Za-z0-9.-]*[.][A-Za-z0-9.-]*[A-Za-z0-9-][^\S\x1C-\x1F]*$";
/// What `text::optional_site` accepts: a URL or a bare host name, with an optional path.
pub const SITE_PATTERN: &str = r"^[^\S\x1C-\x1F]*((https?://)?([^\s/?#@:\x00-\x1F\x7F-\x9F]*@)?([A-Za-z0-9-]+[.])+[A-Za-z0-9-]+(:[0-9]*)?([/?#][^\s\x00-\x1F\x7F-\x9F]*)?)?[^\S\x1C-\x1F]*$";

/// What a `can't be blank` check accepts: something besides white space, and no control
/// characters (PostgreSQL can't even compare a NUL; the checks refuse them).
pub const NON_BLANK_PATTERN: &str =
    r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$";

/// The schema of a field its check refuses when blank (`#[schema(schema_with = non_blank)]`).
pub fn non_blank() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some(NON_BLANK_PATTERN))
        .build()
}

/// Leading or trailing white space the parsers trim (Python's and JavaScript's `\s` also match
/// U+001C..U+001F, which Rust doesn't trim).
const TRIMMED: &str = r"[^\S\x1C-\x1F]*";

/// The parameters, with patterns as strict as `ListQuery::parse` (or stricter), so that a client
/// that follows the document is never refused.
fn list_params(spec: &ListSpec, filter_schema: fn(&str) -> Option<Value>) -> Vec<Value> {
    let param = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema });
    let searchable = json!({
        "type": "string",
        "maxLength": MAX_SEARCH_LENGTH,
        "pattern": r"^[^\x00-\x1F\x7F-\x9F]*$"
    });
    let sorts: Vec<String> = spec
        .sorts
        .iter()
        .flat_map(|field| {
            [
                field.to_string(),
                format!("{field}:asc"),
                format!("{field}:desc"),
            ]
        })
        .collect();
    // Empty is the default order (what a GET form with an unset sort sends).
    let sorts: Vec<String> = std::iter::once(String::new()).chain(sorts).collect();
    let date = format!(
        "^{TRIMMED}([1-9][0-9]{{3}}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])([ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])?)?{TRIMMED}$"
    );
    let relative = format!(
        "^{TRIMMED}([1-9][0-9]{{0,2}}[smhdMyq]|[1-4]q(19[7-9][0-9]|[2-9][0-9]{{3}}))?{TRIMMED}$"
    );
    let mut params = vec![
        param("page", "Page number, from 1.", json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})),
        param("per_page", "Rows per page.", json!({"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE})),
        param(
            "sort_by",
            &format!("`field`, `field:asc` or `field:desc`; fields: {}. Default: `{}`.", spec.sorts.join(", "), spec.default_sort),
            json!({"type": "string", "enum": sorts}),
        ),
        param("q", "A substring of the name (the UI's search box), any case.", searchable.clone()),
        param("date_range_start", "`created_at` from, `YYYY-MM-DD hh:mm:ss` UTC (or a bare date).", json!({"type": "string", "pattern": date})),
        param("date_range_end", "`created_at` until, `YYYY-MM-DD hh:mm:ss` UTC (a range that ends before it starts matches nothing).", json!({"type": "string", "pattern": date})),
        param("relative_date_range", "The last `<n><unit>` (s, m, h, d, M, q, y), or a quarter: `1q2020`.", json!({"type": "string", "pattern": relative})),
    ];
    for filter in spec.filters {
        params.push(param(
            &format!("q[{filter}]"),
            "Any case; `*` is a wildcard (`acme*`, `*@example.com`), otherwise the whole value.",
            filter_schema(filter).unwrap_or_else(|| searchable.clone()),
        ));
    }
    params
}

fn finish(api: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).expect("the OpenAPI document serializes");
    let paths = doc["paths"].as_object_mut().expect("paths");
    // API.md §1: the authentication endpoints answer under `/v2/auth` too.
    let aliases: Vec<(String, Value)> = paths
        .iter()
        .filter(|(path, _)| path.starts_with("/auth/"))
        .map(|(path, item)| (format!("/v2{path}"), item.clone()))
        .collect();
    paths.extend(aliases);
    for (path, item) in paths.iter_mut() {
        let has_path_params = path.contains('{');
        // ZITADEL's API answers ZITADEL's error body (and may name an organization in a header).
        let zitadel = path.starts_with("/management/") || path.starts_with("/admin/");
        let error_schema = if zitadel {
            "#/components/schemas/ZitadelError"
        } else {
            "#/components/schemas/Error"
        };
        for (method, operation) in item.as_object_mut().expect("path item") {
            let public = operation["security"] == json!([{}]);
            if public {
                // utoipa writes `security(())` as "anonymous allowed"; these need nothing at all.
                operation["security"] = json!([]);
            }
            operation["operationId"] = json!(format!(
                "{method}_{}",
                path.trim_start_matches('/')
                    .replace(['/', '{', '}', '.'], "_")
            ));
            let has_body = operation.get("requestBody").is_some();
            let responses = operation["responses"].as_object_mut().expect("responses");
            // The error statuses every operation of its kind can answer, whatever it documents
            // itself: a record in the path may not exist (or be another tenant's), a body may
            // be too large or not JSON.
            let mut errors = if zitadel {
                vec![400, 404, 500]
            } else {
                vec![400, 422, 500]
            };
            if !public {
                errors.extend([401, 403]);
            }
            if has_path_params && !zitadel {
                errors.push(404);
            }
            if has_body {
                errors.push(413);
                if !zitadel {
                    errors.push(415);
                }
            }
            for status in errors {
                let response = responses
                    .entry(status.to_string())
                    .or_insert_with(|| json!({ "description": crate::error::status_text(status) }));
                if response.get("content").is_none() {
                    response["content"] =
                        json!({ "application/json": { "schema": { "$ref": error_schema } } });
                }
            }
        }
    }
    doc["openapi"] = json!("3.1.0");
    doc["info"] = json!({
        "title": "Steward API",
        "version": env!("CARGO_PKG_VERSION"),
        "description": "Organizations, users and notification preferences (the identity half of CG Scanning API V2)."
    });
    doc["servers"] = json!([{ "url": "/" }]);
    doc["security"] = json!([{ "bearer": [] }, { "accessToken": [] }]);
    let components = doc
        .as_object_mut()
        .expect("document")
        .entry("components")
        .or_insert_with(|| json!({}));
    components["securitySchemes"] = json!({
        "bearer": { "type": "http", "scheme": "bearer", "description": "A session token from `POST /auth/sign_in`." },
        "accessToken": { "type": "http", "scheme": "basic", "description": "`Authorization: Basic <personal access token>` (the raw token)." },
        "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-KEY", "description": "Required too when the instance is configured with an API key." }
    });
    let schemas = components
        .as_object_mut()
        .expect("components")
        .entry("schemas")
        .or_insert_with(|| Value::Object(Map::new()));
    let (name, schema) = schema_of::<ApiError>();
    schemas[name] = schema;
    doc
}

fn schema_of<T: utoipa::ToSchema>() -> (String, Value) {
    (
        T::name().into_owned(),
        serde_json::to_value(T::schema()).expect("a schema serializes"),
    )
}

/// The document as the `/docs` page shows it: every operation in document order (by path, then
/// method), with its parameters and its bodies' fields flattened into rows.
pub fn reference() -> Vec<EndpointDoc> {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let mut endpoints = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let text = |key: &str| operation[key].as_str().unwrap_or_default().to_string();
            let parameters = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| FieldDoc {
                    name: p["name"].as_str().unwrap_or_default().to_string(),
                    location: p["in"].as_str().unwrap_or_default().to_string(),
                    required: p["required"].as_bool().unwrap_or(false),
                    kind: kind_of(&p["schema"], schemas),
                    description: p["description"].as_str().unwrap_or_default().to_string(),
                })
                .collect();
            let mut request = Vec::new();
            if let Some(schema) =
                operation["requestBody"]["content"]["application/json"].get("schema")
            {
                flatten_fields(schema, schemas, "", &mut request, 0);
            }
            let responses = operation["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(status, response)| {
                    let response = resolve(response, &doc["components"]["responses"]);
                    let content = response["content"].as_object();
                    let content_type = content.and_then(|c| c.keys().next().cloned());
                    let mut fields = Vec::new();
                    if status.starts_with('2') {
                        if let Some(schema) = response["content"]["application/json"].get("schema")
                        {
                            flatten_fields(schema, schemas, "", &mut fields, 0);
                        }
                    }
                    ResponseDoc {
                        status: status.clone(),
                        description: response["description"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                        content_type,
                        fields,
                    }
                })
                .collect();
            endpoints.push(EndpointDoc {
                method: method.to_uppercase(),
                path: path.clone(),
                tag: operation["tags"][0].as_str().unwrap_or("Other").to_string(),
                summary: text("summary"),
                description: text("description"),
                authenticated: operation["security"] != json!([]),
                parameters,
                request,
                responses,
            });
        }
    }
    // By resource, the way a reader looks for them; the API's housekeeping last.
    const LAST: [&str; 2] = ["Meta", "Operations"];
    endpoints.sort_by_key(|e| {
        let rank = LAST
            .iter()
            .position(|tag| *tag == e.tag)
            .map_or(0, |i| i + 1);
        (rank, e.tag != "Authentication")
    });
    endpoints
}

/// A `$ref` to `#/components/<kind>/<name>` followed (`within` is that map), anything else as is.
fn resolve<'a>(schema: &'a Value, within: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
        Some(name) => within.get(name).unwrap_or(schema),
        None => schema,
    }
}

/// The schema's variants: `oneOf`/`anyOf` (utoipa writes `Option<T>` of a component as
/// `oneOf: [null, T]`), or just itself.
fn variants(schema: &Value) -> Vec<&Value> {
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(list) = schema[key].as_array() {
            return list.iter().collect();
        }
    }
    vec![schema]
}

/// Rows for an object's properties (recursing into nested objects and arrays of objects).
fn flatten_fields(
    schema: &Value,
    schemas: &Value,
    prefix: &str,
    out: &mut Vec<FieldDoc>,
    depth: usize,
) {
    if depth > 4 {
        return;
    }
    for variant in variants(schema) {
        let schema = resolve(variant, schemas);
        let Some(properties) = schema["properties"].as_object() else {
            continue;
        };
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (name, property) in properties {
            let path = format!("{prefix}{name}");
            let property_schema = variants(property)
                .into_iter()
                .map(|v| resolve(v, schemas))
                .find(|v| v["type"] != "null")
                .unwrap_or(property);
            out.push(FieldDoc {
                name: path.clone(),
                location: String::new(),
                required: required.contains(&name.as_str()),
                kind: kind_of(property, schemas),
                description: property["description"]
                    .as_str()
                    .or(property_schema["description"].as_str())
                    .unwrap_or_default()
                    .to_string(),
            });
            if property_schema["properties"].is_object() {
                flatten_fields(
                    property_schema,
                    schemas,
                    &format!("{path}."),
                    out,
                    depth + 1,
                );
            } else if let Some(items) = property_schema.get("items") {
                flatten_fields(items, schemas, &format!("{path}[]."), out, depth + 1);
            }
        }
    }
}

/// `string or null, at most 255 characters`: a schema in a few words.
fn kind_of(schema: &Value, schemas: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut nullable = false;
    for variant in variants(schema) {
        let variant = resolve(variant, schemas);
        let types: Vec<&str> = match &variant["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        for t in types {
            match t {
                "null" => nullable = true,
                "array" => parts.push(format!("array of {}", kind_of(&variant["items"], schemas))),
                other => {
                    let format = variant["format"]
                        .as_str()
                        .map(|f| format!(" ({f})"))
                        .unwrap_or_default();
                    parts.push(format!("{other}{format}"))
                }
            }
        }
        if let Some(values) = variant["enum"].as_array() {
            let values: Vec<&str> = values
                .iter()
                .filter_map(Value::as_str)
                .filter(|v| !v.is_empty())
                .collect();
            // A long list (the time zones) is for machines; the document has it.
            if values.len() > 20 {
                parts.push(format!("one of {} values", values.len()));
            } else {
                parts.push(format!("one of: {}", values.join(", ")));
            }
        }
        if let Some(max) = variant["maxLength"].as_u64() {
            parts.push(format!("at most {max} characters"));
        }
        if let (Some(min), Some(max)) = (variant["minimum"].as_u64(), variant["maximum"].as_u64()) {
            parts.push(format!("{min} to {max}"));
        }
    }
    parts.dedup();
    let mut kind = parts.join(", ");
    if nullable {
        kind.push_str(", or null");
    }
    kind
}

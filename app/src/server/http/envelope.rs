//! The JSON envelopes of API.md §1, typed so that the OpenAPI document describes exactly what the
//! handlers serialize.

use crate::domain::list::PageMeta;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"id": ..., "type": ..., "attributes": {...}}`.
#[derive(Serialize, ToSchema)]
pub struct Resource<A> {
    #[schema(format = Uuid)]
    pub id: String,
    /// The resource type, e.g. `organizations`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub attributes: A,
}

impl<A> Resource<A> {
    pub fn new(id: impl Into<String>, kind: &'static str, attributes: A) -> Resource<A> {
        Resource {
            id: id.into(),
            kind,
            attributes,
        }
    }
}

/// `{"data": <resource>}`.
#[derive(Serialize, ToSchema)]
pub struct One<T> {
    pub data: T,
}

/// `{"data": [...], "meta": {...}}`: one page of a list.
#[derive(Serialize, ToSchema)]
pub struct Many<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

/// `{}`: what an update answers (the new version is in the `ETag` header).
#[derive(Serialize, ToSchema)]
pub struct Empty {}

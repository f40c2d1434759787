//! The JSON envelopes of API.md §1.

use crate::domain::list::PageMeta;
use serde::Serialize;
use serde_json::{json, Value};

/// `{"id": ..., "type": ..., "attributes": {...}}`.
pub fn resource(id: &str, kind: &str, attributes: &impl Serialize) -> Value {
    json!({ "id": id, "type": kind, "attributes": attributes })
}

pub fn one(resource: Value) -> Value {
    json!({ "data": resource })
}

pub fn many(resources: Vec<Value>, meta: &PageMeta) -> Value {
    json!({ "data": resources, "meta": meta })
}

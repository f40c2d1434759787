//! The resources every page loads its data with, and the codec they carry it in.
//!
//! A page's data reaches the browser two ways: serialized into the HTML for hydration, which
//! Leptos' default codec decodes with `serde_json::from_str`, and as a server function's response,
//! which `server_fn` decodes with `serde_json::from_slice`. Those are two different readers, so the
//! wasm carried every response type's deserializer twice: measured on the release bundle before
//! wasm-opt, 48 of 103 `deserialize_struct` instances were such twins (134 KB). [`SliceJson`]
//! decodes the hydration data with the server functions' reader, and [`resource`] and
//! [`once_resource`] are how pages make resources with it.

use leptos::prelude::{OnceResource, Resource};
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON, decoded from bytes as `server_fn` decodes its responses (the same text as Leptos'
/// `JsonSerdeCodec`, so nothing changes on the wire).
pub struct SliceJson;

impl<T: Serialize> Encoder<T> for SliceJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(val: &T) -> Result<String, Self::Error> {
        serde_json::to_string(val)
    }
}

impl<T: DeserializeOwned> Decoder<T> for SliceJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(val: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(val.as_bytes())
    }
}

/// A page's data, loaded on the server and hydrated in the browser, fetched again whenever
/// `source` changes (`Resource::new`, in [`SliceJson`]).
#[track_caller]
pub fn resource<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Resource<T, SliceJson>
where
    S: Send + Sync + Clone + PartialEq + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}

/// Data loaded once per page (`OnceResource::new`, in [`SliceJson`]).
#[track_caller]
pub fn once_resource<T>(fut: impl Future<Output = T> + Send + 'static) -> OnceResource<T, SliceJson>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    OnceResource::new_with_options(fut, false)
}

//! Steward's application crate: the UI (pages, components, server functions) and, behind the `ssr`
//! feature, the server (service layer, database, REST API).

#![recursion_limit = "512"]

pub mod api;
mod app;
pub mod components;
pub mod domain;
pub mod error;
mod lazy_routes;
pub mod pages;
pub mod resources;
#[cfg(feature = "ssr")]
pub mod server;
pub mod url;

pub use app::{shell, App};
#[cfg(feature = "hydrate")]
pub use lazy_routes::prefetch_pages_on_intent;

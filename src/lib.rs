//! The Steward server: configuration, start-up and the HTTP stack around the `app` crate.

pub mod cli;
mod compression;
mod page_owner;
pub mod startup;
pub mod static_files;
pub mod telemetry;

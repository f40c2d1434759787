//! Server functions, one module per resource. Each is a thin adapter: find the caller, call the
//! same service the REST handler calls, map the error. Access is decided in the service, never here.

pub mod accounts;
pub mod auth;
pub mod dashboard;
pub mod docs;
pub mod notification_preferences;
pub mod organizations;
pub mod outbox;
pub mod users;

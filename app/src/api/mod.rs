//! Server functions, one module per resource. Each is a thin adapter: find the caller, call the
//! same service the REST handler calls, map the error. Access is decided in the service, never here.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod blocked_addresses;
pub mod dashboard;
pub mod docs;
pub mod impersonation;
pub mod inbox;
pub mod notification_policy;
pub mod notification_preferences;
pub mod organizations;
pub mod outbox;
pub mod security;
pub mod two_factor;
pub mod users;

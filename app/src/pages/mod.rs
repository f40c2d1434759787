//! One module per page (API.md §9).

pub mod account;
pub mod audit;
pub mod blocked_addresses;
pub mod dashboard;
pub mod docs;
pub mod inbox;
pub mod login;
pub mod me;
pub mod not_found;
pub mod notification_policy;
pub mod notifications;
pub mod organizations;
pub mod outbox;
pub mod security;
pub mod two_factor;
pub mod users;

//! The API suite: every test gets its own server on a random port and its own database — a
//! SQLite file by default, a throwaway PostgreSQL database when `TEST_DATABASE_URL` is set.

mod accounts;
mod audit;
mod auth;
mod authorization;
mod blocked_addresses;
mod compression;
mod events;
mod helpers;
mod impersonation;
mod inbox;
mod notification_policy;
mod notification_preferences;
mod operations;
mod organizations;
mod outbox;
mod partners;
mod robustness;
mod search;
mod sessions;
mod smtp_server;
mod static_files;
mod two_factor;
mod user_import;
mod users;

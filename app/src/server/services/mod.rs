//! The service layer: the only code with SQL and the only code that decides who may do what.
//! Every function takes the database, the calling `Principal` where there is one, and domain
//! types; it knows nothing of axum or Leptos.

pub mod access_tokens;
pub mod account_tokens;
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod blocked_addresses;
pub mod dashboard;
pub mod emails;
pub mod events;
pub mod export;
pub mod impersonation;
pub mod inbox;
pub mod notification_policy;
pub mod notification_preferences;
pub mod organizations;
pub mod outbox;
pub mod paging;
pub mod partners;
pub mod precondition;
pub mod rate_limit;
pub mod search_index;
pub mod seed;
pub mod sessions;
pub mod text_match;
pub mod two_factor;
pub mod user_import;
pub mod users;

//! Everything that only runs on the server: configuration, the database, the service layer (the
//! only place with SQL and the only place that decides permissions), authentication, and the REST
//! routers. The UI's server functions and the REST handlers are thin adapters over `services`.

pub mod auth;
pub mod config;
pub mod csv;
pub mod db;
pub mod error;
pub mod http;
pub mod mailer;
pub mod request;
pub mod security_headers;
pub mod services;
pub mod sqlite_fold;
pub mod state;
pub mod ui;

pub use config::Config;
pub use db::Db;
pub use error::AppError;
pub use state::AppState;

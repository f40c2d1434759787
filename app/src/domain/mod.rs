//! Domain types shared by the server and the browser: parse-don't-validate newtypes and the DTOs
//! that cross the wire. Nothing here touches a database, so it compiles to wasm too.

pub mod audit;
pub mod blocked_address;
pub mod event;
pub mod field_error;
pub mod inbox;
pub mod list;
pub mod notification;
pub mod organization;
pub mod outbox;
pub mod role;
pub mod session;
pub mod text;
pub mod time;
pub mod two_factor;
pub mod user;

pub use field_error::FieldError;
pub use role::Role;

//! Authentication: password hashing, opaque tokens, and the `AuthUser` extractor that turns a bearer
//! token, a personal access token or the session cookie into a `Principal`. Authorization is not
//! decided here: services check the principal's role against what they are asked to do.

pub mod cookie;
pub mod guard;
pub mod password;
pub mod principal;
pub mod secret_box;
pub mod token;
pub mod totp;

pub use principal::{AuthUser, Credential, MaybeAuthUser, Principal};

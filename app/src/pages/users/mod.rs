//! `/users`, `/users/{id}` and its delete confirmation.

mod detail;
pub(crate) mod form;
mod list;

pub use detail::{DeleteUserPage, UserPage};
pub use list::UserListPage;

//! `/users`, `/users/new`, `/users/{id}` and its delete confirmation.

mod detail;
pub(crate) mod form;
mod list;
mod new;

pub use detail::{DeleteUserPage, UserPage};
pub use list::UserListPage;
pub use new::NewUserPage;

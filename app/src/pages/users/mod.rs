//! `/users`, `/users/new`, `/users/import`, `/users/{id}` and its delete confirmation.

mod detail;
pub(crate) mod form;
mod import;
mod list;
mod new;

pub use detail::{DeleteUserPage, UserPage};
pub use import::ImportUsersPage;
pub use list::UserListPage;
pub use new::NewUserPage;

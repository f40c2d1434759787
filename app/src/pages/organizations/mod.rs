//! `/organizations`, `/organizations/new`, `/organizations/{id}` and its delete confirmation.

mod detail;
mod form;
mod list;
mod new;

pub use detail::{DeleteOrganizationPage, OrganizationPage};
pub use list::OrganizationListPage;
pub use new::NewOrganizationPage;

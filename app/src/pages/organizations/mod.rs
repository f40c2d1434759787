//! `/organizations`, `/organizations/new`, `/organizations/{id}`.

mod detail;
mod form;
mod list;
mod new;

pub use detail::OrganizationPage;
pub use list::OrganizationListPage;
pub use new::NewOrganizationPage;

//! The pages the browser downloads only when it first opens one of them.
//!
//! Each route below is a Leptos lazy route: `cargo leptos build --split` moves the page's code
//! (its components, its server functions' client halves, the deserializers of its read models)
//! out of the first bundle into wasm chunks that are fetched on the first visit to the page. The
//! server renders these pages in full as before. On a first visit that lands on one of them the
//! browser fetches its chunks once the bundle runs; Leptos can also name them in the page's
//! `<head>` (`<link rel="preload">`) so that they load beside the bundle, but it does so only when
//! the route registered them before the head was written, which varies from request to request
//! (seen on the signed-in pages; a race inside Leptos' response builder, not fixed here).
//!
//! Which pages: all but sign-in, the dashboard and the organizations list, where visits start
//! (and where the first-visit figures of `bench/wire.mjs` are taken). Those three stay in the
//! first bundle, and with them everything they share with the split pages (the list, the form
//! fields, the dialog, the shell). Code that only split pages share goes into chunks of its own,
//! one for each set of pages that shares it (187 here; a page needs 9 to 101 of them, 26 to 140 KB
//! Brotli in all, fetched in parallel). Splitting these three as well would leave almost nothing
//! in the first bundle and give every first visit hundreds of chunks to fetch (README, "Tried and
//! not kept").
//!
//! Every wasm build must therefore be split (`cargo leptos build --split`): a split point is a wasm
//! import that only the splitter resolves, so an unsplit bundle would not instantiate.

use crate::pages::account::{ConfirmPage, ForgotPasswordPage, InvitationPage, ResetPasswordPage};
use crate::pages::audit::{AuditEventPage, AuditPage};
use crate::pages::blocked_addresses::BlockedAddressesPage;
use crate::pages::docs::DocsPage;
use crate::pages::inbox::InboxPage;
use crate::pages::me::{ProfilePage, SecurityPage};
use crate::pages::notification_policy::{InstancePolicyPage, OrganizationPolicyPage};
use crate::pages::notifications::{MyNotificationsPage, OrganizationNotificationsPage};
use crate::pages::organizations::{DeleteOrganizationPage, NewOrganizationPage, OrganizationPage};
use crate::pages::outbox::OutboxPage;
use crate::pages::users::{DeleteUserPage, ImportUsersPage, NewUserPage, UserListPage, UserPage};
use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// One lazy route per page: `$route` is what `app.rs` routes to (`Lazy::<$route>::new()`), at
/// `$path` (the same pattern as there; it only decides which chunks a link prefetches). The pages
/// load their own data, so a route carries none.
macro_rules! lazy_pages {
    ($($path:literal => $route:ident => $page:ident),* $(,)?) => {
        $(
            pub struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(_route: Self) -> AnyView {
                    view! { <$page/> }.into_any()
                }
            }
        )*

        /// Starts fetching the chunks of the split page at `path`, if it is one. Fetching them
        /// again is free: the loader keeps what it has loaded.
        #[cfg(feature = "hydrate")]
        fn preload_page_at(path: &str) {
            $(
                if path_matches($path, path) {
                    leptos::task::spawn_local(<$route as LazyRoute>::preload());
                    return;
                }
            )*
        }
    };
}

lazy_pages! {
    "/organizations/new" => NewOrganizationRoute => NewOrganizationPage,
    "/organizations/:id" => OrganizationRoute => OrganizationPage,
    "/organizations/:id/delete" => DeleteOrganizationRoute => DeleteOrganizationPage,
    "/organizations/:id/notifications" => OrganizationNotificationsRoute => OrganizationNotificationsPage,
    "/organizations/:id/policy" => OrganizationPolicyRoute => OrganizationPolicyPage,
    "/settings/notification_policy" => InstancePolicyRoute => InstancePolicyPage,
    "/users" => UserListRoute => UserListPage,
    "/users/new" => NewUserRoute => NewUserPage,
    "/users/import" => ImportUsersRoute => ImportUsersPage,
    "/users/:id" => UserRoute => UserPage,
    "/users/:id/delete" => DeleteUserRoute => DeleteUserPage,
    "/me" => ProfileRoute => ProfilePage,
    "/me/security" => SecurityRoute => SecurityPage,
    "/me/notifications" => MyNotificationsRoute => MyNotificationsPage,
    "/notifications" => InboxRoute => InboxPage,
    "/audit" => AuditRoute => AuditPage,
    "/audit/:id" => AuditEventRoute => AuditEventPage,
    "/outbox" => OutboxRoute => OutboxPage,
    "/blocked_addresses" => BlockedAddressesRoute => BlockedAddressesPage,
    "/docs" => DocsRoute => DocsPage,
    "/password/forgot" => ForgotPasswordRoute => ForgotPasswordPage,
    "/password/reset/:token" => ResetPasswordRoute => ResetPasswordPage,
    "/invitation/:token" => InvitationRoute => InvitationPage,
    "/confirm/:token" => ConfirmRoute => ConfirmPage,
}

/// Whether `path` (no query) fits `pattern`, where a `:name` segment stands for any one segment.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn path_matches(pattern: &str, path: &str) -> bool {
    let mut segments = path.trim_end_matches('/').split('/');
    pattern.split('/').all(|expected| {
        segments.next().is_some_and(|segment| {
            if expected.starts_with(':') {
                !segment.is_empty()
            } else {
                segment == expected
            }
        })
    }) && segments.next().is_none()
}

/// Prefetches a split page when the user shows the intent to open it: a pointer over a link to it,
/// a touch on one, or keyboard focus on one. By the click, a few hundred milliseconds later, most
/// of its chunks have usually arrived; the first bundle never waits for them, and no chunk is
/// fetched for a page that nobody opens. Called once, after hydration.
#[cfg(feature = "hydrate")]
pub fn prefetch_pages_on_intent() {
    use wasm_bindgen::JsCast;

    fn on_intent(target: Option<web_sys::EventTarget>) {
        let href = target
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
            .and_then(|link| link.get_attribute("href"));
        // Only the app's own links: a path, not another origin (`//host/...`).
        if let Some(href) = href.filter(|href| href.starts_with('/') && !href.starts_with("//")) {
            let path = href.split(['?', '#']).next().unwrap_or_default();
            preload_page_at(path);
        }
    }

    // The listeners live as long as the page.
    std::mem::forget(window_event_listener(leptos::ev::pointerover, |ev| {
        on_intent(ev.target())
    }));
    std::mem::forget(window_event_listener(leptos::ev::touchstart, |ev| {
        on_intent(ev.target())
    }));
    std::mem::forget(window_event_listener(leptos::ev::focusin, |ev| {
        on_intent(ev.target())
    }));
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn patterns_match_whole_paths() {
        assert!(path_matches("/users", "/users"));
        assert!(path_matches("/users", "/users/"));
        assert!(path_matches("/users/:id", "/users/0f3c"));
        assert!(path_matches("/users/:id/delete", "/users/0f3c/delete"));
        assert!(!path_matches("/users/:id", "/users"));
        assert!(!path_matches("/users/:id", "/users/0f3c/delete"));
        assert!(!path_matches("/users", "/users/0f3c"));
        assert!(!path_matches("/me", "/media"));
        assert!(!path_matches("/users/:id", "/users//"));
    }
}

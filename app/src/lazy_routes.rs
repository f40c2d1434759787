//! The pages the browser downloads only when it first opens one of them.
//!
//! The split pages are gathered into five **areas** (the organization and user forms, the
//! notification screens, the users list, the records with the security page, and what a
//! signed-out visitor opens). Each area is one `#[lazy]` function, and so one wasm module
//! that `cargo leptos build --split` moves out of the first bundle: the area's pages (their
//! components, their server functions' client halves, the deserializers of their read models) are
//! fetched together on the first visit to any of them. Each page's route is a `LazyRoute` whose
//! view asks its area for the page. The server renders these pages in full as before, and names
//! the area's files in the page's `<head>` (`<link rel="preload">`, see `src/page_owner.rs`) so
//! that they load beside the bundle.
//!
//! Why areas rather than a lazy route per page: the splitter puts code that several split modules
//! share, and the first bundle doesn't, into a chunk for each set of modules sharing it. With a
//! module per page (24) that made 185 chunks, and a first visit that landed on the security page
//! preloaded 78 files; over HTTP/1.1 a browser fetches six at a time, each a round trip (562 ms on
//! "Slow 4G"). With these five areas there are 18 chunks and a page needs 8 to 13 files. The
//! pages of an area share most of their code; the price is that the first visit to an area
//! fetches all of its pages. The README's Benchmark section has the figures that chose them.
//!
//! Not split: sign-in, the dashboard and the organizations list, where visits start (and where
//! the first-visit figures of `bench/wire.mjs` are taken). Those stay in the first bundle, and
//! with them everything they share with the split pages (the list, the form fields, the dialog,
//! the shell).
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
use leptos_router::LazyRoute;

/// One lazy function per area, and one route per page of it. For each area: `$area` is the lazy
/// function (its wasm module is `split_<area>_<hash>.wasm`), `$preload` the preloader that
/// `#[lazy]` generates beside it in the wasm (`__preload_<area>`), `$pages` the enum naming its
/// pages. For each page: `$route` is what `app.rs` routes to (`Lazy::<$route>::new()`), at `$path`
/// (the same pattern as there; it only decides which area a link prefetches). The pages load their
/// own data, so a route carries none.
macro_rules! lazy_areas {
    ($(
        $area:ident, $preload:ident, $pages:ident {
            $($path:literal => $route:ident => $page:ident),* $(,)?
        }
    )*) => {
        $(
            /// The pages of one area.
            #[derive(Clone, Copy)]
            #[allow(clippy::enum_variant_names)]
            enum $pages {
                $($page),*
            }

            #[leptos::lazy]
            fn $area(page: $pages) -> AnyView {
                match page {
                    $($pages::$page => view! { <$page/> }.into_any()),*
                }
            }

            $(
                pub struct $route;

                impl LazyRoute for $route {
                    fn data() -> Self {
                        $route
                    }

                    async fn view(_route: Self) -> AnyView {
                        $area($pages::$page).await
                    }

                    async fn preload() {
                        #[cfg(feature = "hydrate")]
                        $preload().await;
                    }
                }
            )*
        )*

        /// Starts fetching the area of the split page at `path`, if it is one. Fetching it again
        /// is free: the loader keeps what it has loaded.
        #[cfg(feature = "hydrate")]
        fn preload_page_at(path: &str) {
            $($(
                if path_matches($path, path) {
                    leptos::task::spawn_local(<$route as LazyRoute>::preload());
                    return;
                }
            )*)*
        }
    };
}

lazy_areas! {
    // The organization and user forms: a record, its Members tab, its deletion, a new one, and
    // the current user's own profile.
    editor_pages, __preload_editor_pages, EditorPages {
        "/organizations/new" => NewOrganizationRoute => NewOrganizationPage,
        "/organizations/:id" => OrganizationRoute => OrganizationPage,
        "/organizations/:id/delete" => DeleteOrganizationRoute => DeleteOrganizationPage,
        "/users/new" => NewUserRoute => NewUserPage,
        "/users/:id" => UserRoute => UserPage,
        "/users/:id/delete" => DeleteUserRoute => DeleteUserPage,
        "/me" => ProfileRoute => ProfilePage,
    }
    // Notification preferences and policies, and the inbox.
    notification_pages, __preload_notification_pages, NotificationPages {
        "/organizations/:id/notifications" => OrganizationNotificationsRoute => OrganizationNotificationsPage,
        "/organizations/:id/policy" => OrganizationPolicyRoute => OrganizationPolicyPage,
        "/settings/notification_policy" => InstancePolicyRoute => InstancePolicyPage,
        "/me/notifications" => MyNotificationsRoute => MyNotificationsPage,
        "/notifications" => InboxRoute => InboxPage,
    }
    // The users list, where an administrator's visits often start: on its own, so that a first
    // visit to it needs little beyond the first bundle.
    user_list_pages, __preload_user_list_pages, UserListPages {
        "/users" => UserListRoute => UserListPage,
    }
    // The records and the current user's security: the audit log, the outbox, blocked addresses,
    // the users import, and the security page (password, two-factor, tokens, sessions).
    record_pages, __preload_record_pages, RecordPages {
        "/users/import" => ImportUsersRoute => ImportUsersPage,
        "/audit" => AuditRoute => AuditPage,
        "/audit/:id" => AuditEventRoute => AuditEventPage,
        "/outbox" => OutboxRoute => OutboxPage,
        "/blocked_addresses" => BlockedAddressesRoute => BlockedAddressesPage,
        "/me/security" => SecurityRoute => SecurityPage,
    }
    // What a signed-out visitor opens: the account-token pages and the API docs.
    public_pages, __preload_public_pages, PublicPages {
        "/password/forgot" => ForgotPasswordRoute => ForgotPasswordPage,
        "/password/reset/:token" => ResetPasswordRoute => ResetPasswordPage,
        "/invitation/:token" => InvitationRoute => InvitationPage,
        "/confirm/:token" => ConfirmRoute => ConfirmPage,
        "/docs" => DocsRoute => DocsPage,
    }
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

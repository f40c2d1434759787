//! The document shell, the router and the signed-in layout.

use crate::api::auth::get_current_user;
use crate::api::impersonation::StopImpersonating;
use crate::components::bell::{Bell, InboxRevision};
use crate::components::theme::{ThemeToggle, THEME_BOOTSTRAP_JS};
use crate::components::toast::{provide_toasts, Toaster};
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::lazy_routes::*;
use crate::pages::dashboard::DashboardPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::organizations::OrganizationListPage;
use crate::resources::once_resource;
use crate::url::encode_component;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{path, Lazy, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::security_headers::set_page_policy();
    let nonce = leptos::nonce::use_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <script nonce=nonce inner_html=THEME_BOOTSTRAP_JS></script>
                <AutoReload options=options.clone()/>
                // The bundle's names carry their content hash (see static_files.rs): the shell
                // reads them from cargo-leptos' hash file.
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_toasts();
    view! {
        <Title formatter=|title: String| if title.is_empty() { "Steward".to_string() } else { format!("{title} · Steward") }/>
        <Router>
            <SkipLink/>
            <Routes fallback=NotFound>
                // Async SSR: each page is rendered whole before the first byte, so a signed-out
                // visitor gets a real 302 and every page is complete without JavaScript.
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/docs") view={Lazy::<DocsRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/password/forgot") view={Lazy::<ForgotPasswordRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/password/reset/:token") view={Lazy::<ResetPasswordRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/invitation/:token") view={Lazy::<InvitationRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/confirm/:token") view={Lazy::<ConfirmRoute>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("organizations") view=OrganizationListPage ssr=SsrMode::Async/>
                    <Route path=path!("organizations/new") view={Lazy::<NewOrganizationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("organizations/:id") view={Lazy::<OrganizationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("organizations/:id/delete") view={Lazy::<DeleteOrganizationRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("organizations/:id/notifications") view={Lazy::<OrganizationNotificationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("organizations/:id/policy") view={Lazy::<OrganizationPolicyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("settings/notification_policy") view={Lazy::<InstancePolicyRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("me") view={Lazy::<ProfileRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("me/security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("me/notifications") view={Lazy::<MyNotificationsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users") view={Lazy::<UserListRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users/new") view={Lazy::<NewUserRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users/import") view={Lazy::<ImportUsersRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("outbox") view={Lazy::<OutboxRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("audit/:id") view={Lazy::<AuditEventRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("blocked_addresses") view={Lazy::<BlockedAddressesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("notifications") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users/:id") view={Lazy::<UserRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("users/:id/delete") view={Lazy::<DeleteUserRoute>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
        <Toaster/>
    }
}

/// Every page behind sign-in: loads the current user once, provides it as context, and sends the
/// signed-out visitor to `/login?next=<here>`.
#[component]
fn SignedInLayout() -> impl IntoView {
    let user = once_resource(get_current_user());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <div class="page-loading" aria-busy="true">"Loading…"</div> }>
            // A plain `Suspend`, not `move || Suspend::new(..)`: the closure would run again on the
            // server once the user had loaded, building the page (and its resources) once more
            // for nothing. (Leptos may still build a page twice while it looks for nested
            // resources; `ui::read_once` gives both builds the same data, so the HTML and the
            // data the browser hydrates with always agree.)
            {Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => {
                        provide_context(user.clone());
                        Either::Left(view! { <Chrome user/> })
                    }
                    _ => {
                        let pathname = location.pathname.get_untracked();
                        let search = location.search.get_untracked();
                        let here = if search.is_empty() {
                            pathname
                        } else {
                            format!("{pathname}?{}", search.trim_start_matches('?'))
                        };
                        Either::Right(view! { <Redirect path=format!("/login?next={}", encode_component(&here))/> })
                    }
                }
            })}
        </Suspense>
    }
}

/// On every page while an admin acts as someone else: who, and the way back.
#[component]
fn ImpersonationBanner(acting_as: String, admin: String) -> impl IntoView {
    let stop = ServerAction::<StopImpersonating>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = stop.value().get() {
            // A full load: the admin's own session starts the app over.
            #[cfg(feature = "hydrate")]
            let _ = window()
                .location()
                .set_href("/users?notice=impersonation_ended");
        }
    });
    view! {
        <div class="impersonation-banner" role="region" aria-label="Impersonation">
            <span>
                "You are acting as " <strong>{acting_as}</strong>
                <span class="muted-on-banner">{format!(" (you are {admin})")}</span>
            </span>
            <ActionForm action=stop>
                <button type="submit" class="btn btn-sm" disabled=move || stop.pending().get()>"Stop impersonating"</button>
            </ActionForm>
            {move || stop.value().get().and_then(Result::err).map(|err| view! { <span role="alert">{err.message}</span> })}
        </div>
    }
}

/// The app shell: header with navigation and user menu, then the page.
#[component]
fn Chrome(user: CurrentUser) -> impl IntoView {
    provide_context(InboxRevision(RwSignal::new(0)));
    let unread = user.unread_notifications;
    let impersonation = user
        .impersonator_email
        .clone()
        .map(|admin| view! { <ImpersonationBanner acting_as=user.email.clone() admin/> });
    view! {
        {impersonation}
        <header class="topbar">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"S"</span>
                <span>"Steward"</span>
            </a>
            <nav class="mainnav" aria-label="Main">
                <A href="/" exact=true>"Dashboard"</A>
                <A href="/organizations">"Organizations"</A>
                {(user.role >= Role::Admin).then(|| view! { <A href="/users">"Users"</A> })}
                {(user.role >= Role::Admin).then(|| view! { <A href="/audit">"Audit"</A> })}
                {(user.role == Role::SuperAdmin).then(|| view! { <A href="/outbox">"Outbox"</A> })}
                <a href="/docs">"API docs"</a>
            </nav>
            <div class="topbar-actions">
                <Bell unread/>
                <ThemeToggle/>
                <UserMenu user/>
            </div>
        </header>
        <main id="main" class="content" tabindex="-1">
            <Outlet/>
        </main>
    }
}

/// The account menu: a disclosure (`<details>`), so it opens and signs out without JavaScript.
/// With it, Escape closes it (focus back on its button) and so does a click elsewhere.
#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let menu = NodeRef::<leptos::html::Details>::new();
    let summary = NodeRef::<leptos::html::Summary>::new();
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::click, move |ev| {
            use wasm_bindgen::JsCast;
            let Some(details) = menu.get_untracked() else {
                return;
            };
            let inside = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|node| details.contains(Some(&node)));
            if !inside {
                details.set_open(false);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            if let (Some(details), Some(summary)) = (menu.get(), summary.get()) {
                if details.open() {
                    details.set_open(false);
                    let _ = summary.focus();
                }
            }
        }
    };
    let initial = user
        .email
        .chars()
        .next()
        .unwrap_or('?')
        .to_uppercase()
        .to_string();
    view! {
        <details class="user-menu" node_ref=menu on:keydown=on_keydown>
            // Named by its content (the email, visible on wide screens, and a phrase for screen
            // readers) rather than an aria-label, so what is seen is what is announced.
            <summary class="user-menu-button" node_ref=summary>
                <span class="avatar" aria-hidden="true">{initial}</span>
                <span class="user-email">{user.email.clone()}</span>
                <span class="sr-only">", account menu"</span>
            </summary>
            <div class="user-menu-panel">
                <p class="user-menu-meta">
                    <strong>{user.username.clone()}</strong>
                    <span>{format!("{} · {}", user.role, user.organization_name)}</span>
                </p>
                <a class="menu-item" href="/me">"Profile"</a>
                <a class="menu-item" href="/me/security">"Security"</a>
                <a class="menu-item" href="/me/notifications">"Notification preferences"</a>
                {(user.role == Role::SuperAdmin).then(|| view! {
                    <a class="menu-item" href="/settings/notification_policy">"Default notification policy"</a>
                })}
                <form method="post" action="/api/sign_out">
                    <button type="submit" class="menu-item">"Sign out"</button>
                </form>
            </div>
        </details>
    }
}

/// Moves focus to the page's content: the browser's own jump to `#main` would leave focus on the
/// link once the router handles the click.
#[component]
fn SkipLink() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main" on:click=move |ev| {
            if let Some(main) = document().get_element_by_id("main") {
                ev.prevent_default();
                #[cfg(feature = "hydrate")]
                {
                    use wasm_bindgen::JsCast;
                    if let Ok(main) = main.dyn_into::<web_sys::HtmlElement>() {
                        let _ = main.focus();
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = main;
            }
        }>"Skip to content"</a>
    }
}

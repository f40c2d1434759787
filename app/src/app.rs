//! The document shell, the router and the signed-in layout.

use crate::api::auth::get_current_user;
use crate::components::theme::{ThemeToggle, THEME_BOOTSTRAP_JS};
use crate::components::toast::{provide_toasts, Toaster};
use crate::domain::user::CurrentUser;
use crate::pages::dashboard::DashboardPage;
use crate::pages::docs::DocsPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::organizations::{NewOrganizationPage, OrganizationListPage, OrganizationPage};
use crate::url::encode_component;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <script inner_html=THEME_BOOTSTRAP_JS></script>
                <AutoReload options=options.clone()/>
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
        <Stylesheet id="leptos" href="/pkg/steward.css"/>
        <Title formatter=|title: String| if title.is_empty() { "Steward".to_string() } else { format!("{title} · Steward") }/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <Routes fallback=NotFound>
                // Async SSR: each page is rendered whole before the first byte, so a signed-out
                // visitor gets a real 302 and every page is complete without JavaScript.
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/docs") view=DocsPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("organizations") view=OrganizationListPage ssr=SsrMode::Async/>
                    <Route path=path!("organizations/new") view=NewOrganizationPage ssr=SsrMode::Async/>
                    <Route path=path!("organizations/:id") view=OrganizationPage ssr=SsrMode::Async/>
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
    let user = OnceResource::new(get_current_user());
    let location = use_location();
    view! {
        <Suspense fallback=|| view! { <div class="page-loading" aria-busy="true">"Loading…"</div> }>
            {move || Suspend::new(async move {
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

/// The app shell: header with navigation and user menu, then the page.
#[component]
fn Chrome(user: CurrentUser) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    view! {
        <header class="topbar">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"S"</span>
                <span>"Steward"</span>
            </a>
            <nav class="mainnav" aria-label="Main">
                <A href="/" exact=true>"Dashboard"</A>
                <A href="/organizations">"Organizations"</A>
                <a href="/docs">"API docs"</a>
            </nav>
            <div class="topbar-actions">
                <ThemeToggle/>
                <div class="user-menu">
                    <button
                        type="button"
                        class="user-menu-button"
                        aria-haspopup="menu"
                        aria-expanded=move || menu_open.get().to_string()
                        aria-controls="user-menu"
                        on:click=move |_| menu_open.update(|open| *open = !*open)
                    >
                        <span class="avatar" aria-hidden="true">{user.email.chars().next().unwrap_or('?').to_ascii_uppercase().to_string()}</span>
                        <span class="user-email">{user.email.clone()}</span>
                    </button>
                    <div id="user-menu" class="user-menu-panel" role="menu" hidden=move || !menu_open.get()
                        on:keydown=move |ev| if ev.key() == "Escape" { menu_open.set(false) }>
                        <p class="user-menu-meta">
                            <strong>{user.username.clone()}</strong>
                            <span>{format!("{} · {}", user.role, user.organization_name)}</span>
                        </p>
                        <form method="post" action="/api/sign_out">
                            <button type="submit" role="menuitem" class="menu-item">"Sign out"</button>
                        </form>
                    </div>
                </div>
            </div>
        </header>
        <main id="main" class="content" tabindex="-1">
            <Outlet/>
        </main>
    }
}

//! The pieces every "one record" page (an organization, a user) is built from: the document
//! title that follows a rename, the breadcrumb trail, the page for a record that can't be shown,
//! the stale-save conflict, and the Delete button that says why it is disabled before anyone
//! confirms.

use crate::error::ApiError;
use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

/// The document title of a record's page, following `title` when a save renames the record.
#[component]
pub fn RecordTitle(title: RwSignal<String>) -> impl IntoView {
    view! { <Title text=title_text(title)/> }
}

/// What `<title>` reads. On the server leptos_meta writes the `<title>` after the body, from the
/// last page build that registered one; but Leptos may build a page twice while it looks for
/// nested resources and throw one build away, and a signal of the discarded build is disposed by
/// then. Reading it with `get` panicked the render, a 500 for the page under parallel load (the
/// flaky PostgreSQL run of `edit-organization.spec.ts`). Nothing renames a record during a server
/// render, so the name it was rendered with is the right answer then.
fn title_text(title: RwSignal<String>) -> impl Fn() -> String + Send + Sync + 'static {
    let rendered = title.get_untracked();
    move || title.try_get().unwrap_or_else(|| rendered.clone())
}

/// "<Parent> / <this record>".
#[component]
pub fn Breadcrumbs(
    parent_href: &'static str,
    parent_label: &'static str,
    #[prop(into)] current: Signal<String>,
) -> impl IntoView {
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href=parent_href>{parent_label}</a></li>
                <li><span aria-current="page">{move || current.get()}</span></li>
            </ol>
        </nav>
    }
}

/// What a record's page shows when it can't load it (missing, or another tenant's: both 404).
#[component]
pub fn RecordMissing(
    err: ApiError,
    /// "Organization", "User".
    noun: &'static str,
    parent_href: &'static str,
    parent_label: &'static str,
) -> impl IntoView {
    let heading = if err.status == 404 {
        format!("{noun} not found")
    } else {
        noun.to_string()
    };
    view! {
        <Title text=heading.clone()/>
        <Breadcrumbs parent_href parent_label current=heading.clone()/>
        <div class="page-header"><h1>{heading}</h1></div>
        <div class="alert alert-error" role="alert">{err.message}</div>
        <a class="btn" href=parent_href>{format!("Back to {}", parent_label.to_lowercase())}</a>
    }
}

/// The "changed by someone else" alert of a stale save; it takes focus when it appears.
#[component]
pub fn ConflictBanner(
    shown: RwSignal<bool>,
    /// "organization", "user".
    noun: &'static str,
    node_ref: NodeRef<html::Div>,
) -> impl IntoView {
    view! {
        <div node_ref=node_ref tabindex="-1" class="error-summary" class:hidden=move || !shown.get()>
            {move || shown.get().then(|| view! {
                <div class="alert alert-warning" role="alert">
                    {format!("This {noun} was changed by someone else since you opened it. Your changes were not saved. ")}
                    <a href="" on:click=move |ev| {
                        ev.prevent_default();
                        #[cfg(feature = "hydrate")]
                        let _ = window().location().reload();
                    }>"Reload to see the latest version"</a>
                </div>
            })}
        </div>
    }
}

/// Delete: a link to the confirmation page (without JavaScript) that opens the dialog instead
/// (with it), or, when the record can't be deleted, a disabled button with the reasons beside it.
#[component]
pub fn DeleteButton(
    href: String,
    confirming: RwSignal<bool>,
    /// Why it can't be deleted; empty when it can.
    blockers: Vec<String>,
) -> impl IntoView {
    if blockers.is_empty() {
        Either::Left(view! {
            <a class="btn btn-danger-outline" href=href
                on:click=move |ev| { ev.prevent_default(); confirming.set(true); }>
                "Delete"
            </a>
        })
    } else {
        Either::Right(view! {
            <div class="delete-blocked">
                <button type="button" class="btn btn-danger-outline" disabled aria-describedby="delete-blocked-reason">"Delete"</button>
                <p id="delete-blocked-reason" class="muted small">{blockers.join(" ")}</p>
            </div>
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_outlives_a_discarded_page_build() {
        let root = Owner::new();
        root.with(|| {
            let build = Owner::new();
            let (title, text) = build.with(|| {
                let title = RwSignal::new("Acme Berlin".to_string());
                (title, title_text(title))
            });
            title.set("Acme Paris".to_string());
            assert_eq!(
                text(),
                "Acme Paris",
                "follows a rename while the page lives"
            );
            build.cleanup();
            assert!(
                title.try_get().is_none(),
                "the discarded build's signal is gone"
            );
            assert_eq!(text(), "Acme Berlin");
        });
    }
}

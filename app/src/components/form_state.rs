//! What every edit form shares: where its errors start out, focus on the message the user must
//! read, and a warning before unsaved changes are lost.

use crate::error::ApiError;
use leptos::html;
use leptos::prelude::*;
use leptos::server::ServerAction;
use server_fn::ServerFn;

/// The error a plain form post came back with (server_fn puts it in the redirect's URL and the
/// action picks it up), so the server renders the form with its errors and the hydrated page
/// starts from the same state.
pub fn initial_error<S>(action: ServerAction<S>) -> Option<ApiError>
where
    S: ServerFn<Error = ApiError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    action.value().with_untracked(|value| {
        value
            .as_ref()
            .and_then(|result| result.as_ref().err().cloned())
    })
}

/// Moves focus to (and scrolls to) `target` whenever `shown` turns true: an error summary or a
/// conflict at the top of a long form, while the user is down at Save.
pub fn focus_when_shown(target: NodeRef<html::Div>, shown: impl Fn() -> bool + 'static) {
    Effect::new(move |_| {
        if shown() {
            if let Some(element) = target.get() {
                let _ = element.focus();
                #[cfg(feature = "hydrate")]
                element.scroll_into_view();
            }
        }
    });
}

/// Asks the browser to confirm leaving the page while `dirty` is true (closing the tab, reloading,
/// following a link out of the app).
pub fn warn_before_leaving(dirty: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::beforeunload, move |event| {
            if dirty.get_untracked() {
                event.prevent_default();
                event.set_return_value("unsaved");
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = dirty;
}

/// "Please fix the highlighted fields", focusable so that a failed save can move focus to it.
#[component]
pub fn ErrorSummary(
    errors: RwSignal<Option<ApiError>>,
    node_ref: NodeRef<html::Div>,
) -> impl IntoView {
    view! {
        <div node_ref=node_ref tabindex="-1" class="error-summary" class:hidden=move || errors.with(Option::is_none)>
            {move || errors.get().map(|e| view! {
                <div class="alert alert-error" role="alert">
                    <strong>"Please fix the highlighted fields. "</strong>
                    {e.message}
                </div>
            })}
        </div>
    }
}

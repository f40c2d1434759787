//! Light and dark themes. The choice lives in localStorage; a tiny inline script in the document
//! head applies it before the first paint, so there is no flash of the wrong theme.

use leptos::prelude::*;

/// Runs in `<head>` before the page paints: the stored choice, else the system preference.
pub const THEME_BOOTSTRAP_JS: &str = "try{var t=localStorage.getItem('steward-theme');\
if(t!=='dark'&&t!=='light'){t=window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}\
document.documentElement.setAttribute('data-theme',t)}catch(e){}";

#[component]
pub fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let document = document();
            if let Some(root) = document.document_element() {
                let next = if root.get_attribute("data-theme").as_deref() == Some("dark") {
                    "light"
                } else {
                    "dark"
                };
                let _ = root.set_attribute("data-theme", next);
                if let Ok(Some(storage)) = window().local_storage() {
                    let _ = storage.set_item("steward-theme", next);
                }
            }
        }
    };
    view! {
        <button type="button" class="icon-button" aria-label="Toggle dark mode" title="Toggle dark mode" on:click=toggle>
            <span aria-hidden="true" class="theme-icon"></span>
        </button>
    }
}

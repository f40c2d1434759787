//! Secrets shown once (an access token, a TOTP set-up key, recovery codes): a read-only field
//! that selects itself on focus, and a button that copies to the clipboard. Without JavaScript
//! the text is still there to select by hand.

use crate::components::toast::use_toasts;
use leptos::prelude::*;

/// "Copy": puts `text` on the clipboard and says so.
#[component]
pub fn CopyButton(
    text: String,
    #[prop(default = "Copy")] label: &'static str,
    /// What the button copies, for screen readers ("Copy the set-up key").
    #[prop(optional)]
    aria_label: Option<&'static str>,
) -> impl IntoView {
    let toasts = use_toasts();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().navigator().clipboard().write_text(&text);
            toasts.success("Copied to the clipboard.");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&text, toasts);
    };
    view! { <button type="button" class="btn btn-sm" aria-label=aria_label on:click=copy>{label}</button> }
}

/// A labelled read-only value with its copy button.
#[component]
pub fn CopyField(
    id: &'static str,
    label: &'static str,
    value: String,
    /// Said under the field (and read with it).
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <label class="field-label" for=id>{label}</label>
        <div class="copy-row">
            <input id=id class="mono" readonly value=value.clone()
                aria-describedby=hint.map(|_| hint_id.clone())
                on:focus=move |ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            input.select();
                        }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                }/>
            <CopyButton text=value/>
        </div>
        {hint.map(|hint| view! { <p id=hint_id.clone() class="small">{hint}</p> })}
    }
}

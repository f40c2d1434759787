//! A modal confirmation for destructive actions. Focus starts on "Cancel", stays inside the dialog
//! (Tab and Shift+Tab cycle through its buttons), Escape or the backdrop cancel, and closing it
//! returns focus to whatever opened it.

use leptos::html;
use leptos::prelude::*;

#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] busy: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<html::Button>::new();
    let confirm_ref = NodeRef::<html::Button>::new();
    #[cfg(feature = "hydrate")]
    {
        // The element that had focus when the dialog opened (the button or link that opened it).
        let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
        Effect::new(move |was_open: Option<bool>| {
            use wasm_bindgen::JsCast;
            let is_open = open.get();
            if is_open && was_open != Some(true) {
                let active = document()
                    .active_element()
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
                opener.set_value(active);
                if let Some(button) = cancel_ref.get() {
                    let _ = button.focus();
                }
            } else if !is_open && was_open == Some(true) {
                if let Some(element) = opener.get_value() {
                    let _ = element.focus();
                }
            }
            is_open
        });
    }
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => open.set(false),
        "Tab" => {
            // Keep Tab inside: Cancel ⇄ Confirm (Cancel alone while Confirm is disabled).
            let (Some(cancel), Some(confirm)) = (cancel_ref.get(), confirm_ref.get()) else {
                return;
            };
            let active = document().active_element();
            let has_focus = |button: &leptos::web_sys::HtmlButtonElement| {
                let element: &leptos::web_sys::Element = button.as_ref();
                active.as_ref() == Some(element)
            };
            let on_cancel = has_focus(&cancel);
            let on_confirm = has_focus(&confirm);
            let next = match (on_cancel, on_confirm, confirm.disabled()) {
                // The browser's own move stays inside: Cancel → Confirm, or Confirm → Cancel.
                (true, _, false) if !ev.shift_key() => None,
                (_, true, _) if ev.shift_key() => None,
                (_, _, true) => Some(&cancel),
                (true, _, _) => Some(&confirm),
                _ => Some(&cancel),
            };
            if let Some(target) = next {
                ev.prevent_default();
                let _ = target.focus();
            }
        }
        _ => {}
    };
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="confirm-title"
                aria-describedby="confirm-message"
                on:keydown=on_keydown
            >
                <h2 id="confirm-title">{title.clone()}</h2>
                <p id="confirm-message">{message.clone()}</p>
                <div class="dialog-actions">
                    <button type="button" class="btn" node_ref=cancel_ref on:click=move |_| open.set(false)>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="btn btn-danger"
                        node_ref=confirm_ref
                        disabled=move || busy.get()
                        on:click=move |_| on_confirm.run(())
                    >
                        {confirm_label.clone()}
                    </button>
                </div>
            </div>
        </Show>
    }
}

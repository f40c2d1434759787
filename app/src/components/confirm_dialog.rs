//! A modal confirmation for destructive actions: focus starts on "Cancel", Escape cancels.

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
    Effect::new(move |_| {
        if open.get() {
            if let Some(button) = cancel_ref.get() {
                let _ = button.focus();
            }
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="confirm-title"
                aria-describedby="confirm-message"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    }
                }
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

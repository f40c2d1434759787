//! The pieces of a notification card, shared by the user's preferences and an organization's
//! defaults: the on/off switch, the params as chips (`when_status`, `if_completed`, `if_severity`)
//! and the submit-on-change that saves a card the moment it changes.
//!
//! Every input is a plain checkbox named `pref[...]` (see `domain::notification::params_from_form`),
//! so without JavaScript the card is an ordinary form with a Save button.

use crate::components::toast::use_toasts;
use crate::domain::notification::{
    params_shown, PreferenceParams, IF_COMPLETED, MAX_SEVERITY, WHEN_STATUS,
};
use crate::error::ApiError;
use leptos::prelude::*;

/// Submits the form an input belongs to (with the wasm, a card saves when it changes).
pub fn submit_enclosing_form(ev: &leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("form").ok().flatten())
            .and_then(|el| el.dyn_into::<web_sys::HtmlFormElement>().ok())
        {
            let _ = form.request_submit();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// A checkbox shown as a switch (`role="switch"`), with its label.
#[component]
pub fn Switch(
    id: String,
    /// The `pref[...]` key it sends when on.
    key: &'static str,
    label: &'static str,
    #[prop(into)] checked: Signal<bool>,
    #[prop(optional, into)] disabled: Signal<bool>,
    /// The id of the text that explains it (a locked preference's reason).
    #[prop(optional_no_strip)]
    described_by: Option<String>,
) -> impl IntoView {
    let input_id = id.clone();
    view! {
        <label class="switch" for=id>
            <input
                id=input_id
                type="checkbox"
                role="switch"
                name=format!("pref[{key}]")
                prop:checked=move || checked.get()
                checked=checked.get_untracked()
                disabled=move || disabled.get()
                aria-describedby=described_by
            />
            <span class="switch-track" aria-hidden="true"><span class="switch-thumb"></span></span>
            <span class="switch-label">{label}</span>
        </label>
    }
}

/// The params editors that apply to `name` (none for some): chips that narrow which events
/// notify. An empty group places no condition ("any").
#[component]
pub fn ParamsEditor(
    /// The preference (decides which editors show) and the prefix of the inputs' ids.
    name: String,
    id_prefix: String,
    #[prop(into)] params: Signal<PreferenceParams>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let (status, completed, severity) = params_shown(&name);
    if !(status || completed || severity) {
        return ().into_any();
    }
    let chips = move |group: &'static str,
                      legend: &'static str,
                      values: Vec<(String, String)>,
                      is_on: fn(&PreferenceParams, &str) -> bool| {
        let id_prefix = id_prefix.clone();
        view! {
            <fieldset class="chip-group">
                <legend>{legend} " " <span class="muted small">"(none chosen: any)"</span></legend>
                <div class="chips">
                    {values.into_iter().map(|(value, label)| {
                        let id = format!("{id_prefix}-{group}-{value}");
                        let key = format!("pref[{group}:{value}]");
                        let for_check = value.clone();
                        let checked = Signal::derive(move || params.with(|p| is_on(p, &for_check)));
                        let input_id = id.clone();
                        view! {
                            <label class="chip" for=id>
                                <input id=input_id type="checkbox" name=key
                                    prop:checked=move || checked.get() checked=checked.get_untracked()
                                    disabled=move || disabled.get()/>
                                <span>{label}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        }
    };
    let words = |list: &[&str]| -> Vec<(String, String)> {
        list.iter()
            .map(|v| {
                let mut label = v.to_string();
                if let Some(first) = label.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                (v.to_string(), label)
            })
            .collect()
    };
    view! {
        <div class="params">
            <input type="hidden" name="pref[params]" value="1"/>
            {status.then(|| chips("when_status", "When the scan", words(&WHEN_STATUS),
                |p, v| p.when_status.iter().any(|s| s == v)))}
            {completed.then(|| chips("if_completed", "If it completed with", words(&IF_COMPLETED),
                |p, v| p.if_completed.iter().any(|s| s == v)))}
            {severity.then(|| chips("if_severity", "If the severity is",
                (0..=MAX_SEVERITY).map(|n| (n.to_string(), n.to_string())).collect(),
                |p, v| v.parse::<u8>().is_ok_and(|n| p.if_severity.contains(&n))))}
        </div>
    }
    .into_any()
}

/// A card's save with Undo: what the card shows (`state`), the state before its last change
/// (`previous`, what Undo sends again), and the effect that follows the save action's answers.
/// An undo's own save offers no undo; a refused save toasts why and puts the boxes back.
pub struct UndoableSave<T: Send + Sync + 'static> {
    pub state: RwSignal<T>,
    pub previous: RwSignal<Option<T>>,
    undoing: StoredValue<bool>,
}

impl<T: Send + Sync + 'static> Clone for UndoableSave<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for UndoableSave<T> {}

impl<T: Clone + Send + Sync + 'static> UndoableSave<T> {
    pub fn follow(
        initial: T,
        saved: impl Get<Value = Option<Result<T, ApiError>>> + Send + Sync + 'static,
    ) -> Self {
        let toasts = use_toasts();
        let this = UndoableSave {
            state: RwSignal::new(initial),
            previous: RwSignal::new(None),
            undoing: StoredValue::new(false),
        };
        Effect::new(move |_| match saved.get() {
            Some(Ok(saved)) => {
                let before = this.state.get_untracked();
                if this.undoing.get_value() {
                    this.undoing.set_value(false);
                    this.previous.set(None);
                    toasts.success("Change undone");
                } else {
                    this.previous.set(Some(before));
                }
                this.state.set(saved);
            }
            Some(Err(err)) => {
                this.undoing.set_value(false);
                toasts.error(err.message);
                // Put the boxes back the way the server has them.
                this.state.update(|_| {});
            }
            None => {}
        });
        this
    }

    /// Sends the previous state again through `resend`, if there is one.
    pub fn undo(self, resend: impl FnOnce(&T)) {
        if let Some(before) = self.previous.get_untracked() {
            self.undoing.set_value(true);
            resend(&before);
        }
    }

    pub fn can_undo(self) -> Signal<bool> {
        Signal::derive(move || self.previous.with(Option::is_some))
    }
}

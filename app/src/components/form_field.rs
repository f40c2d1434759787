//! One labelled input with its hint and, after a 422, its error next to it (`aria-invalid`,
//! `aria-describedby`): the field of the small forms (password, sign-in-free account pages). The
//! record forms (organization, user) build theirs from their field tables.

use crate::error::ApiError;
use leptos::prelude::*;

#[component]
pub fn FormField(
    errors: RwSignal<Option<ApiError>>,
    /// The form field's name, and the `field` of its errors unless `error_field` says otherwise.
    key: &'static str,
    /// The `field` of this input's errors when it isn't `key` (`user.email` for `user[email]`).
    #[prop(optional)]
    error_field: Option<&'static str>,
    label: &'static str,
    /// `text`, `email` or `password` (a password is never filled in again).
    #[prop(default = "text")]
    input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// The keyboard a phone shows (`numeric` for a one-time code).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    #[prop(optional)] required: bool,
    /// The input's id when the page has two fields of the same name (default `field-<key>`).
    #[prop(optional)]
    id: Option<&'static str>,
    /// To read the value from code (a form confirmed in a dialog first).
    #[prop(optional)]
    node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let id = id
        .map(str::to_string)
        .unwrap_or_else(|| format!("field-{key}"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let error_field = error_field.unwrap_or(key);
    let message = move || errors.with(|e| e.as_ref().and_then(|e| e.field_message(error_field)));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let value = value.filter(|_| input_type != "password");
    view! {
        <div class="field" class:field-invalid=move || message().is_some()>
            <div class="field-label">
                <label for=id.clone()>{label}</label>
                {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
            </div>
            <input node_ref=node_ref id=id name=key type=input_type autocomplete=autocomplete inputmode=inputmode value=value
                aria-required=required.to_string()
                aria-invalid=move || message().is_some().to_string() aria-describedby=described_by/>
            {hint.map(|hint| view! { <p class="field-hint muted small" id=hint_id.clone()>{hint}</p> })}
            {move || message().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

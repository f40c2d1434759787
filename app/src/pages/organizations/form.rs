//! The 15 fields of seed `001_*`, each with its label and, after a 422, its error next to it.
//! Validation happens on the server (the same parser the REST API uses); the inputs are plain text
//! so the browser's own checks don't pre-empt those messages.

use crate::domain::organization::{FieldKind, OrganizationInput, ORGANIZATION_FIELDS};
use crate::error::ApiError;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn OrganizationFields(
    initial: OrganizationInput,
    errors: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    ORGANIZATION_FIELDS
        .iter()
        .map(|spec| {
            let key = spec.key;
            let id = format!("organization-{key}");
            let error_id = format!("{id}-error");
            let name = format!("organization[{key}]");
            let value = initial.get(key).unwrap_or_default().to_string();
            // The exact name: a form that also holds user fields has a `user.email` error too.
            let field = format!("organization.{key}");
            let message = Signal::derive(move || {
                errors.with(|e| e.as_ref().and_then(|e| e.field_message(&field)))
            });
            let invalid = move || message.get().is_some().to_string();
            let described_by = {
                let error_id = error_id.clone();
                move || message.get().is_some().then(|| error_id.clone())
            };
            let required = spec.kind == FieldKind::Required;
            let input = match spec.kind {
                FieldKind::LongText => Either::Left(view! {
                    <textarea id=id.clone() name=name rows="3" aria-invalid=invalid aria-describedby=described_by>{value}</textarea>
                }),
                kind => {
                    let mode = match kind {
                        FieldKind::Email => "email",
                        FieldKind::Url => "url",
                        _ => "text",
                    };
                    Either::Right(view! {
                        <input
                            id=id.clone()
                            name=name
                            type="text"
                            inputmode=mode
                            value=value
                            aria-required=required.to_string()
                            aria-invalid=invalid
                            aria-describedby=described_by
                        />
                    })
                }
            };
            let wide = matches!(spec.kind, FieldKind::LongText) || key == "address";
            view! {
                <div class="field" class:field-wide=wide class:field-invalid=move || message.get().is_some()>
                    <div class="field-label">
                        <label for=id>{spec.label}</label>
                        {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
                    </div>
                    {input}
                    {move || message.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
                </div>
            }
        })
        .collect_view()
}

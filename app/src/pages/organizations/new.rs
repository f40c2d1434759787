use super::form::OrganizationFields;
use crate::api::organizations::CreateOrganization;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::toast::use_toasts;
use crate::domain::organization::OrganizationInput;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

/// Without JavaScript the form posts to the server function, which redirects to the new
/// organization (or back here with the errors and what was typed); with it, the same happens in
/// place.
#[component]
pub fn NewOrganizationPage() -> impl IntoView {
    let create = ServerAction::<CreateOrganization>::new();
    let came_back_with = initial_error(create);
    let initial = came_back_with
        .as_ref()
        .and_then(|e| e.submitted.as_deref())
        .map(OrganizationInput::from_pairs)
        .unwrap_or_default();
    let errors = RwSignal::new(came_back_with.clone().filter(|e| e.status == 422));
    let failure = RwSignal::new(
        came_back_with
            .filter(|e| e.status != 422)
            .map(|e| e.message),
    );
    let dirty = RwSignal::new(false);
    let summary = NodeRef::<html::Div>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    warn_before_leaving(dirty);
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(id)) => {
            dirty.set(false);
            toasts.success("Organization created");
            navigate(&format!("/organizations/{id}"), Default::default());
        }
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => {
            errors.set(None);
            toasts.error(err.message);
        }
        None => {}
    });
    view! {
        <Title text="New organization"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href="/organizations">"Organizations"</a></li>
                <li><span aria-current="page">"New organization"</span></li>
            </ol>
        </nav>
        <div class="page-header"><h1>"New organization"</h1></div>
        {move || failure.get().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
        <ActionForm action=create attr:class="card form" attr:novalidate=true on:input=move |_| dirty.set(true)>
            <ErrorSummary errors node_ref=summary/>
            <div class="form-grid">
                <OrganizationFields initial errors/>
            </div>
            <div class="form-actions">
                <a class="btn" href="/organizations">"Cancel"</a>
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </ActionForm>
    }
}

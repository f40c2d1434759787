use super::form::OrganizationFields;
use crate::api::organizations::CreateOrganization;
use crate::components::toast::use_toasts;
use crate::domain::organization::OrganizationInput;
use crate::error::ApiError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn NewOrganizationPage() -> impl IntoView {
    let create = ServerAction::<CreateOrganization>::new();
    let errors = RwSignal::new(None::<ApiError>);
    let toasts = use_toasts();
    let navigate = use_navigate();
    Effect::new(move |_| match create.value().get() {
        Some(Ok(id)) => {
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
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/organizations">"Organizations"</a> " / " <span>"New"</span></nav>
        <div class="page-header"><h1>"New organization"</h1></div>
        <ActionForm action=create attr:class="card form" attr:novalidate=true>
            {move || errors.get().map(|e| view! { <div class="alert alert-error" role="alert">{format!("Please fix the highlighted fields: {}", e.message)}</div> })}
            <div class="form-grid">
                <OrganizationFields initial=OrganizationInput::default() errors/>
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

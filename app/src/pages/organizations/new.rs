use super::form::OrganizationFields;
use crate::api::organizations::CreateOrganization;
use crate::components::form_field::FormField;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::toast::use_toasts;
use crate::domain::organization::OrganizationInput;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
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
    let submitted = came_back_with
        .as_ref()
        .and_then(|e| e.submitted.clone())
        .unwrap_or_default();
    let initial = OrganizationInput::from_pairs(&submitted);
    let typed = move |key: &str| {
        submitted
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    // A Super Admin or a partner may name the first Admin, who is invited with the organization.
    let names_admin =
        use_context::<CurrentUser>().is_some_and(|me| me.role == Role::SuperAdmin || me.partner);
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
            {names_admin.then(|| view! {
                <fieldset class="form-section">
                    <legend>"First Admin (optional)"</legend>
                    <p class="muted small">"Give an email and they are invited as the organization's Admin; leave it blank to add people later."</p>
                    <div class="form-grid">
                        <FormField errors key="admin_email" error_field="user.email" id="admin-email" label="Email" input_type="email" autocomplete="off" value=typed("admin_email").unwrap_or_default()/>
                        <FormField errors key="admin_first_name" error_field="user.first_name" id="admin-first-name" label="First name" autocomplete="off" value=typed("admin_first_name").unwrap_or_default()/>
                        <FormField errors key="admin_last_name" error_field="user.last_name" id="admin-last-name" label="Last name" autocomplete="off" value=typed("admin_last_name").unwrap_or_default()/>
                    </div>
                </fieldset>
            })}
            <div class="form-actions">
                <a class="btn" href="/organizations">"Cancel"</a>
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </ActionForm>
    }
}

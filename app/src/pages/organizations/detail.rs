use super::form::OrganizationFields;
use crate::api::organizations::{get_organization, DeleteOrganization, UpdateOrganization};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::toast::use_toasts;
use crate::domain::organization::Organization;
use crate::domain::time::format_short;
use crate::error::ApiError;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let organization = Resource::new(id, get_organization);
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/organizations">"Organizations"</a> " / " <span>"Details"</span></nav>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading organization…"</p> }>
            {move || Suspend::new(async move {
                match organization.await {
                    Ok(organization) => Either::Left(view! { <OrganizationEditor organization/> }),
                    Err(err) => Either::Right(view! {
                        <Title text="Organization"/>
                        <div class="page-header"><h1>{if err.status == 404 { "Organization not found".to_string() } else { "Organization".to_string() }}</h1></div>
                        <div class="alert alert-error" role="alert">{err.message}</div>
                        <a class="btn" href="/organizations">"Back to organizations"</a>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrganizationEditor(organization: Organization) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let update = ServerAction::<UpdateOrganization>::new();
    let delete = ServerAction::<DeleteOrganization>::new();
    let version = RwSignal::new(organization.lock_version);
    let title = RwSignal::new(organization.attributes.name.clone());
    let errors = RwSignal::new(None::<ApiError>);
    let conflict = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = organization.id.clone();

    Effect::new(move |_| match update.value().get() {
        Some(Ok(saved)) => {
            version.set(saved.lock_version);
            title.set(saved.attributes.name.clone());
            errors.set(None);
            conflict.set(false);
            toasts.success("Organization saved");
        }
        Some(Err(err)) if err.status == 412 => {
            errors.set(None);
            conflict.set(true);
        }
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => {
            errors.set(None);
            toasts.error(err.message);
        }
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            confirming.set(false);
            toasts.success("Organization deleted");
            navigate("/organizations", Default::default());
        }
        Some(Err(err)) => {
            confirming.set(false);
            toasts.error(err.message);
        }
        None => {}
    });

    let delete_id = id.clone();
    let on_confirm = Callback::new(move |_| {
        delete.dispatch(DeleteOrganization {
            id: delete_id.clone(),
            version: version.get_untracked(),
        });
    });
    let a = &organization.attributes;
    let meta = format!(
        "{} users · created {} · updated {}",
        a.users_count,
        format_short(&a.created_at),
        format_short(&a.updated_at)
    );
    let initial = organization.to_input();
    let delete_message = format!(
        "“{}” will be deleted for good. Organizations that still have users can't be deleted.",
        a.name
    );

    view! {
        <Title text=move || title.get()/>
        <div class="page-header">
            <div>
                <h1>{move || title.get()}</h1>
                <p class="muted">{meta}</p>
            </div>
            <button type="button" class="btn btn-danger-outline" on:click=move |_| confirming.set(true)>"Delete"</button>
        </div>
        <div class="tabs" role="tablist" aria-label="Organization sections">
            <span role="tab" aria-selected="true" class="tab tab-active">"Details"</span>
        </div>
        {move || conflict.get().then(|| view! {
            <div class="alert alert-warning" role="alert">
                "This organization was changed by someone else since you opened it. Your changes were not saved. "
                <a href="" on:click=move |ev| {
                    ev.prevent_default();
                    #[cfg(feature = "hydrate")]
                    let _ = window().location().reload();
                }>"Reload to see the latest version"</a>
            </div>
        })}
        <ActionForm action=update attr:class="card form" attr:novalidate=true>
            <input type="hidden" name="id" value=id.clone()/>
            <input type="hidden" name="version" value=move || version.get().to_string()/>
            {move || errors.get().map(|e| view! { <div class="alert alert-error">{format!("Please fix the highlighted fields: {}", e.message)}</div> })}
            <div class="form-grid">
                <OrganizationFields initial errors/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>
                    {move || if update.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </ActionForm>
        <ConfirmDialog
            open=confirming
            title="Delete organization?"
            message=delete_message
            confirm_label="Delete"
            busy=Signal::derive(move || delete.pending().get())
            on_confirm
        />
    }
}

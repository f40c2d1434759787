use super::form::OrganizationFields;
use crate::api::organizations::{get_organization, DeleteOrganization, UpdateOrganization};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::notice::Notice;
use crate::components::record_page::{
    Breadcrumbs as RecordBreadcrumbs, ConflictBanner, DeleteButton, RecordMissing, RecordTitle,
};
use crate::components::toast::use_toasts;
use crate::domain::organization::{Organization, OrganizationInput};
use crate::domain::time::format_short;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::error::ApiError;
use crate::resources::resource;
use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn OrganizationPage() -> impl IntoView {
    view! { <WithOrganization found=|organization| view! { <OrganizationEditor organization/> }/> }
}

/// Loads the organization of the URL's `:id`, then shows `found` with it, or why it can't.
#[component]
fn WithOrganization<V>(found: fn(Organization) -> V) -> impl IntoView
where
    V: IntoView + 'static,
{
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let organization = resource(id, get_organization);
    view! {
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading organization…"</p> }>
            {move || Suspend::new(async move {
                match organization.await {
                    Ok(organization) => Either::Left(found(organization)),
                    Err(err) => Either::Right(view! { <OrganizationMissing err/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrganizationMissing(err: ApiError) -> impl IntoView {
    view! { <RecordMissing err noun="Organization" parent_href="/organizations" parent_label="Organizations"/> }
}

/// "Organizations / <this one>".
#[component]
fn Breadcrumbs(#[prop(into)] current: Signal<String>) -> impl IntoView {
    view! { <RecordBreadcrumbs parent_href="/organizations" parent_label="Organizations" current/> }
}

/// Why this organization can't be deleted by this user, if it can't: said before, not after.
fn delete_blocker(user: &CurrentUser, users_count: i64) -> Option<String> {
    if user.role != Role::SuperAdmin {
        Some("Only a Super Admin can delete organizations.".into())
    } else if users_count > 0 {
        Some(format!(
            "It still has {users_count} user{}; move or delete them first.",
            if users_count == 1 { "" } else { "s" }
        ))
    } else {
        None
    }
}

#[component]
fn OrganizationEditor(organization: Organization) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let update = ServerAction::<UpdateOrganization>::new();
    let delete = ServerAction::<DeleteOrganization>::new();
    let came_back_with = initial_error(update);
    let version = RwSignal::new(organization.lock_version);
    let title = RwSignal::new(organization.attributes.name.clone());
    let updated_at = RwSignal::new(organization.attributes.updated_at);
    let errors = RwSignal::new(came_back_with.clone().filter(|e| e.status == 422));
    let conflict = RwSignal::new(came_back_with.as_ref().is_some_and(|e| e.status == 412));
    let confirming = RwSignal::new(false);
    let dirty = RwSignal::new(false);
    let summary = NodeRef::<html::Div>::new();
    let conflict_ref = NodeRef::<html::Div>::new();
    let id = organization.id.clone();
    warn_before_leaving(dirty);
    focus_when_shown(summary, move || errors.with(Option::is_some));
    focus_when_shown(conflict_ref, move || conflict.get());

    Effect::new(move |_| match update.value().get() {
        Some(Ok(saved)) => {
            version.set(saved.lock_version);
            title.set(saved.attributes.name.clone());
            updated_at.set(saved.attributes.updated_at);
            errors.set(None);
            conflict.set(false);
            dirty.set(false);
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
            dirty.set(false);
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
    let users_count = a.users_count;
    let created = format_short(&a.created_at);
    let meta = move || {
        format!(
            "{users_count} user{} · created {created} · updated {}",
            if users_count == 1 { "" } else { "s" },
            format_short(&updated_at.get())
        )
    };
    // After a failed plain form post, show what was typed, not what is stored.
    let initial = came_back_with
        .as_ref()
        .filter(|e| e.status == 422)
        .and_then(|e| e.submitted.as_deref())
        .map(OrganizationInput::from_pairs)
        .unwrap_or_else(|| organization.to_input());
    let delete_message = format!("“{}” will be deleted for good.", a.name);
    let blocker = delete_blocker(&user, users_count);
    let delete_href = format!("/organizations/{id}/delete");

    view! {
        <RecordTitle title/>
        <Breadcrumbs current=Signal::derive(move || title.get())/>
        <Notice/>
        <div class="page-header">
            <div>
                <h1>{move || title.get()}</h1>
                <p class="muted">{meta}</p>
            </div>
            <div class="page-actions">
                {(user.role >= Role::Admin).then(|| view! {
                    <a class="btn" href=format!("/users?organization_id={id}")>{format!("Members ({users_count})")}</a>
                    <a class="btn" href=format!("/users/new?organization_id={id}")>"Add member"</a>
                    <a class="btn" href=format!("/organizations/{id}/notifications")>"Notification defaults"</a>
                    <a class="btn" href=format!("/organizations/{id}/policy")>"Notification policy"</a>
                })}
                <DeleteButton href=delete_href confirming blockers=blocker.into_iter().collect()/>
            </div>
        </div>
        <ConflictBanner shown=conflict noun="organization" node_ref=conflict_ref/>
        <ActionForm action=update attr:class="card form" attr:novalidate=true on:input=move |_| dirty.set(true)>
            <input type="hidden" name="id" value=id.clone()/>
            <input type="hidden" name="version" value=move || version.get().to_string()/>
            <ErrorSummary errors node_ref=summary/>
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

/// `/organizations/{id}/delete`: the confirmation as a page of its own, for a browser without
/// JavaScript (with it, the organization page asks in a dialog).
#[component]
pub fn DeleteOrganizationPage() -> impl IntoView {
    view! { <WithOrganization found=|organization| view! { <DeleteConfirmation organization/> }/> }
}

#[component]
fn DeleteConfirmation(organization: Organization) -> impl IntoView {
    let user = expect_context::<CurrentUser>();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let delete = ServerAction::<DeleteOrganization>::new();
    let failure = RwSignal::new(initial_error(delete).map(|e| e.message));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toasts.success("Organization deleted");
            navigate("/organizations", Default::default());
        }
        Some(Err(err)) => failure.set(Some(err.message)),
        None => {}
    });
    let name = organization.attributes.name.clone();
    let back = format!("/organizations/{}", organization.id);
    let blocker = delete_blocker(&user, organization.attributes.users_count);
    view! {
        <Title text=format!("Delete {name}")/>
        <Breadcrumbs current=name.clone()/>
        <div class="page-header"><h1>{format!("Delete “{name}”?")}</h1></div>
        {move || failure.get().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
        <div class="card">
            {match blocker {
                Some(reason) => Either::Left(view! {
                    <p>{reason}</p>
                    <div class="form-actions"><a class="btn" href=back.clone()>"Back"</a></div>
                }),
                None => Either::Right(view! {
                    <p>"The organization will be deleted for good."</p>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=organization.id.clone()/>
                        <input type="hidden" name="version" value=organization.lock_version.to_string()/>
                        <div class="form-actions">
                            <a class="btn" href=back.clone()>"Cancel"</a>
                            <button type="submit" class="btn btn-danger" disabled=move || delete.pending().get()>"Delete"</button>
                        </div>
                    </ActionForm>
                }),
            }}
        </div>
    }
}

//! `/users/new`: "Invite" — the invitee gets an email and chooses their password — or, with a
//! password filled in, a user who can sign in at once. Into the caller's organization, or the one
//! named by `?organization_id=` (an organization page's "Add member").

use crate::api::organizations::get_organization;
use crate::api::users::CreateUser;
use crate::components::form_field::FormField;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::toast::use_toasts;
use crate::domain::user::CurrentUser;
use crate::domain::Role;
use crate::resources::resource;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn NewUserPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let came_back_with = initial_error(create);
    let typed = |key: &str| came_back_with.as_ref().and_then(|e| e.submitted_value(key));
    let organization_id = typed("organization_id")
        .or_else(|| use_query_map().read_untracked().get("organization_id"))
        .unwrap_or_default();
    let (email, first_name, last_name) = (typed("email"), typed("first_name"), typed("last_name"));
    let chosen_role = typed("role").unwrap_or_else(|| Role::User.as_str().to_string());
    let errors = RwSignal::new(came_back_with.clone().filter(|e| e.status == 422));
    let failure = RwSignal::new(
        came_back_with
            .filter(|e| e.status != 422)
            .map(|e| e.message),
    );
    let me = use_context::<CurrentUser>();
    let roles: Vec<Role> = Role::ALL
        .into_iter()
        .filter(|role| me.as_ref().is_some_and(|me| *role <= me.role))
        .collect();
    let organization = resource(move || (), {
        let organization_id = organization_id.clone();
        move |_| {
            let organization_id = organization_id.clone();
            async move {
                if organization_id.is_empty() {
                    None
                } else {
                    get_organization(organization_id).await.ok()
                }
            }
        }
    });
    let dirty = RwSignal::new(false);
    let summary = NodeRef::<html::Div>::new();
    let toasts = use_toasts();
    let navigate = use_navigate();
    let password_given = RwSignal::new(false);
    warn_before_leaving(dirty);
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(id)) => {
            dirty.set(false);
            toasts.success(if password_given.get_untracked() {
                "User created"
            } else {
                "Invitation sent"
            });
            navigate(&format!("/users/{id}"), Default::default());
        }
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => {
            errors.set(None);
            toasts.error(err.message);
        }
        None => {}
    });
    let my_organization = me.map(|me| me.organization_name).unwrap_or_default();
    let role_error = move || errors.with(|e| e.as_ref().and_then(|e| e.field_message("role")));
    view! {
        <Title text="Invite a user"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <ol>
                <li><a href="/users">"Users"</a></li>
                <li><span aria-current="page">"Invite a user"</span></li>
            </ol>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Invite a user"</h1>
                <p class="muted">
                    "Into "
                    <Suspense fallback=move || view! { <strong>"…"</strong> }>
                        {
                            let my_organization = my_organization.clone();
                            move || Suspend::new({
                                let my_organization = my_organization.clone();
                                async move {
                                    let name = organization.await.map(|o| o.attributes.name).unwrap_or(my_organization);
                                    view! { <strong>{name}</strong> }
                                }
                            })
                        }
                    </Suspense>
                    ". They get an email with a link to choose their password."
                </p>
            </div>
        </div>
        {move || failure.get().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
        <ActionForm action=create attr:class="card form form-narrow" attr:novalidate=true
            on:input=move |_| dirty.set(true)>
            <ErrorSummary errors node_ref=summary/>
            <input type="hidden" name="organization_id" value=organization_id/>
            <FormField errors key="email" label="Email" input_type="email" autocomplete="off" required=true value=email.unwrap_or_default()/>
            <div class="field" class:field-invalid=move || role_error().is_some()>
                <div class="field-label"><label for="field-role">"Role"</label></div>
                <select id="field-role" name="role" aria-invalid=move || role_error().is_some().to_string()>
                    {roles.iter().map(|role| {
                        let role = role.as_str();
                        view! { <option value=role selected=chosen_role == role>{role}</option> }
                    }).collect_view()}
                </select>
                {move || role_error().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <FormField errors key="first_name" label="First name" autocomplete="off" value=first_name.unwrap_or_default()/>
            <FormField errors key="last_name" label="Last name" autocomplete="off" value=last_name.unwrap_or_default()/>
            // The button says what will happen: "Invite", or "Create user" once a password is typed.
            <div on:input=move |ev| password_given.set(!event_target_value(&ev).is_empty())>
                <FormField errors key="password" label="Password (optional)" input_type="password" autocomplete="new-password"
                    hint="Leave it empty to send an invitation. With a password the user can sign in at once, and no email is sent."/>
            </div>
            <div class="form-actions">
                <a class="btn" href="/users">"Cancel"</a>
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>
                    {move || match (create.pending().get(), password_given.get()) {
                        (true, _) => "Saving…",
                        (false, true) => "Create user",
                        (false, false) => "Invite",
                    }}
                </button>
            </div>
        </ActionForm>
    }
}

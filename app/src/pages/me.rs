//! `/me` (the signed-in user's profile) and `/me/security` (their password; 2FA and access tokens
//! come with the security screens).

use crate::api::users::{get_me, ChangePassword, UpdateMe};
use crate::components::form_field::FormField;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::notice::Notice;
use crate::components::record_page::ConflictBanner;
use crate::components::toast::use_toasts;
use crate::domain::user::{User, UserInput};
use crate::pages::users::form::UserFields;
use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = OnceResource::new(get_me());
    view! {
        <Title text="Profile"/>
        <Notice/>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading your profile…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(user) => Either::Left(view! { <ProfileEditor user/> }),
                    Err(err) => Either::Right(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProfileEditor(user: User) -> impl IntoView {
    let toasts = use_toasts();
    let update = ServerAction::<UpdateMe>::new();
    let came_back_with = initial_error(update);
    let version = RwSignal::new(user.lock_version);
    let errors = RwSignal::new(came_back_with.clone().filter(|e| e.status == 422));
    let conflict = RwSignal::new(came_back_with.as_ref().is_some_and(|e| e.status == 412));
    let dirty = RwSignal::new(false);
    let summary = NodeRef::<html::Div>::new();
    let conflict_ref = NodeRef::<html::Div>::new();
    warn_before_leaving(dirty);
    focus_when_shown(summary, move || errors.with(Option::is_some));
    focus_when_shown(conflict_ref, move || conflict.get());
    Effect::new(move |_| match update.value().get() {
        Some(Ok(saved)) => {
            version.set(saved.lock_version);
            errors.set(None);
            conflict.set(false);
            dirty.set(false);
            toasts.success("Profile saved");
        }
        Some(Err(err)) if err.status == 412 => conflict.set(true),
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    let initial = came_back_with
        .as_ref()
        .filter(|e| e.status == 422)
        .and_then(|e| e.submitted.as_deref())
        .map(UserInput::from_pairs)
        .unwrap_or_else(|| user.to_input());
    let a = &user.attributes;
    view! {
        <div class="page-header">
            <div>
                <h1>"Profile"</h1>
                <p class="muted">{format!("{} · {} · {}", a.email, a.role, a.organization.name)}</p>
            </div>
            <div class="page-actions"><a class="btn" href="/me/security">"Security"</a></div>
        </div>
        <ConflictBanner shown=conflict noun="profile" node_ref=conflict_ref/>
        <ActionForm action=update attr:class="card form" attr:novalidate=true on:input=move |_| dirty.set(true) on:change=move |_| dirty.set(true)>
            <input type="hidden" name="version" value=move || version.get().to_string()/>
            <ErrorSummary errors node_ref=summary/>
            <div class="form-grid">
                <UserFields initial errors roles=Vec::new()/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>
                    {move || if update.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn SecurityPage() -> impl IntoView {
    let toasts = use_toasts();
    let change = ServerAction::<ChangePassword>::new();
    let errors = RwSignal::new(initial_error(change).filter(|e| e.status == 422));
    let summary = NodeRef::<html::Div>::new();
    let form = NodeRef::<html::Form>::new();
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            errors.set(None);
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
            toasts.success("Password changed. Your other sessions have ended.");
        }
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    view! {
        <Title text="Security"/>
        <Notice/>
        <div class="page-header">
            <div>
                <h1>"Security"</h1>
                <p class="muted">"Your password. Changing it signs you out everywhere else."</p>
            </div>
            <div class="page-actions"><a class="btn" href="/me">"Profile"</a></div>
        </div>
        <ActionForm action=change node_ref=form attr:class="card form form-narrow" attr:novalidate=true>
            <h2>"Change password"</h2>
            <ErrorSummary errors node_ref=summary/>
            <FormField errors input_type="password" key="current_password" label="Current password" autocomplete="current-password"/>
            <FormField errors input_type="password" key="password" label="New password" autocomplete="new-password"
                hint="8 to 128 characters."/>
            <FormField errors input_type="password" key="password_confirmation" label="Confirm the new password" autocomplete="new-password"/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Changing…" } else { "Change password" }}
                </button>
            </div>
        </ActionForm>
    }
}

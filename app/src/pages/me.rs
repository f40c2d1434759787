//! `/me` (the signed-in user's profile) and `/me/security` (their password, access token and
//! sessions — the last two in `pages::security` — and deleting the account; 2FA comes later).

use crate::api::users::{can_delete_me, get_me, ChangePassword, DeleteMe, UpdateMe};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::form_field::FormField;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::notice::Notice;
use crate::components::record_page::ConflictBanner;
use crate::components::toast::use_toasts;
use crate::domain::user::{User, UserInput};
use crate::pages::security::{AccessTokenCard, SessionsCard};
use crate::pages::two_factor::TwoFactorCard;
use crate::pages::users::form::UserFields;
use crate::resources::{once_resource, resource};
use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let me = once_resource(get_me());
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

/// "Delete my account": the password, then (with JavaScript) a confirmation dialog. Disabled with
/// the reasons when the account holds the instance or an organization together. Without
/// JavaScript the form posts as it is: typing the password is the confirmation.
#[component]
fn DeleteAccount() -> impl IntoView {
    let allowed = resource(|| (), |_| can_delete_me());
    let delete = ServerAction::<DeleteMe>::new();
    let errors = RwSignal::new(initial_error(delete).filter(|e| e.status == 422));
    let refused = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let password = NodeRef::<html::Input>::new();
    let delete_url = <DeleteMe as server_fn::ServerFn>::url();
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            confirming.set(false);
            // A full load: the session is gone, the app starts over signed out.
            #[cfg(feature = "hydrate")]
            let _ = window()
                .location()
                .set_href("/login?notice=account_deleted");
        }
        Some(Err(err)) => {
            confirming.set(false);
            if err.status == 422 {
                errors.set(Some(err));
            } else {
                errors.set(None);
                refused.set(Some(err.message));
            }
        }
        None => {}
    });
    let on_confirm = Callback::new(move |_| {
        let typed = password
            .get_untracked()
            .map(|input| input.value())
            .unwrap_or_default();
        delete.dispatch(DeleteMe { password: typed });
    });
    view! {
        <section class="card form form-narrow danger-zone" aria-labelledby="delete-account-title">
            <h2 id="delete-account-title">"Delete my account"</h2>
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match allowed.await {
                        Ok(answer) if !answer.can_delete => Either::Left(view! {
                            <p>"Your account can't be deleted now:"</p>
                            <ul class="reasons">
                                {answer.reasons.into_iter().map(|reason| view! { <li>{reason}</li> }).collect_view()}
                            </ul>
                        }),
                        _ => Either::Right(view! {
                            <p class="muted">"Your account and everything that is only yours go for good, and you are signed out."</p>
                            {move || refused.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                            <form method="post" action=delete_url novalidate
                                on:submit=move |ev| {
                                    ev.prevent_default();
                                    confirming.set(true);
                                }>
                                <FormField errors key="password" id="delete-account-password" label="Your password" input_type="password"
                                    autocomplete="current-password" node_ref=password/>
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-danger" disabled=move || delete.pending().get()>"Delete my account"</button>
                                </div>
                            </form>
                        }),
                    }
                })}
            </Suspense>
        </section>
        <ConfirmDialog
            open=confirming
            title="Delete your account?"
            message="This can't be undone."
            confirm_label="Delete my account"
            busy=Signal::derive(move || delete.pending().get())
            on_confirm
        />
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
                <p class="muted">"Your password, two-factor authentication, access token and sessions, and your account itself. Changing the password signs you out everywhere else."</p>
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
        <TwoFactorCard/>
        <AccessTokenCard/>
        <SessionsCard/>
        <DeleteAccount/>
    }
}

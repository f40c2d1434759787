use super::form::UserFields;
use crate::api::users::{
    get_user, DeleteUser, HandOver as HandOverAction, ResendConfirmation, SetPartner, UnlockUser,
    UpdateUser, UserDetail,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::form_field::FormField;
use crate::components::form_state::{
    focus_when_shown, initial_error, warn_before_leaving, ErrorSummary,
};
use crate::components::notice::Notice;
use crate::components::record_page::{
    Breadcrumbs, ConflictBanner, DeleteButton, RecordMissing, RecordTitle,
};
use crate::components::toast::use_toasts;
use crate::domain::list::Choice;
use crate::domain::time::format_short;
use crate::domain::user::{CurrentUser, HandedOver, UserInput};
use crate::domain::Role;
use crate::error::ApiError;
use crate::resources::resource;
use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

#[component]
pub fn UserPage() -> impl IntoView {
    view! { <WithUser found=|detail| view! { <UserEditor detail/> }/> }
}

/// `/users/{id}/delete`: the confirmation as a page of its own, for a browser without JavaScript.
#[component]
pub fn DeleteUserPage() -> impl IntoView {
    view! { <WithUser found=|detail| view! { <DeleteConfirmation detail/> }/> }
}

/// Loads the user of the URL's `:id` (with whether it can be deleted), then shows `found`.
#[component]
fn WithUser<V>(found: fn(UserDetail) -> V) -> impl IntoView
where
    V: IntoView + 'static,
{
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = resource(id, get_user);
    view! {
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading user…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => Either::Left(found(detail)),
                    Err(err) => Either::Right(view! {
                        <RecordMissing err noun="User" parent_href="/users" parent_label="Users"/>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserEditor(detail: UserDetail) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let update = ServerAction::<UpdateUser>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let came_back_with = initial_error(update);
    let user = detail.user;
    let version = RwSignal::new(user.lock_version);
    let title = RwSignal::new(user.display_name());
    let updated_at = RwSignal::new(user.attributes.updated_at);
    let errors = RwSignal::new(came_back_with.clone().filter(|e| e.status == 422));
    let conflict = RwSignal::new(came_back_with.as_ref().is_some_and(|e| e.status == 412));
    // Another refusal after a plain post (403, 409): say it at the top.
    let refused = RwSignal::new(
        came_back_with
            .as_ref()
            .filter(|e| !matches!(e.status, 412 | 422))
            .map(|e| e.message.clone()),
    );
    let confirming = RwSignal::new(false);
    let dirty = RwSignal::new(false);
    let summary = NodeRef::<html::Div>::new();
    let conflict_ref = NodeRef::<html::Div>::new();
    warn_before_leaving(dirty);
    focus_when_shown(summary, move || errors.with(Option::is_some));
    focus_when_shown(conflict_ref, move || conflict.get());

    Effect::new(move |_| match update.value().get() {
        Some(Ok(saved)) => {
            version.set(saved.lock_version);
            title.set(saved.display_name());
            updated_at.set(saved.attributes.updated_at);
            errors.set(None);
            conflict.set(false);
            refused.set(None);
            dirty.set(false);
            toasts.success("User saved");
        }
        Some(Err(err)) if err.status == 412 => {
            errors.set(None);
            conflict.set(true);
        }
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => {
            errors.set(None);
            refused.set(Some(err.message.clone()));
            toasts.error(err.message);
        }
        None => {}
    });
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            confirming.set(false);
            dirty.set(false);
            toasts.success("User deleted");
            navigate("/users", Default::default());
        }
        Some(Err(err)) => {
            confirming.set(false);
            toasts.error(err.message);
        }
        None => {}
    });

    let id = user.id.clone();
    let delete_id = id.clone();
    let on_confirm = Callback::new(move |_| {
        delete.dispatch(DeleteUser {
            id: delete_id.clone(),
            version: version.get_untracked(),
        });
    });
    let a = &user.attributes;
    let organization = a.organization.clone();
    let facts = format!(
        "{}{} · {} · {} sign-in{}{}",
        a.role,
        if a.partner { " (partner)" } else { "" },
        if a.verified {
            "confirmed"
        } else {
            "not confirmed yet"
        },
        a.sign_in_count,
        if a.sign_in_count == 1 { "" } else { "s" },
        a.last_sign_in_at
            .as_ref()
            .map(|at| format!(", last {}", format_short(at)))
            .unwrap_or_default()
    );
    let meta = move || format!("{facts} · updated {}", format_short(&updated_at.get()));
    let initial = came_back_with
        .as_ref()
        .filter(|e| e.status == 422)
        .and_then(|e| e.submitted.as_deref())
        .map(UserInput::from_pairs)
        .unwrap_or_else(|| user.to_input());
    let delete_message = format!(
        "{} ({}) will be deleted for good.",
        user.display_name(),
        a.email
    );
    let delete_href = format!("/users/{id}/delete");
    let hand_over_from = id.clone();
    let impersonate = detail
        .may_impersonate
        .then(|| (id.clone(), user.display_name()));
    let roles = detail.assignable_roles;
    // Only a Super Admin hands out partnership, and only to an Admin (or takes it back).
    let may_grant_partner = use_context::<CurrentUser>()
        .is_some_and(|me| me.role == Role::SuperAdmin)
        && (a.partner || a.role >= Role::Admin);

    view! {
        <RecordTitle title/>
        <Breadcrumbs parent_href="/users" parent_label="Users" current=Signal::derive(move || title.get())/>
        <Notice/>
        <div class="page-header">
            <div>
                <h1>{move || title.get()}</h1>
                <p class="muted">
                    <a href=format!("/organizations/{}", organization.id)>{organization.name.clone()}</a>
                    " · " {meta}
                </p>
            </div>
            <div class="page-actions">
                {(!a.verified).then(|| view! { <ResendButton id=id.clone()/> })}
                {may_grant_partner.then(|| view! { <PartnerButton id=id.clone() partner=a.partner/> })}
                <DeleteButton href=delete_href confirming blockers=detail.can_delete.reasons/>
            </div>
        </div>
        <ConflictBanner shown=conflict noun="user" node_ref=conflict_ref/>
        {a.locked_until.map(|until| view! { <LockedNotice id=id.clone() until/> })}
        {move || refused.get().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
        <ActionForm action=update attr:class="card form" attr:novalidate=true on:input=move |_| dirty.set(true) on:change=move |_| dirty.set(true)>
            <input type="hidden" name="id" value=id.clone()/>
            <input type="hidden" name="version" value=move || version.get().to_string()/>
            <ErrorSummary errors node_ref=summary/>
            <div class="form-grid">
                <UserFields initial errors roles organizations=detail.organizations/>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>
                    {move || if update.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </div>
        </ActionForm>
        {(!detail.recipients.is_empty()).then(|| view! {
            <HandOver from=hand_over_from.clone() holds=detail.holds recipients=detail.recipients/>
        })}
        {impersonate.map(|(id, name)| view! { <Impersonate id name/> })}
        <ConfirmDialog
            open=confirming
            title="Delete user?"
            message=delete_message
            confirm_label="Delete"
            busy=Signal::derive(move || delete.pending().get())
            on_confirm
        />
    }
}

#[component]
fn DeleteConfirmation(detail: UserDetail) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let delete = ServerAction::<DeleteUser>::new();
    let failure = RwSignal::new(initial_error(delete).map(|e| e.message));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toasts.success("User deleted");
            navigate("/users", Default::default());
        }
        Some(Err(err)) => failure.set(Some(err.message)),
        None => {}
    });
    let user = detail.user;
    let name = user.display_name();
    let back = format!("/users/{}", user.id);
    let reasons = detail.can_delete.reasons;
    view! {
        <Title text=format!("Delete {name}")/>
        <Breadcrumbs parent_href="/users" parent_label="Users" current=name.clone()/>
        <div class="page-header"><h1>{format!("Delete {name}?")}</h1></div>
        {move || failure.get().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
        <div class="card">
            {if reasons.is_empty() {
                Either::Left(view! {
                    <p>{format!("{} will be deleted for good.", user.attributes.email)}</p>
                    <ActionForm action=delete>
                        <input type="hidden" name="id" value=user.id.clone()/>
                        <input type="hidden" name="version" value=user.lock_version.to_string()/>
                        <div class="form-actions">
                            <a class="btn" href=back.clone()>"Cancel"</a>
                            <button type="submit" class="btn btn-danger" disabled=move || delete.pending().get()>"Delete"</button>
                        </div>
                    </ActionForm>
                })
            } else {
                Either::Right(view! {
                    <p>{reasons.join(" ")}</p>
                    <div class="form-actions"><a class="btn" href=back.clone()>"Back"</a></div>
                })
            }}
        </div>
    }
}

/// A user who hasn't confirmed yet gets a new link (their invitation, or the confirmation); the
/// previous one stops working.
#[component]
fn ResendButton(id: String) -> impl IntoView {
    let resend = ServerAction::<ResendConfirmation>::new();
    let toasts = use_toasts();
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(())) => toasts.success("A new link is on its way"),
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    view! {
        <ActionForm action=resend>
            <input type="hidden" name="id" value=id/>
            <button type="submit" class="btn" disabled=move || resend.pending().get()>"Resend invitation"</button>
        </ActionForm>
    }
}

/// After an action that changed the user (and so the page's version): load the page again rather
/// than keep a stale form. A failure is a toast.
fn reload_when_done(outcome: impl Fn() -> Option<Result<(), ApiError>> + 'static) {
    let toasts = use_toasts();
    Effect::new(move |_| match outcome() {
        Some(Ok(())) => {
            #[cfg(feature = "hydrate")]
            let _ = window().location().reload();
        }
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
}

/// A user locked out by repeated failed sign-ins: until when, and "Unlock" to let them in now.
#[component]
fn LockedNotice(id: String, until: chrono::DateTime<chrono::Utc>) -> impl IntoView {
    let unlock = ServerAction::<UnlockUser>::new();
    reload_when_done(move || unlock.value().get());
    view! {
        <div class="alert alert-warning locked-notice" role="region" aria-label="Locked">
            <p>
                <strong>"Locked"</strong>
                {format!(" after repeated failed sign-ins, until {}. Unlock them once you know the attempts were theirs.", format_short(&until))}
            </p>
            <ActionForm action=unlock>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="btn" disabled=move || unlock.pending().get()>"Unlock"</button>
            </ActionForm>
        </div>
    }
}

/// "Make partner" / "Remove partner" (Super Admin): a partner Admin creates customer organizations.
#[component]
fn PartnerButton(id: String, partner: bool) -> impl IntoView {
    let set = ServerAction::<SetPartner>::new();
    reload_when_done(move || set.value().get());
    view! {
        <ActionForm action=set>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="partner" value=(!partner).to_string()/>
            <button type="submit" class="btn" disabled=move || set.pending().get()>
                {if partner { "Remove partner" } else { "Make partner" }}
            </button>
        </ActionForm>
    }
}

/// "Hand over": another Admin of the organization takes over the customer organizations and
/// pending invitations this user holds (before they leave, or stop being a partner).
#[component]
fn HandOver(from: String, holds: HandedOver, recipients: Vec<Choice>) -> impl IntoView {
    let hand_over = ServerAction::<HandOverAction>::new();
    let toasts = use_toasts();
    let failure = RwSignal::new(initial_error(hand_over).map(|e| e.message));
    Effect::new(move |_| match hand_over.value().get() {
        Some(Ok(_)) => {
            toasts.success("Handed over");
            // What the page shows (can delete, the holdings) changed: load it again.
            #[cfg(feature = "hydrate")]
            let _ = window().location().reload();
        }
        Some(Err(err)) => failure.set(Some(err.message)),
        None => {}
    });
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let summary = format!(
        "They hold {} and {}.",
        plural(
            holds.customer_organizations,
            "customer organization",
            "customer organizations"
        ),
        plural(
            holds.pending_invitations,
            "pending invitation",
            "pending invitations"
        ),
    );
    view! {
        <section class="card" aria-labelledby="hand-over-title">
            <h2 id="hand-over-title">"Hand over"</h2>
            <p class="muted">{summary} " Customers can only go to a partner."</p>
            {move || failure.get().map(|message| view! { <div class="alert alert-error" role="alert">{message}</div> })}
            <ActionForm action=hand_over attr:class="inline-form">
                <input type="hidden" name="from" value=from/>
                <div class="field">
                    <div class="field-label"><label for="hand-over-to">"Hand over to"</label></div>
                    <select id="hand-over-to" name="to">
                        {recipients.into_iter().map(|r| view! { <option value=r.id>{r.label}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn" disabled=move || hand_over.pending().get()>
                    {move || if hand_over.pending().get() { "Handing over…" } else { "Hand over" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// "Impersonate": see Steward as this user, with a reason for the audit trail. Every page then
/// shows a banner with "Stop impersonating".
#[component]
fn Impersonate(id: String, name: String) -> impl IntoView {
    let action = ServerAction::<crate::api::impersonation::Impersonate>::new();
    let errors = RwSignal::new(initial_error(action).filter(|e| e.status == 422));
    let refused = RwSignal::new(None::<String>);
    Effect::new(move |_| match action.value().get() {
        Some(Ok(())) => {
            // A full load: the user's session starts the app over as them.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/?notice=impersonating");
        }
        Some(Err(err)) if err.status == 422 => errors.set(Some(err)),
        Some(Err(err)) => refused.set(Some(err.message)),
        None => {}
    });
    view! {
        <section class="card form form-narrow security-card" aria-labelledby="impersonate-title">
            <h2 id="impersonate-title">"Impersonate"</h2>
            <p class="muted">{format!("See Steward as {name} sees it, for up to an hour. What you do meanwhile is recorded as done by them on your behalf.")}</p>
            {move || refused.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            <ActionForm action attr:novalidate=true>
                <input type="hidden" name="id" value=id/>
                <FormField errors key="reason" label="Reason" required=true hint="For the audit trail: a ticket number, what you are checking."/>
                <div class="form-actions">
                    <button type="submit" class="btn" disabled=move || action.pending().get()>"Impersonate"</button>
                </div>
            </ActionForm>
        </section>
    }
}

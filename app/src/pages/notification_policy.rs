//! `/organizations/{id}/policy` (an organization's notification policy, its administrators') and
//! `/settings/notification_policy` (the instance default, Super Admin): which account changes
//! send the user an email and an in-app notification. One form of switches with a Save button;
//! an organization can go back to following the instance default.

use crate::api::notification_policy::{
    get_instance_notification_policy, get_notification_policy, PolicyView, ResetNotificationPolicy,
    SaveInstanceNotificationPolicy, SaveNotificationPolicy,
};
use crate::api::organizations::get_organization;
use crate::components::notice::Notice;
use crate::components::preference_card::Switch;
use crate::components::record_page::Breadcrumbs;
use crate::components::toast::use_toasts;
use crate::domain::notification::NotificationPolicy;
use crate::error::ApiError;
use crate::resources::{once_resource, resource};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One trigger as its switch shows it.
struct Trigger {
    /// The form's `pref[...]` key.
    key: &'static str,
    label: &'static str,
    is_on: fn(&NotificationPolicy) -> bool,
}

const TRIGGERS: [Trigger; 4] = [
    Trigger {
        key: "password_change",
        label: "A password changes",
        is_on: |p| p.password_change,
    },
    Trigger {
        key: "email_change",
        label: "An email address changes",
        is_on: |p| p.email_change,
    },
    Trigger {
        key: "second_factor_removed",
        label: "Two-factor authentication is turned off",
        is_on: |p| p.second_factor_removed,
    },
    Trigger {
        key: "account_locked",
        label: "An account is locked after failed sign-ins",
        is_on: |p| p.account_locked,
    },
];

/// The switches of a policy, inside its form.
#[component]
fn TriggerSwitches(#[prop(into)] policy: Signal<NotificationPolicy>) -> impl IntoView {
    view! {
        <fieldset class="policy-triggers">
            <legend>"Send the user an email and an in-app notification when"</legend>
            {TRIGGERS.into_iter().map(|Trigger { key, label, is_on }| view! {
                <Switch id=format!("policy-{key}") key label checked=Signal::derive(move || is_on(&policy.get()))/>
            }).collect_view()}
        </fieldset>
    }
}

/// Toasts the outcome of a save and keeps the shown policy current.
fn follow(
    value: impl Get<Value = Option<Result<PolicyView, ApiError>>> + Send + Sync + 'static,
    state: RwSignal<PolicyView>,
    saved: &'static str,
) {
    let toasts = use_toasts();
    Effect::new(move |_| match value.get() {
        Some(Ok(view)) => {
            state.set(view);
            toasts.success(saved);
        }
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
}

#[component]
pub fn OrganizationPolicyPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let organization = resource(id, get_organization);
    let policy = resource(id, get_notification_policy);
    view! {
        <Title text="Notification policy"/>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading the policy…"</p> }>
            {move || Suspend::new(async move {
                match (organization.await, policy.await) {
                    (Ok(organization), Ok(policy)) => Either::Left(view! {
                        <OrganizationPolicy organization_id=organization.id.clone() organization_name=organization.attributes.name.clone() policy/>
                    }),
                    (Err(err), _) | (_, Err(err)) => Either::Right(view! {
                        <div class="alert alert-error" role="alert">{err.message}</div>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrganizationPolicy(
    organization_id: String,
    organization_name: String,
    policy: PolicyView,
) -> impl IntoView {
    let save = ServerAction::<SaveNotificationPolicy>::new();
    let reset = ServerAction::<ResetNotificationPolicy>::new();
    let state = RwSignal::new(policy);
    follow(save.value(), state, "Notification policy saved");
    follow(
        reset.value(),
        state,
        "The organization follows the instance default again",
    );
    let parent = format!("/organizations/{organization_id}");
    let reset_id = StoredValue::new(organization_id.clone());
    view! {
        <Breadcrumbs parent_href="/organizations" parent_label="Organizations" current=format!("{organization_name}: notification policy")/>
        <div class="page-header">
            <div>
                <h1>"Notification policy"</h1>
                <p class="muted">
                    <a href=parent.clone()>{organization_name}</a>
                    ": which changes to an account its owner hears about, wherever the change came from."
                </p>
            </div>
            <div class="page-actions"><a class="btn" href=parent>"Organization"</a></div>
        </div>
        <Notice/>
        <ActionForm action=save attr:class="card form form-narrow">
            <input type="hidden" name="organization_id" value=organization_id/>
            <p class="policy-source" role="status">
                {move || if state.with(|s| s.is_default) {
                    "This organization follows the instance default. Saving gives it a policy of its own."
                } else {
                    "This organization has a policy of its own."
                }}
            </p>
            <TriggerSwitches policy=Signal::derive(move || state.with(|s| s.policy))/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save"</button>
            </div>
        </ActionForm>
        <Show when=move || !state.with(|s| s.is_default)>
            <ActionForm action=reset attr:class="card form form-narrow">
                <input type="hidden" name="organization_id" value=reset_id.get_value()/>
                <p>"Going back to the instance default drops this organization's own choices."</p>
                <div class="form-actions">
                    <button type="submit" class="btn" disabled=move || reset.pending().get()>"Use the instance default"</button>
                </div>
            </ActionForm>
        </Show>
    }
}

#[component]
pub fn InstancePolicyPage() -> impl IntoView {
    let policy = once_resource(get_instance_notification_policy());
    view! {
        <Title text="Default notification policy"/>
        <div class="page-header">
            <div>
                <h1>"Default notification policy"</h1>
                <p class="muted">"What every organization without a policy of its own follows."</p>
            </div>
        </div>
        <Notice/>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading the policy…"</p> }>
            {move || Suspend::new(async move {
                match policy.await {
                    Ok(policy) => Either::Left(view! { <InstancePolicy policy/> }),
                    Err(err) => Either::Right(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InstancePolicy(policy: PolicyView) -> impl IntoView {
    let save = ServerAction::<SaveInstanceNotificationPolicy>::new();
    let state = RwSignal::new(policy);
    follow(save.value(), state, "Default notification policy saved");
    view! {
        <ActionForm action=save attr:class="card form form-narrow">
            <TriggerSwitches policy=Signal::derive(move || state.with(|s| s.policy))/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save"</button>
            </div>
        </ActionForm>
    }
}

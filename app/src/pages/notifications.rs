//! `/me/notifications` (the signed-in user's four preferences) and
//! `/organizations/{id}/notifications` (an organization's defaults). Each preference is a card
//! that saves the moment it changes (with an Undo), or with its Save button without JavaScript.

use crate::api::notification_preferences::{
    get_notification_defaults, list_my_preferences, SaveMyPreference, SaveNotificationDefault,
};
use crate::api::organizations::get_organization;
use crate::components::notice::Notice;
use crate::components::preference_card::{
    submit_enclosing_form, ParamsEditor, Switch, UndoableSave,
};
use crate::components::record_page::Breadcrumbs;
use crate::domain::notification::{
    describe, params_to_form, NotificationDefault, NotificationPreference,
};
use crate::resources::{once_resource, resource};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

#[component]
pub fn MyNotificationsPage() -> impl IntoView {
    let preferences = once_resource(list_my_preferences());
    view! {
        <Title text="Notification preferences"/>
        <div class="page-header">
            <div>
                <h1>"Notification preferences"</h1>
                <p class="muted">"What Steward tells you about, and where. A change is saved at once."</p>
            </div>
            <div class="page-actions">
                <a class="btn" href="/me">"Profile"</a>
                <a class="btn" href="/me/security">"Security"</a>
            </div>
        </div>
        <Notice/>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading your preferences…"</p> }>
            {move || Suspend::new(async move {
                match preferences.await {
                    Ok(list) => Either::Left(view! {
                        <div class="preference-cards">
                            {list.into_iter().map(|preference| view! { <PreferenceCard preference/> }).collect_view()}
                        </div>
                    }),
                    Err(err) => Either::Right(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                }
            })}
        </Suspense>
    }
}

/// What a card posts for `preference` as it is (to send a previous state again: Undo).
fn form_of(preference: &NotificationPreference) -> BTreeMap<String, String> {
    let mut form = BTreeMap::new();
    if preference.enabled {
        form.insert("enabled".to_string(), "on".to_string());
    }
    if preference.channels.email {
        form.insert("email".to_string(), "on".to_string());
    }
    if preference.channels.in_app {
        form.insert("in_app".to_string(), "on".to_string());
    }
    params_to_form(&preference.params, &mut form);
    form
}

/// The save status under a card: "Saving…", then "Saved" with Undo.
#[component]
fn SaveStatus(
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] can_undo: Signal<bool>,
    on_undo: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="preference-status" aria-live="polite">
            {move || if pending.get() {
                Either::Left(view! { <span class="muted small">"Saving…"</span> })
            } else {
                Either::Right(can_undo.get().then(|| view! {
                    <span class="muted small">"Saved."</span>
                    <button type="button" class="btn btn-link btn-sm" on:click=move |_| on_undo.run(())>"Undo"</button>
                }))
            }}
            <button type="submit" class="btn btn-sm nojs-only">"Save"</button>
        </div>
    }
}

#[component]
fn PreferenceCard(preference: NotificationPreference) -> impl IntoView {
    let save = ServerAction::<SaveMyPreference>::new();
    let name = preference.name.clone();
    let locked = preference.locked;
    let card = UndoableSave::follow(preference, save.value());
    let state = card.state;
    let on_undo = {
        let name = name.clone();
        Callback::new(move |_| {
            card.undo(|before| {
                save.dispatch(SaveMyPreference {
                    name: name.clone(),
                    pref: form_of(before),
                });
            })
        })
    };
    let (title, about) = describe(&name);
    let title_id = format!("preference-{name}-title");
    let labelled_by = title_id.clone();
    let reason_id = format!("preference-{name}-locked");
    let enabled = Signal::derive(move || state.with(|p| p.enabled));
    let params = Signal::derive(move || state.with(|p| p.params.clone()));
    let email = Signal::derive(move || state.with(|p| p.channels.email));
    let in_app = Signal::derive(move || state.with(|p| p.channels.in_app));
    view! {
        <section class="card preference-card" aria-labelledby=labelled_by>
            <ActionForm action=save attr:class="preference-form" on:change=move |ev| submit_enclosing_form(&ev)>
                <input type="hidden" name="name" value=name.clone()/>
                <div class="preference-head">
                    <div>
                        <h2 id=title_id>{title}</h2>
                        <p class="muted small">{about}</p>
                    </div>
                    <Switch id=format!("preference-{name}-enabled") key="enabled" label="Notify me"
                        checked=enabled disabled=locked
                        described_by=locked.then(|| reason_id.clone())/>
                </div>
                {locked.then(|| view! {
                    <p class="preference-locked small" id=reason_id.clone()>
                        "Required by your organization: it stays on. You can still narrow it down and choose where it arrives."
                    </p>
                    // A disabled box posts nothing: say "on" for it.
                    <input type="hidden" name="pref[enabled]" value="on"/>
                })}
                <ParamsEditor name=name.clone() id_prefix=format!("preference-{name}") params/>
                <fieldset class="chip-group">
                    <legend>"Send it by"</legend>
                    <div class="chips">
                        <label class="chip" for=format!("preference-{name}-email")>
                            <input id=format!("preference-{name}-email") type="checkbox" name="pref[email]"
                                prop:checked=move || email.get() checked=email.get_untracked()/>
                            <span>"Email"</span>
                        </label>
                        <label class="chip" for=format!("preference-{name}-in-app")>
                            <input id=format!("preference-{name}-in-app") type="checkbox" name="pref[in_app]"
                                prop:checked=move || in_app.get() checked=in_app.get_untracked()/>
                            <span>"In the app"</span>
                        </label>
                    </div>
                </fieldset>
                <SaveStatus pending=save.pending() can_undo=card.can_undo() on_undo/>
            </ActionForm>
        </section>
    }
}

/// `/organizations/{id}/notifications`: what the organization's users get until they choose, and
/// which preferences they can't turn off.
#[component]
pub fn OrganizationNotificationsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let organization = resource(id, get_organization);
    let defaults = resource(id, get_notification_defaults);
    view! {
        <Title text="Notification defaults"/>
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading the defaults…"</p> }>
            {move || Suspend::new(async move {
                match (organization.await, defaults.await) {
                    (Ok(organization), Ok(defaults)) => Either::Left(view! {
                        <DefaultsEditor organization_id=organization.id.clone() organization_name=organization.attributes.name.clone() defaults/>
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
fn DefaultsEditor(
    organization_id: String,
    organization_name: String,
    defaults: Vec<NotificationDefault>,
) -> impl IntoView {
    let parent = format!("/organizations/{organization_id}");
    view! {
        <Breadcrumbs parent_href="/organizations" parent_label="Organizations" current=format!("{organization_name}: notification defaults")/>
        <div class="page-header">
            <div>
                <h1>"Notification defaults"</h1>
                <p class="muted">
                    <a href=parent.clone()>{organization_name}</a>
                    ": what its users get until they choose for themselves. A locked preference stays on for everyone."
                </p>
            </div>
            <div class="page-actions"><a class="btn" href=parent>"Organization"</a></div>
        </div>
        <Notice/>
        <div class="preference-cards">
            {defaults.into_iter().map(|default| view! {
                <DefaultCard organization_id=organization_id.clone() default/>
            }).collect_view()}
        </div>
    }
}

#[component]
fn DefaultCard(organization_id: String, default: NotificationDefault) -> impl IntoView {
    let save = ServerAction::<SaveNotificationDefault>::new();
    let name = default.name.clone();
    let card = UndoableSave::follow(default, save.value());
    let state = card.state;
    let on_undo = {
        let (name, organization_id) = (name.clone(), organization_id.clone());
        Callback::new(move |_| {
            card.undo(|before| {
                let mut pref = BTreeMap::new();
                if before.enabled {
                    pref.insert("enabled".to_string(), "on".to_string());
                }
                if before.locked {
                    pref.insert("locked".to_string(), "on".to_string());
                }
                params_to_form(&before.params, &mut pref);
                save.dispatch(SaveNotificationDefault {
                    organization_id: organization_id.clone(),
                    name: name.clone(),
                    pref,
                });
            })
        })
    };
    let (title, about) = describe(&name);
    let title_id = format!("default-{name}-title");
    let labelled_by = title_id.clone();
    let enabled = Signal::derive(move || state.with(|d| d.enabled));
    let locked = Signal::derive(move || state.with(|d| d.locked));
    let params = Signal::derive(move || state.with(|d| d.params.clone()));
    view! {
        <section class="card preference-card" aria-labelledby=labelled_by>
            <ActionForm action=save attr:class="preference-form" on:change=move |ev| submit_enclosing_form(&ev)>
                <input type="hidden" name="organization_id" value=organization_id/>
                <input type="hidden" name="name" value=name.clone()/>
                <div class="preference-head">
                    <div>
                        <h2 id=title_id>{title}</h2>
                        <p class="muted small">{about}</p>
                    </div>
                    <div class="preference-switches">
                        <Switch id=format!("default-{name}-enabled") key="enabled" label="On by default" checked=enabled/>
                        <Switch id=format!("default-{name}-locked") key="locked" label="Locked on" checked=locked/>
                    </div>
                </div>
                <ParamsEditor name=name.clone() id_prefix=format!("default-{name}") params/>
                <SaveStatus pending=save.pending() can_undo=card.can_undo() on_undo/>
            </ActionForm>
        </section>
    }
}

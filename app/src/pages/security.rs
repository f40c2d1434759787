//! The credential cards of `/me/security`: the personal access token (generate, shown once, copy,
//! revoke) and the active sessions (sign out one, or everywhere else). Each action is a plain form
//! post that works before the wasm loads; with it, the same happens in place with a toast, and the
//! destructive ones ask first.

use crate::api::security::{
    get_access_token, list_sessions, GenerateAccessToken, RevokeAccessToken, RevokeOtherSessions,
    RevokeSession,
};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::copy::CopyField;
use crate::components::toast::use_toasts;
use crate::domain::session::{AccessTokenStatus, ActiveSession};
use crate::domain::time::format_short;
use crate::resources::resource;
use leptos::either::Either;
use leptos::prelude::*;
use server_fn::ServerFn;

#[component]
pub fn AccessTokenCard() -> impl IntoView {
    let toasts = use_toasts();
    let generate = ServerAction::<GenerateAccessToken>::new();
    let revoke = ServerAction::<RevokeAccessToken>::new();
    let info = resource(
        move || (generate.version().get(), revoke.version().get()),
        |_| get_access_token(),
    );
    // The token generated in place (with JavaScript); a plain form post's comes with `info`.
    let issued = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    Effect::new(move |_| match generate.value().get() {
        Some(Ok(token)) => {
            issued.set(Some(token.access_token));
            toasts.success("Access token generated. Copy it now: it is shown only once.");
        }
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(())) => {
            confirming.set(false);
            issued.set(None);
            toasts.success("Access token revoked. It no longer works.");
        }
        Some(Err(err)) => {
            confirming.set(false);
            toasts.error(err.message);
        }
        None => {}
    });
    let revoke_url = RevokeAccessToken::url();
    view! {
        <section class="card form form-narrow security-card" id="access-token" aria-labelledby="access-token-title">
            <h2 id="access-token-title">"Access token"</h2>
            <p class="muted">
                "A personal access token lets scripts and API clients act as you. Send it as "
                <code>"Authorization: Basic <token>"</code>
                ". It works until you revoke it or generate a new one."
            </p>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(view) => {
                            let just_issued = view.just_issued;
                            let status = view.status;
                            let active = status.active;
                            Either::Left(view! {
                                {move || issued.get().or_else(|| just_issued.clone()).map(|token| view! { <IssuedToken token/> })}
                                <TokenStatus status/>
                                <div class="form-actions">
                                    <ActionForm action=generate>
                                        <button type="submit" class=if active { "btn" } else { "btn btn-primary" }
                                            disabled=move || generate.pending().get()>
                                            {if active { "Generate a new token" } else { "Generate token" }}
                                        </button>
                                    </ActionForm>
                                    {active.then(|| view! {
                                        <form method="post" action=revoke_url on:submit=move |ev| {
                                            ev.prevent_default();
                                            confirming.set(true);
                                        }>
                                            <button type="submit" class="btn btn-danger-outline" disabled=move || revoke.pending().get()>"Revoke token"</button>
                                        </form>
                                    })}
                                </div>
                                {active.then(|| view! {
                                    <p class="small muted">"A new token replaces this one: clients using it stop working."</p>
                                })}
                            })
                        }
                        Err(err) => Either::Right(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                    }
                })}
            </Transition>
        </section>
        <ConfirmDialog
            open=confirming
            title="Revoke the access token?"
            message="Every script and client that uses it stops working at once."
            confirm_label="Revoke token"
            busy=Signal::derive(move || revoke.pending().get())
            on_confirm=Callback::new(move |_| {
                revoke.dispatch(RevokeAccessToken {});
            })
        />
    }
}

/// "Generated … · last used …", or that there is none.
#[component]
fn TokenStatus(status: AccessTokenStatus) -> impl IntoView {
    if !status.active {
        return Either::Left(view! { <p>"You have no access token."</p> });
    }
    let created = status
        .created_at
        .map(|at| format_short(&at))
        .unwrap_or_else(|| "—".into());
    let used = status
        .last_used_at
        .map(|at| format!("last used {} UTC", format_short(&at)))
        .unwrap_or_else(|| "not used yet".into());
    Either::Right(view! {
        <p><span class="badge">"Active"</span>" "{format!("Generated {created} UTC · {used}")}</p>
    })
}

/// The value of a token just generated, the one time it is shown, with a copy button.
#[component]
fn IssuedToken(token: String) -> impl IntoView {
    view! {
        <div class="alert alert-success issued-token" role="status">
            <CopyField id="issued-token" label="Your new access token" value=token
                hint="Copy it now: it isn't stored, so it can't be shown again."/>
        </div>
    }
}

#[component]
pub fn SessionsCard() -> impl IntoView {
    let toasts = use_toasts();
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let sessions = resource(
        move || (revoke.version().get(), revoke_others.version().get()),
        |_| list_sessions(),
    );
    let confirming = RwSignal::new(false);
    Effect::new(move |_| match revoke.value().get() {
        Some(Ok(true)) => {
            // The current session ended: a full load starts the app over, signed out.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/login?notice=signed_out");
        }
        Some(Ok(false)) => toasts.success("That session is signed out."),
        Some(Err(err)) => toasts.error(err.message),
        None => {}
    });
    Effect::new(move |_| match revoke_others.value().get() {
        Some(Ok(ended)) => {
            confirming.set(false);
            toasts.success(match ended {
                0 => "There was no other session.".to_string(),
                1 => "Signed out of 1 other session.".to_string(),
                n => format!("Signed out of {n} other sessions."),
            });
        }
        Some(Err(err)) => {
            confirming.set(false);
            toasts.error(err.message);
        }
        None => {}
    });
    let others_url = RevokeOtherSessions::url();
    view! {
        <section class="card security-card" id="sessions" aria-labelledby="sessions-title">
            <div class="section-head">
                <h2 id="sessions-title">"Active sessions"</h2>
                <form method="post" action=others_url on:submit=move |ev| {
                    ev.prevent_default();
                    confirming.set(true);
                }>
                    <button type="submit" class="btn btn-danger-outline" disabled=move || revoke_others.pending().get()>"Sign out everywhere else"</button>
                </form>
            </div>
            <p class="muted">"Browsers and API clients signed in as you. Signing one out ends it at once; your access token is not a session and stays."</p>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(page) => Either::Left(view! { <SessionTable sessions=page.items total=page.meta.total_count revoke/> }),
                        Err(err) => Either::Right(view! { <div class="alert alert-error" role="alert">{err.message}</div> }),
                    }
                })}
            </Transition>
        </section>
        <ConfirmDialog
            open=confirming
            title="Sign out everywhere else?"
            message="Every other browser and API client signed in as you is signed out. This one stays signed in."
            confirm_label="Sign out everywhere else"
            busy=Signal::derive(move || revoke_others.pending().get())
            on_confirm=Callback::new(move |_| {
                revoke_others.dispatch(RevokeOtherSessions {});
            })
        />
    }
}

#[component]
fn SessionTable(
    sessions: Vec<ActiveSession>,
    total: u64,
    revoke: ServerAction<RevokeSession>,
) -> impl IntoView {
    let shown = sessions.len() as u64;
    let rows = sessions
        .into_iter()
        .map(|session| {
            let a = session.attributes;
            let label = if a.current {
                format!("Sign out this session ({})", a.device)
            } else {
                format!("Sign out {} (last active {})", a.device, format_short(&a.last_seen_at))
            };
            view! {
                <tr>
                    <td data-label="Device">
                        <span title=a.user_agent.clone().unwrap_or_default()>{a.device.clone()}</span>
                        {a.current.then(|| view! { " " <span class="badge">"This device"</span> })}
                        {a.impersonator_id.is_some().then(|| view! { " " <span class="badge badge-warning">"Impersonation"</span> })}
                    </td>
                    <td data-label="IP address">{a.ip.clone().unwrap_or_else(|| "—".into())}</td>
                    <td data-label="Signed in">{format_short(&a.created_at)}</td>
                    <td data-label="Last active">{format_short(&a.last_seen_at)}</td>
                    <td data-label="" class="row-actions">
                        <ActionForm action=revoke>
                            <input type="hidden" name="id" value=session.id/>
                            <button type="submit" class="btn btn-sm" aria-label=label disabled=move || revoke.pending().get()>"Sign out"</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table stackable">
                <caption class="sr-only">"Your active sessions, the most recently used first (times in UTC)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Device"</th>
                        <th scope="col">"IP address"</th>
                        <th scope="col">"Signed in"</th>
                        <th scope="col">"Last active"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {(total > shown).then(|| view! {
            <p class="small muted">{format!("The {shown} used most recently of {total}; the API lists them all (GET /v2/user/sessions).")}</p>
        })}
    }
}

//! The public account pages (API.md §9): forgot password, reset password, accept an invitation,
//! confirm an address. Each is a plain form that works before the wasm loads; the token comes from
//! the emailed link's path.

use crate::api::accounts::{
    get_confirmation, get_invitation, AcceptInvitation, ConfirmAccount, ForgotPassword,
    ResetPassword,
};
use crate::components::form_field::FormField;
use crate::components::form_state::{focus_when_shown, initial_error, ErrorSummary};
use crate::components::notice::Notice;
use crate::error::ApiError;
use crate::resources::resource;
use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// The centred card of the pages used signed out (sign-in included).
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <main id="main" class="auth-page">
            <div class="card auth-card">
                <div class="brand auth-brand">
                    <span class="brand-mark" aria-hidden="true">"S"</span>
                    <span>"Steward"</span>
                </div>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

/// The `{token}` of the page's path.
fn path_token() -> String {
    use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default()
}

/// A 422's errors go next to the fields; anything else is said at the top.
fn split_error(error: Option<ApiError>) -> (RwSignal<Option<ApiError>>, RwSignal<Option<String>>) {
    let invalid = error.clone().filter(|e| e.status == 422);
    let other = error.filter(|e| e.status != 422).map(|e| e.message);
    (RwSignal::new(invalid), RwSignal::new(other))
}

fn show_result<T: Clone + Send + Sync + 'static>(
    result: Option<Result<T, ApiError>>,
    errors: RwSignal<Option<ApiError>>,
    failure: RwSignal<Option<String>>,
) -> Option<T> {
    match result {
        Some(Ok(value)) => {
            errors.set(None);
            failure.set(None);
            Some(value)
        }
        Some(Err(err)) if err.status == 422 => {
            failure.set(None);
            errors.set(Some(err));
            None
        }
        Some(Err(err)) => {
            errors.set(None);
            failure.set(Some(err.message));
            None
        }
        None => None,
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let came_back_with = initial_error(action);
    let email = came_back_with
        .as_ref()
        .and_then(|e| e.submitted_value("email"))
        .or_else(|| use_query_map().read_untracked().get("email"));
    let (errors, failure) = split_error(came_back_with);
    let sent = RwSignal::new(false);
    let summary = NodeRef::<html::Div>::new();
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| {
        if show_result(action.value().get(), errors, failure).is_some() {
            sent.set(true);
        }
    });
    view! {
        <AuthCard title="Forgot your password?">
            <Notice/>
            {move || sent.get().then(|| view! {
                <div class="alert alert-success" role="status">"If an account uses that address, an email with a link to choose a new password is on its way."</div>
            })}
            {move || failure.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            <p class="muted">"Enter the email address of your account and we'll send you a link to choose a new password."</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <ErrorSummary errors node_ref=summary/>
                <FormField errors key="email" label="Email" input_type="email" autocomplete="email" required=true value=email.unwrap_or_default()/>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Sending…" } else { "Send reset link" }}
                </button>
            </ActionForm>
            <p class="small"><a href="/login">"Back to sign in"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let (errors, failure) = split_error(initial_error(action));
    let summary = NodeRef::<html::Div>::new();
    let navigate = use_navigate();
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| {
        if show_result(action.value().get(), errors, failure).is_some() {
            navigate("/login?notice=password_reset", Default::default());
        }
    });
    view! {
        <AuthCard title="Choose a new password">
            {move || failure.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
            <ActionForm action attr:class="form" attr:novalidate=true>
                <ErrorSummary errors node_ref=summary/>
                <input type="hidden" name="token" value=path_token()/>
                <TokenError errors key="reset_password_token" again_href="/password/forgot" again="Ask for a new link"/>
                <FormField errors key="password" label="New password" input_type="password" autocomplete="new-password" hint="8 to 128 characters."/>
                <FormField errors key="password_confirmation" label="Confirm the new password" input_type="password" autocomplete="new-password"/>
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>"Set password"</button>
            </ActionForm>
            <p class="muted small">"Setting it signs you out of every other session."</p>
        </AuthCard>
    }
}

/// A link that no longer works: the token's own error, with the way to a new one.
#[component]
fn TokenError(
    errors: RwSignal<Option<ApiError>>,
    key: &'static str,
    again_href: &'static str,
    again: &'static str,
) -> impl IntoView {
    move || {
        errors
            .with(|e| e.as_ref().and_then(|e| e.field_message(key)))
            .map(|_| {
                view! {
                    <div class="alert alert-error" role="alert">
                        "This link is invalid, was already used, or has expired. "
                        <a href=again_href>{again}</a>
                    </div>
                }
            })
    }
}

/// Where an expired or used link lands.
#[component]
fn DeadLink(what: &'static str, help: &'static str) -> impl IntoView {
    view! {
        <div class="alert alert-error" role="alert">{format!("This {what} link is invalid, was already used, or has expired.")}</div>
        <p class="muted">{help}</p>
        <p><a class="btn btn-block" href="/login">"Go to sign in"</a></p>
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let token = path_token();
    let invitation = resource(move || (), {
        let token = token.clone();
        move |_| get_invitation(token.clone())
    });
    let action = ServerAction::<AcceptInvitation>::new();
    let came_back_with = initial_error(action);
    let typed = |key: &str| came_back_with.as_ref().and_then(|e| e.submitted_value(key));
    let (first_typed, last_typed) = (typed("first_name"), typed("last_name"));
    let (errors, failure) = split_error(came_back_with);
    let summary = NodeRef::<html::Div>::new();
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| {
        if show_result(action.value().get(), errors, failure).is_some() {
            // A full load starts the signed-in app with its session, as after signing in.
            #[cfg(feature = "hydrate")]
            let _ = window().location().set_href("/?notice=welcome");
        }
    });
    view! {
        <AuthCard title="Accept your invitation">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new({
                    let token = token.clone();
                    let (first_typed, last_typed) = (first_typed.clone(), last_typed.clone());
                    async move {
                    match invitation.await {
                        Ok(Some(invitation)) => Either::Left(view! {
                            <p>
                                "You are invited to join " <strong>{invitation.organization_name.clone()}</strong>
                                " as " <strong>{invitation.role.as_str()}</strong> "."
                            </p>
                            <p class="muted small">{format!("Your account: {}", invitation.email)}</p>
                            {move || failure.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                            <ActionForm action attr:class="form" attr:novalidate=true>
                                <ErrorSummary errors node_ref=summary/>
                                <input type="hidden" name="token" value=token/>
                                <TokenError errors key="invitation_token" again_href="/login" again="Go to sign in"/>
                                <FormField errors key="first_name" label="First name" autocomplete="given-name"
                                    value=first_typed.or(invitation.first_name).unwrap_or_default()/>
                                <FormField errors key="last_name" label="Last name" autocomplete="family-name"
                                    value=last_typed.or(invitation.last_name).unwrap_or_default()/>
                                <FormField errors key="password" label="Password" input_type="password" autocomplete="new-password" hint="8 to 128 characters." required=true/>
                                <FormField errors key="password_confirmation" label="Confirm the password" input_type="password" autocomplete="new-password" required=true/>
                                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>"Accept invitation"</button>
                            </ActionForm>
                        }),
                        _ => Either::Right(view! {
                            <DeadLink what="invitation" help="Ask the person who invited you to send the invitation again."/>
                        }),
                    }
                }})}
            </Suspense>
        </AuthCard>
    }
}

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let token = path_token();
    let confirmation = resource(move || (), {
        let token = token.clone();
        move |_| get_confirmation(token.clone())
    });
    let action = ServerAction::<ConfirmAccount>::new();
    let (errors, failure) = split_error(initial_error(action));
    let summary = NodeRef::<html::Div>::new();
    let navigate = use_navigate();
    focus_when_shown(summary, move || errors.with(Option::is_some));
    Effect::new(move |_| {
        if show_result(action.value().get(), errors, failure).is_some() {
            navigate("/login?notice=confirmed", Default::default());
        }
    });
    view! {
        <AuthCard title="Confirm your email address">
            <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new({
                    let token = token.clone();
                    async move {
                    match confirmation.await {
                        Ok(Some(confirmation)) => Either::Left(view! {
                            <p>{format!("Confirm {} to sign in with it.", confirmation.email)}</p>
                            {move || failure.get().map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                            <ActionForm action attr:class="form" attr:novalidate=true>
                                <ErrorSummary errors node_ref=summary/>
                                <input type="hidden" name="token" value=token/>
                                <TokenError errors key="confirmation_token" again_href="/login" again="Go to sign in"/>
                                {confirmation.needs_password.then(|| view! {
                                    <FormField errors key="password" label="Password" input_type="password" autocomplete="new-password" hint="Choose the password of your account: 8 to 128 characters." required=true/>
                                    <FormField errors key="password_confirmation" label="Confirm the password" input_type="password" autocomplete="new-password" required=true/>
                                })}
                                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>"Confirm"</button>
                            </ActionForm>
                        }),
                        _ => Either::Right(view! {
                            <DeadLink what="confirmation" help="Ask an administrator to send the confirmation again."/>
                        }),
                    }
                }})}
            </Suspense>
        </AuthCard>
    }
}

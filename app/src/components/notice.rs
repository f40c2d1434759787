//! What happened after a redirect: `?notice=<code>` on the page a plain form post (no JavaScript)
//! was sent to. Codes, not text, so nobody can put words in our mouth through a link. The
//! JavaScript version says the same with a toast.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

pub fn notice_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "organization_created" => "Organization created.",
        "organization_saved" => "Organization saved.",
        "organization_deleted" => "Organization deleted.",
        "user_saved" => "User saved.",
        "user_unlocked" => "User unlocked: they can sign in again.",
        "address_unblocked" => "Address unblocked: it can sign in again.",
        "profile_saved" => "Profile saved.",
        "password_changed" => "Password changed. Your other sessions have ended.",
        "session_revoked" => "That session is signed out.",
        "other_sessions_revoked" => "Signed out everywhere else.",
        "signed_out" => "You are signed out.",
        "sms_sent" => "A new code is on its way to your phone.",
        "two_factor_enabled" => "Two-factor authentication is on. Keep your recovery codes somewhere safe.",
        "two_factor_disabled" => "Two-factor authentication is off.",
        "two_factor_setup_started" => "Scan the code with your authenticator app, then enter the code it shows.",
        "two_factor_sms_sent" => "A code is on its way to your phone: enter it to turn sign-in by text message on.",
        "recovery_codes_generated" => "New recovery codes generated: the old ones no longer work.",
        "default_method_saved" => "Default method saved.",
        "impersonating" => "You are acting as this user now. Stop impersonating from the banner when you are done.",
        "impersonation_ended" => "You are yourself again.",
        "access_token_generated" => "Access token generated. Copy it now: it is shown only once.",
        "access_token_revoked" => "Access token revoked. It no longer works.",
        "user_deleted" => "User deleted.",
        "preferences_saved" => "Notification preference saved.",
        "defaults_saved" => "Notification default saved.",
        "notification_marked" => "Notification updated.",
        "notification_deleted" => "Notification deleted.",
        "notifications_marked" => "All notifications updated.",
        "policy_saved" => "Notification policy saved.",
        "policy_reset" => "The organization follows the instance default again.",
        "handed_over" => "Handed over: the customers and pending invitations are with their new holder.",
        "user_invited" => "Invitation sent.",
        "user_created" => "User created.",
        "confirmation_resent" => "A new link is on its way; the previous one no longer works.",
        "import_checked" => "The file is fine: choose it again and Import.",
        "users_imported" => "Users imported. The new ones have their invitations.",
        "account_deleted" => "Your account is deleted.",
        "welcome" => "Welcome to Steward: your invitation is accepted.",
        "confirmed" => "Your email address is confirmed. You can sign in now.",
        "password_reset" => "Your password is set. Sign in with it.",
        "reset_sent" => "If an account uses that address, an email with a link to choose a new password is on its way.",
        _ => return None,
    })
}

/// The notice of this page's URL, if any, as a polite status message.
#[component]
pub fn Notice() -> impl IntoView {
    let query = use_query_map();
    let message = move || {
        query
            .read()
            .get("notice")
            .and_then(|code| notice_message(&code))
    };
    move || {
        message().map(|message| {
            view! { <div class="alert alert-success" role="status">{message}</div> }
        })
    }
}

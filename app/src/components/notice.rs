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
        "profile_saved" => "Profile saved.",
        "password_changed" => "Password changed. Your other sessions have ended.",
        "user_deleted" => "User deleted.",
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

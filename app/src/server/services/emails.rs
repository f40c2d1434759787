//! The transactional emails' words: a plain-text and an HTML body for each, with the link that
//! carries the one-time token. Links are built on the configured public URL, never on a request's
//! `Host` header (which an attacker could point at their own site to harvest reset tokens).

use super::outbox::Email;

/// Who an email is for and where its link goes.
pub struct Recipient<'a> {
    pub user_id: &'a str,
    pub organization_id: &'a str,
    pub email: &'a str,
    pub name: Option<&'a str>,
}

fn greeting(name: Option<&str>) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("Hello {name},"),
        None => "Hello,".to_string(),
    }
}

/// Text for an HTML body: `<`, `>`, `&` and quotes can't break out of it.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Both bodies of a message made of paragraphs and one call to action.
fn bodies(
    greeting: &str,
    paragraphs: &[String],
    action: &str,
    link: &str,
    after: &str,
) -> (String, String) {
    let mut text = format!("{greeting}\n\n");
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text.push_str(&format!("{action}: {link}\n\n{after}\n\n— Steward\n"));
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5\"><p>{}</p>",
        escape(greeting)
    );
    for p in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape(p)));
    }
    html.push_str(&format!(
        "<p><a href=\"{}\" style=\"display:inline-block;padding:8px 16px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none\">{}</a></p>\
         <p style=\"color:#555\">{}</p><p>— Steward</p></body></html>",
        escape(link),
        escape(action),
        escape(after)
    ));
    (text, html)
}

pub fn invitation<'a>(
    to: &Recipient<'a>,
    inviter: &str,
    organization: &str,
    role: &str,
    link: &str,
) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &[format!(
            "{inviter} invited you to join {organization} on Steward as {role}."
        )],
        "Accept the invitation",
        link,
        "The link works once and expires in 7 days. If you weren't expecting this, ignore this email.",
    );
    Email {
        template: "invitation",
        to: to.email,
        subject: format!("You are invited to {organization} on Steward"),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

pub fn confirmation<'a>(to: &Recipient<'a>, link: &str) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &[
            "An account on Steward was created for this address. Confirm it to sign in."
                .to_string(),
        ],
        "Confirm your email address",
        link,
        "The link works once and expires in 3 days.",
    );
    Email {
        template: "confirmation",
        to: to.email,
        subject: "Confirm your email address".to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

/// The notification policy's `passwordChange` trigger: the password of the account changed.
pub fn password_changed<'a>(to: &Recipient<'a>, reset_link: &str) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &["The password of your Steward account was just changed.".to_string()],
        "It wasn't me: reset my password",
        reset_link,
        "If you changed it, there is nothing to do. If you didn't, reset it now and tell your administrator.",
    );
    Email {
        template: "password_changed",
        to: to.email,
        subject: "Your password was changed".to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

/// The notification policy's `emailChange` trigger, sent to the old address.
pub fn email_changed<'a>(to: &Recipient<'a>, new_email: &str, reset_link: &str) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &[format!("The email address of your Steward account was changed to {new_email}.")],
        "It wasn't me: reset my password",
        reset_link,
        "If you asked for this, there is nothing to do. If you didn't, reset your password and tell your administrator.",
    );
    Email {
        template: "email_changed",
        to: to.email,
        subject: "Your email address was changed".to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

/// The notification policy's `accountLocked` trigger.
pub fn account_locked<'a>(to: &Recipient<'a>, reset_link: &str) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &["Your Steward account was locked after repeated failed sign-ins. It unlocks by itself after a while.".to_string()],
        "Reset my password",
        reset_link,
        "If these attempts weren't yours, someone may be guessing your password: choose a new one and tell your administrator.",
    );
    Email {
        template: "account_locked",
        to: to.email,
        subject: "Your account was locked".to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

/// The notification policy's `secondFactorRemoved` trigger.
pub fn second_factor_removed<'a>(to: &Recipient<'a>, reset_link: &str) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &["Two-factor authentication was turned off for your Steward account: signing in now takes only the password.".to_string()],
        "Reset my password",
        reset_link,
        "If you didn't do this, someone who knows your password may have: choose a new one and turn two-factor authentication on again.",
    );
    Email {
        template: "second_factor_removed",
        to: to.email,
        subject: "Two-factor authentication was turned off".to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

/// An event that matched the recipient's preference (API.md §5).
pub fn event_notification<'a>(
    to: &Recipient<'a>,
    title: &str,
    summary: &str,
    link: &str,
) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &[title.to_string(), summary.to_string()],
        "Open in Steward",
        link,
        "You receive this because of your notification preferences; change them under Notification preferences.",
    );
    Email {
        template: "event",
        to: to.email,
        subject: title.to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

pub fn password_reset<'a>(to: &Recipient<'a>, link: &str) -> Email<'a> {
    let (text, html) = bodies(
        &greeting(to.name),
        &["Someone asked to reset the password of your Steward account.".to_string()],
        "Choose a new password",
        link,
        "The link works once and expires in 2 hours. If it wasn't you, ignore this email: your password stays as it is.",
    );
    Email {
        template: "password_reset",
        to: to.email,
        subject: "Reset your password".to_string(),
        text,
        html: Some(html),
        user_id: Some(to.user_id),
        organization_id: Some(to.organization_id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_inject_markup() {
        let to = Recipient {
            user_id: "u",
            organization_id: "o",
            email: "a@example.com",
            name: Some("<script>x</script>"),
        };
        let email = invitation(&to, "Ada", "Acme & Co", "User", "http://h/invitation/t");
        let html = email.html.unwrap();
        assert!(!html.contains("<script>"));
        assert!(html.contains("Acme &amp; Co"));
        assert!(email.text.contains("http://h/invitation/t"));
    }
}

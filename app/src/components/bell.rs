//! The bell in the top bar: the signed-in user's unread count, rendered with the page and kept
//! current by asking the server every few seconds while the tab is in use (and at once when the
//! inbox changes on this page, or the window comes back after it lost focus). Polling rather than a stream: any
//! instance behind the load balancer answers it from one row.

use leptos::prelude::*;

/// How often an open page asks for the count.
pub const POLL_SECONDS: u64 = 10;

/// Bumped by the inbox after it marks or deletes, so the bell asks at once.
#[derive(Clone, Copy)]
pub struct InboxRevision(pub RwSignal<u64>);

impl InboxRevision {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}

/// "Notifications, 3 unread".
pub fn bell_label(unread: u64) -> String {
    match unread {
        0 => "Notifications, none unread".to_string(),
        1 => "Notifications, 1 unread".to_string(),
        n => format!("Notifications, {n} unread"),
    }
}

#[component]
pub fn Bell(unread: u64) -> impl IntoView {
    let unread = RwSignal::new(unread);
    // Said to screen readers when the count grows while the page is open.
    let announcement = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    {
        use crate::api::inbox::get_inbox_counts;
        use std::time::Duration;

        let refresh = move || {
            leptos::task::spawn_local(async move {
                if let Ok(counts) = get_inbox_counts().await {
                    let before = unread.get_untracked();
                    if counts.unread > before {
                        announcement.set(match counts.unread - before {
                            1 => "1 new notification".to_string(),
                            n => format!("{n} new notifications"),
                        });
                    }
                    unread.set(counts.unread);
                }
            });
        };
        let visible = || !document().hidden();
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if visible() {
                    refresh();
                }
            },
            Duration::from_secs(POLL_SECONDS),
        ) {
            on_cleanup(move || handle.clear());
        }
        // "Regains focus" is a focus after a blur this page saw. The page arrived with a fresh
        // count, and a window also gets a focus when another one closes, or as it loads: asking
        // then brings nothing new, and on a split page (still hydrating while its module loads)
        // it would be a server call during hydration.
        let away = StoredValue::new(false);
        let blur = window_event_listener(leptos::ev::blur, move |_| away.set_value(true));
        let focus = window_event_listener(leptos::ev::focus, move |_| {
            if away.get_value() {
                away.set_value(false);
                refresh();
            }
        });
        on_cleanup(move || {
            blur.remove();
            focus.remove();
        });
        if let Some(revision) = use_context::<InboxRevision>() {
            Effect::new(move |first: Option<()>| {
                revision.0.track();
                if first.is_some() {
                    refresh();
                }
            });
        }
    }
    let label = move || bell_label(unread.get());
    view! {
        <a href="/notifications" class="icon-button bell" aria-label=label title=label>
            <svg class="bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-1.7 1.7A1 1 0 0 0 4 19.4h16a1 1 0 0 0 .7-1.7L19 16Z"/>
            </svg>
            <Show when=move || { unread.get() > 0 }>
                <span class="bell-count" aria-hidden="true">{move || {
                    let n = unread.get();
                    if n > 99 { "99+".to_string() } else { n.to_string() }
                }}</span>
            </Show>
        </a>
        <span class="sr-only" role="status" aria-live="polite">{move || announcement.get()}</span>
    }
}

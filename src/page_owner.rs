//! Runs each page render with its request's reactive owner current, which Leptos' response builder
//! assumes but does not ensure.
//!
//! After a page has rendered, `leptos_integration_utils` (0.8.9, `ExtendResponse::from_app`) adds
//! to `<head>` a `<link rel="preload">` for every wasm chunk of the split (lazy) routes the page
//! used. It finds the split manifest, the nonce and the `<head>` being built with `use_context`,
//! outside any `Owner::with`, so it reads whichever owner the worker thread last had: another
//! request's, a finished one's or none. The links came out on some requests and not on others, and a
//! first visit landing on a split page then fetched its chunks only after the bundle had run.
//!
//! [`scope`] makes the request's root owner the current one whenever the page handler is polled.
//! The render's own futures still set their owners while they run; only the code in between, which
//! had a random one, now has the right one.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use leptos::reactive::owner::{Owner, WeakOwner};
use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    /// The root owner of the page being rendered by this task, once Leptos has created it. Weak,
    /// so that it never keeps a finished render's reactive tree alive.
    static PAGE_OWNER: RefCell<Option<WeakOwner>>;
}

/// Middleware: polls the rest of the stack with the page's root owner current (once [`remember`]
/// has seen it; REST handlers never call it and run as before).
pub async fn scope(request: Request, next: Next) -> Response {
    let response = next.run(request);
    PAGE_OWNER
        .scope(RefCell::new(None), async move {
            let mut response = std::pin::pin!(response);
            std::future::poll_fn(|cx| {
                // The borrow ends here, before the poll in which `remember` may write the slot.
                let owner =
                    PAGE_OWNER.with(|slot| slot.borrow().as_ref().and_then(WeakOwner::upgrade));
                match owner {
                    Some(owner) => owner.with(|| response.as_mut().poll(cx)),
                    None => response.as_mut().poll(cx),
                }
            })
            .await
        })
        .await
}

/// Called from the pages' additional context, which Leptos runs inside the request's root owner.
pub fn remember() {
    let Some(owner) = Owner::current() else {
        return;
    };
    // Outside `scope` (a test rendering a page by itself) there is nothing to remember it for.
    let _ = PAGE_OWNER.try_with(|slot| *slot.borrow_mut() = Some(owner.downgrade()));
}

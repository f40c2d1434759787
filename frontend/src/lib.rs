//! The browser entry: hydrate the server-rendered page.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Asynchronous hydration: every `Suspend` is awaited in place, and only then is hydration
    // declared complete. With the synchronous `hydrate_body`, a `Suspend` that is not ready on its
    // first poll (the signed-in layout waiting for the current user, say) finishes *after*
    // hydration has been declared complete, so the pages created inside it no longer read their
    // data from the server's serialized resources: they fetch it again, and when it changed in
    // between (parallel writers) the fresh data no longer matches the server's HTML — a hydration
    // error (seen on the dashboard's activity list under the parallel end-to-end suite).
    // (`hydrate_from_async` sets up Leptos' executor itself; this only drives the outer future.)
    wasm_bindgen_futures::spawn_local(async {
        let owner = leptos::mount::hydrate_from_async(leptos::tachys::dom::body(), app::App).await;
        owner.forget();
        // The end-to-end tests wait for this before clicking.
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        // Only now: the pages split off the first bundle never delay this one.
        app::prefetch_pages_on_intent();
    });
}

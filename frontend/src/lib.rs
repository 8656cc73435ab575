//! The browser entry point: hydrates the server-rendered page into the interactive app.
// The views of the app nest deeply; built without erase_components (as clippy may be), their
// types need more than the default query depth.
#![recursion_limit = "512"]

/// Hydrates the page. The pages are lazy routes (their code is in chunks of their own, loaded
/// when first visited), so hydration first loads the current page's chunk: the returned promise
/// settles once the page is interactive, which is when the held early clicks may be replayed.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn hydrate() {
    console_error_panic_hook::set_once();
    let body = leptos::prelude::document()
        .body()
        .expect("a page always has a body");
    leptos::mount::hydrate_from_async(body, app::App)
        .await
        .forget();
}

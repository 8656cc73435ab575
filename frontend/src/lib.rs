//! The browser entry point: hydrates the server-rendered page into the interactive app.
// The views of the app nest deeply; without erase_components (release builds) their types
// need more than the default query depth.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

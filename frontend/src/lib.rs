//! The browser entry point: hydrates the server-rendered page into the interactive app.
// The views of the app nest deeply; built without erase_components (as clippy may be), their
// types need more than the default query depth.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

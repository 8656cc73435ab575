//! Asks before leaving a page with unsaved changes: a link inside the app (the router would
//! drop the page's state), a reload, closing the tab.

use leptos::prelude::*;

const QUESTION: &str = "Your changes are not saved. Leave this page and lose them?";

/// Guards the page while `dirty` is true. Call it from a component that exists only in the
/// browser (its listeners are made in an effect, which the server never runs).
pub fn leave_guard(dirty: Signal<bool>) {
    Effect::new(move |_| {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                if !dirty.try_get_untracked().unwrap_or(false) {
                    return;
                }
                let link = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("a[href]").ok().flatten());
                if link.is_some() && !window().confirm_with_message(QUESTION).unwrap_or(true) {
                    ev.prevent_default();
                    ev.stop_immediate_propagation();
                }
            });
        let doc = document();
        // Capturing, so it runs before the router's own click handler.
        let _ = doc.add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if dirty.try_get_untracked().unwrap_or(false) {
                ev.prevent_default();
                ev.set_return_value(QUESTION);
            }
        });
        // Browser objects are not Send; this cleanup only ever runs in the browser's one thread.
        let listener = send_wrapper::SendWrapper::new((doc, on_click));
        on_cleanup(move || {
            let (doc, on_click) = listener.take();
            let _ = doc.remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
            unload.remove();
        });
    });
}

//! A confirmation dialog for destructive actions.

use leptos::prelude::*;

/// Shows `message` with Cancel and a danger button labelled `confirm_label` while `open` is
/// true. Escape and Cancel close it; the danger button calls `on_confirm`.
#[component]
pub fn ConfirmDialog(
    open: RwSignal<bool>,
    title: Signal<String>,
    message: Signal<String>,
    #[prop(into)] confirm_label: String,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    let confirm_ref = NodeRef::<leptos::html::Button>::new();
    // The control that opened the dialog gets focus back when it closes (if it is still
    // there). It is marked in the DOM, not held: a browser object cannot live in the reactive
    // graph the server renders with.
    const OPENER: &str = "data-dialog-opener";
    Effect::new(move |was_open: Option<bool>| {
        let now = open.get();
        if now && was_open != Some(true) {
            if let Some(active) = document().active_element() {
                let _ = active.set_attribute(OPENER, "");
            }
            if let Some(b) = cancel_ref.get() {
                let _ = b.focus();
            }
        } else if !now && was_open == Some(true) {
            use wasm_bindgen::JsCast;
            if let Some(el) = document()
                .query_selector(&format!("[{OPENER}]"))
                .ok()
                .flatten()
            {
                let _ = el.remove_attribute(OPENER);
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
        now
    });
    // Tab and Shift+Tab go round the dialog's two buttons, never behind it.
    let trap = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let (Some(first), Some(last)) = (cancel_ref.get(), confirm_ref.get()) else {
            return;
        };
        let active = document().active_element();
        let at = |b: &web_sys::HtmlButtonElement| {
            active
                .as_ref()
                .is_some_and(|a| a == AsRef::<web_sys::Element>::as_ref(b))
        };
        if ev.shift_key() && at(&first) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && at(&last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    };
    view! {
        <Show when=move || open.get()>
            <div class="dialog-backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby="confirm-title"
                aria-describedby="confirm-message"
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        open.set(false);
                    } else {
                        trap(ev);
                    }
                }
            >
                <h2 id="confirm-title">{move || title.get()}</h2>
                <p id="confirm-message">{move || message.get()}</p>
                <div class="dialog-actions">
                    <button type="button" class="btn" node_ref=cancel_ref on:click=move |_| open.set(false)>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="btn btn-danger"
                        node_ref=confirm_ref
                        on:click={
                            let on_confirm = on_confirm;
                            move |_| {
                                open.set(false);
                                on_confirm.run(());
                            }
                        }
                    >
                        {confirm_label.clone()}
                    </button>
                </div>
            </div>
        </Show>
    }
}

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
    Effect::new(move |_| {
        if open.get() {
            if let Some(b) = cancel_ref.get() {
                let _ = b.focus();
            }
        }
    });
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

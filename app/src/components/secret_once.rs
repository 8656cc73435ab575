//! A secret shown once (a new API token, a one-time password): it stays on screen until the
//! user says they have stored it, with a button that copies it.

use leptos::prelude::*;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText`: a promise, rejected where the page may not write.
    #[wasm_bindgen(js_namespace = ["navigator", "clipboard"], js_name = writeText, catch)]
    fn write_text(text: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

/// Copies `text`; false when the browser refused (then the user selects and copies it).
async fn copy(text: &str) -> bool {
    let Ok(promise) = write_text(text) else {
        return false;
    };
    let promise: js_sys::Promise = promise.into();
    js_sys::futures::JsFuture::from(promise).await.is_ok()
}

#[component]
pub fn SecretOnce(
    /// What to do with it ("Copy this token now: it will not be shown again.").
    #[prop(into)]
    message: String,
    secret: String,
    /// The user has stored it: the panel goes.
    on_dismiss: Callback<()>,
    #[prop(into)] testid: String,
) -> impl IntoView {
    // None: not tried; Some(false): the browser refused, so say how to copy it by hand.
    let copied = RwSignal::new(None::<bool>);
    let text = StoredValue::new(secret.clone());
    view! {
        <div class="secret-once" data-testid=testid>
            <p>{message}</p>
            <code class="secret" data-testid="secret">{secret}</code>
            <div class="form-actions">
                <button type="button" class="btn"
                    on:click=move |_| {
                        let text = text.get_value();
                        leptos::task::spawn_local(async move { copied.set(Some(copy(&text).await)) });
                    }>
                    {move || match copied.get() {
                        Some(true) => "Copied",
                        _ => "Copy",
                    }}
                </button>
                <button type="button" class="btn" on:click=move |_| on_dismiss.run(())>"Done, I have stored it"</button>
            </div>
            <p class="field-help" role="status">{move || match copied.get() {
                Some(true) => "Copied to the clipboard.",
                Some(false) => "The browser did not allow copying: select the text and copy it.",
                None => "",
            }}</p>
        </div>
    }
}

//! The one form pattern every form follows (the environment form's): each field's errors show
//! on it once it is touched or the form submitted, all at once, the field marked
//! `aria-invalid` and described by its error; a refused submit moves focus to the first field
//! in error.

use leptos::prelude::*;

/// After a refused submit: focus the first field marked invalid, once the errors are drawn.
pub fn focus_first_invalid() {
    request_animation_frame(|| {
        use wasm_bindgen::JsCast;
        let first = document()
            .query_selector("main form [aria-invalid='true']")
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = first {
            let _ = el.focus();
        }
    });
}

/// A field's error line, referenced by the field's `aria-describedby` (`{id}-error`).
#[component]
pub fn FieldError(
    /// The field's id.
    id: &'static str,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p id=format!("{id}-error") class="field-error" data-testid=format!("{id}-error")>{move || error.get()}</p>
    }
}

/// Which fields the user has touched, and whether a submit was tried: a field's errors show
/// once either is true, so an untouched form is not covered in red.
#[derive(Clone, Copy)]
pub struct Touched {
    fields: RwSignal<Vec<String>>,
    submitted: RwSignal<bool>,
}

impl Touched {
    /// `all`: show every error from the start (an edit form, whose values were once saved).
    pub fn new(all: bool) -> Self {
        Touched {
            fields: RwSignal::new(Vec::new()),
            submitted: RwSignal::new(all),
        }
    }

    pub fn touch(&self, field: &str) {
        if !self.fields.with_untracked(|f| f.iter().any(|t| t == field)) {
            self.fields.update(|f| f.push(field.to_string()));
        }
    }

    pub fn submit(&self) {
        self.submitted.set(true);
    }

    pub fn shows(&self, field: &str) -> bool {
        self.submitted.get() || self.fields.with(|f| f.iter().any(|t| t == field))
    }
}

/// A refusal from the server, shown on its field until that field is edited.
#[derive(Clone, Copy)]
pub struct ServerError(pub RwSignal<Option<model::error::ApiError>>);

impl ServerError {
    pub fn new() -> Self {
        ServerError(RwSignal::new(None))
    }

    pub fn set(&self, e: model::error::ApiError) {
        self.0.set(Some(e));
    }

    /// The server's message for this field, if it refused it.
    pub fn on(&self, field: &str) -> Option<String> {
        self.0.get().and_then(|e| e.for_field(field))
    }

    /// The refusal when it names none of these fields (shown above the form).
    pub fn other(&self, fields: &[&str]) -> Option<String> {
        self.0
            .get()
            .filter(|e| !e.field.as_deref().is_some_and(|f| fields.contains(&f)))
            .map(|e| e.error)
    }

    /// The field was edited: its refusal no longer applies.
    pub fn edited(&self, field: &str) {
        if self.0.with_untracked(|e| {
            e.as_ref()
                .is_some_and(|e| e.field.as_deref() == Some(field))
        }) {
            self.0.set(None);
        }
    }
}

impl Default for ServerError {
    fn default() -> Self {
        Self::new()
    }
}

/// A new form opens with its first field focused (the `autofocus` attribute works only on a
/// document's first load, not after the app has navigated).
pub fn focus_first_field() {
    Effect::new(|_| {
        request_animation_frame(|| {
            use wasm_bindgen::JsCast;
            let first = document()
                .query_selector(
                    "main form input:not([type=hidden]):not([type=file]), main form textarea, main form select",
                )
                .ok()
                .flatten()
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = first {
                let _ = el.focus();
            }
        });
    });
}

//! Success and error messages, announced to screen readers through an aria-live region.

use leptos::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    pub id: u64,
    pub kind: ToastKind,
    pub text: String,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: RwSignal<u64>,
}

impl Toasts {
    pub fn push(&self, kind: ToastKind, text: impl Into<String>) {
        let id = self.next.get_untracked();
        self.next.set(id + 1);
        self.list.update(|l| {
            l.push(Toast {
                id,
                kind,
                text: text.into(),
            });
            // keep the region short
            if l.len() > 4 {
                l.remove(0);
            }
        });
        let list = self.list;
        set_timeout(
            move || list.update(|l| l.retain(|t| t.id != id)),
            std::time::Duration::from_secs(6),
        );
    }

    pub fn success(&self, text: impl Into<String>) {
        self.push(ToastKind::Success, text)
    }

    pub fn error(&self, text: impl Into<String>) {
        self.push(ToastKind::Error, text)
    }

    fn dismiss(&self, id: u64) {
        self.list.update(|l| l.retain(|t| t.id != id));
    }
}

pub fn provide_toasts() {
    provide_context(Toasts {
        list: RwSignal::new(Vec::new()),
        next: RwSignal::new(0),
    });
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.list.get() key=|t| t.id let:t>
                <div class=move || {
                    match t.kind {
                        ToastKind::Success => "toast toast-success",
                        ToastKind::Error => "toast toast-error",
                    }
                }>
                    <span>{t.text.clone()}</span>
                    <button
                        type="button"
                        class="toast-close"
                        aria-label="Dismiss"
                        on:click=move |_| toasts.dismiss(t.id)
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}

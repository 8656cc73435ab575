//! Importing a kubeconfig through the UI: paste it or choose the file, see what the import would
//! make (a preview the server computes with every rule, keeping nothing), then import.

use crate::server_fns::connections::import_kubeconfig;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use model::connection::KubeconfigImport;

#[component]
pub fn KubeconfigImportPage() -> impl IntoView {
    let yaml = RwSignal::new(String::new());
    // The preview of what is in the field now; editing the field drops it.
    let preview = RwSignal::new(None::<KubeconfigImport>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let toasts = crate::components::toast::use_toasts();
    let navigate = use_navigate();
    let edit = move |text: String| {
        yaml.set(text);
        preview.set(None);
        error.set(None);
    };
    let run = move |dry_run: bool| {
        let text = yaml.get_untracked();
        if text.trim().is_empty() {
            error.set(Some("Paste a kubeconfig or choose its file first.".into()));
            crate::components::form::focus_first_invalid();
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match import_kubeconfig(text, dry_run).await {
                Ok(result) if dry_run => preview.set(Some(result)),
                Ok(result) => {
                    let made = result.connections.iter().filter(|c| c.created).count();
                    let there = result.connections.len() - made;
                    toasts.success(match there {
                        0 => format!("Imported {}", model::text::count(made, "connection")),
                        n => format!(
                            "Imported {} ({} already there)",
                            model::text::count(made, "connection"),
                            n
                        ),
                    });
                    navigate("/connections?order=created_at%20desc", Default::default());
                }
                Err(e) => {
                    error.set(Some(e.error));
                    crate::components::form::focus_first_invalid();
                }
            }
            busy.set(false);
        });
    };
    let run_preview = run.clone();
    view! {
        <Title text="Import a kubeconfig" />
        <p class="breadcrumb"><a href="/connections">"Connections"</a> " /"</p>
        <h1>"Import a kubeconfig"</h1>
        <div class="form-card wide">
            <p class="field-help">"Each context becomes a kubernetes connection, with a credential made from its user (its token or client certificate, sent only to that cluster). Importing the same file again makes nothing new. Files that read certificates from other files need "
                <code>"kubectl config view --flatten --raw"</code>" first."</p>
            <div class="field">
                <label for="kubeconfig-file">"Kubeconfig file"</label>
                <input id="kubeconfig-file" type="file" accept=".yaml,.yml,.conf,text/yaml,text/plain,*"
                    on:change=move |ev| {
                        use wasm_bindgen::JsCast;
                        let file = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                            .and_then(|input| input.files())
                            .and_then(|files| files.get(0));
                        if let Some(file) = file {
                            spawn_local(async move {
                                match js_sys::futures::JsFuture::from(file.text()).await {
                                    Ok(text) => edit(text.as_string().unwrap_or_default()),
                                    Err(_) => error.set(Some("That file could not be read.".into())),
                                }
                            });
                        }
                    } />
            </div>
            <div class="field">
                <label for="kubeconfig-yaml">"Or paste it"</label>
                <textarea id="kubeconfig-yaml" rows="12" spellcheck="false" autocomplete="off"
                    placeholder="apiVersion: v1\nkind: Config\nclusters: …"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby="kubeconfig-yaml-error"
                    prop:value=move || yaml.get()
                    on:input=move |ev| edit(event_target_value(&ev))></textarea>
                <p id="kubeconfig-yaml-error" class="field-error" role="alert">{move || error.get()}</p>
            </div>
            <div class="form-actions">
                <a class="btn" href="/connections">"Cancel"</a>
                <button type="button" class="btn" disabled=move || busy.get()
                    on:click=move |_| run_preview(true)>
                    {move || if busy.get() && preview.with(Option::is_none) { "Reading…" } else { "Preview" }}
                </button>
            </div>
        </div>
        {move || preview.get().map(|p| {
            let new = p.connections.iter().filter(|c| c.created).count();
            let run = run.clone();
            view! {
                <section class="card" data-testid="kubeconfig-preview" aria-labelledby="preview-title">
                    <h2 id="preview-title">{format!(
                        "{} in this file: {} to import",
                        model::text::count(p.connections.len(), "context"),
                        new
                    )}</h2>
                    <div class="table-wrap"><table class="data">
                        <thead><tr>
                            <th scope="col">"Context"</th>
                            <th scope="col">"Connection"</th>
                            <th scope="col">"API server"</th>
                            <th scope="col">"Credential"</th>
                            <th scope="col">"Import"</th>
                        </tr></thead>
                        <tbody>
                            {p.connections.into_iter().map(|c| view! {
                                <tr data-testid="preview-row">
                                    <td class="col-name">{c.context.clone()}</td>
                                    <td>{c.name.clone()}</td>
                                    <td><code>{c.url.clone()}</code></td>
                                    <td>{if c.credential_id.is_some() { "from the file's user" } else { "none" }}</td>
                                    <td>{if c.created { "new" } else { "already imported" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary" disabled=move || busy.get() || new == 0
                            on:click=move |_| run(false)>
                            {move || if busy.get() { "Importing…".to_string() } else { format!("Import {}", model::text::count(new, "connection")) }}
                        </button>
                    </div>
                </section>
            }
        })}
    }
    .into_any()
}

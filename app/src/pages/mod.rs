//! The pages of the UI.

pub mod audit;
pub mod connection_detail;
pub mod connection_form;
pub mod connections;
pub mod credential_detail;
pub mod credential_form;
pub mod credentials;
pub mod environment_detail;
pub mod environment_form;
pub mod environments;
pub mod kubeconfig_import;
pub mod layout;
pub mod login;
pub mod members;
pub mod sessions;
pub mod settings;
pub mod team_detail;
pub mod teams;
pub mod workspace_detail;
pub mod workspace_teams;
pub mod workspaces;

use leptos::prelude::*;

/// The object of a page as it stands after the user's own changes there: the value the page
/// loaded with, fetched again after each save. The parts of the page that show what a save
/// changes (a state, a count) read this signal, so a save refreshes them without re-rendering,
/// and resetting, the rest of the page (a transfer list's searches, selections and focus).
/// A plain signal rather than a resource read in a `Transition`: nothing is written into the
/// page for it, and hydrating the parts that read it runs no async code, which the browser
/// would first have to compile.
pub fn after_saves<T, Fut>(
    initial: T,
    id: uuid::Uuid,
    saved: RwSignal<u32>,
    fetch: impl Fn(uuid::Uuid) -> Fut + 'static,
) -> RwSignal<T>
where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, model::error::ApiError>> + 'static,
{
    let now = RwSignal::new(initial);
    Effect::new(move |_| {
        let n = saved.get();
        if n == 0 {
            return;
        }
        let fetching = fetch(id);
        leptos::task::spawn_local(async move {
            // The answer to an earlier save never overwrites a later save's; nor does anything
            // land once the page is gone.
            if let Ok(v) = fetching.await {
                if saved.try_get_untracked() == Some(n) {
                    now.try_set(v);
                }
            }
        });
    });
    now
}

/// The object id in the page's route (`/environments/:id`), if it is one.
pub fn route_id() -> impl Fn() -> Option<uuid::Uuid> + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| uuid::Uuid::parse_str(&s).ok())
    }
}

/// A page only some roles can use (a form to create or edit): for anyone else, the
/// "not available to you" page instead of a form the server would refuse. The organization is
/// the page's `orgID` when it names one; otherwise any organization where the person may.
#[component]
pub fn AdminsOnly(
    op: model::access::Op,
    /// Why not, and whom to ask.
    #[prop(into)]
    why: String,
    children: ChildrenFn,
) -> impl IntoView {
    let me = use_context::<model::user::Me>();
    let named = leptos_router::hooks::use_query_map()
        .with_untracked(|q| q.get("orgID"))
        .and_then(|s| uuid::Uuid::parse_str(&s).ok());
    let allowed = match named {
        Some(org) => crate::helpers::permissions::allows(me.as_ref(), Some(org), op),
        None => crate::helpers::permissions::allows_anywhere(me.as_ref(), op),
    };
    if allowed {
        children().into_any()
    } else {
        view! { <NotAvailable why /> }.into_any()
    }
}

pub use model::text::safe_next;

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A query string from name/value pairs, leaving out empty values.
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", encode(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A list page's query as the URL carries it.
pub fn raw_query(q: &leptos_router::params::ParamsMap) -> model::list::RawListQuery {
    model::list::RawListQuery {
        org_id: q.get("orgID"),
        page: q.get("page"),
        pagesize: q.get("pagesize").or_else(|| q.get("pageSize")),
        search: q.get("search"),
        order: q.get("order"),
        filter: q.get("filter"),
    }
}

/// A list page's data: fetched for its query (or the query's error shown), again on `reload`.
pub fn list_resource<Q, P, F, Fut>(
    parsed: Memo<Result<Q, model::error::ApiError>>,
    reload: RwSignal<u32>,
    fetch: F,
) -> Resource<Result<P, model::error::ApiError>>
where
    Q: Clone + PartialEq + Send + Sync + 'static,
    P: Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    F: Fn(Q) -> Fut + Copy + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<P, model::error::ApiError>> + Send + 'static,
{
    Resource::new(
        move || (parsed.get(), reload.get()),
        move |(q, _)| async move {
            match q {
                Ok(q) => fetch(q).await,
                Err(e) => Err(e),
            }
        },
    )
}

/// The query parameter `name` in the address as a page number (0 when absent or not a
/// number): which page of a list an object's page shows.
pub fn page_param(name: &'static str) -> impl Fn() -> u32 + Copy + Send + Sync + 'static {
    let query = leptos_router::hooks::use_query_map();
    move || {
        query
            .with(|q| q.get(name))
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    }
}

/// A list page's URL for a query.
pub fn list_href(path: &str, raw: model::list::RawListQuery) -> String {
    format!(
        "{path}{}",
        query_string(&[
            ("orgID", raw.org_id),
            ("search", raw.search),
            ("filter", raw.filter),
            ("order", raw.order),
            ("pagesize", raw.pagesize),
            ("page", raw.page),
        ])
    )
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="centered">
            <h1>"Page not found"</h1>
            <p><a href="/environments">"Back to environments"</a></p>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/settings")), "/settings");
        assert_eq!(safe_next(Some("//evil.example")), "/environments");
        assert_eq!(safe_next(Some("https://evil.example")), "/environments");
        assert_eq!(safe_next(None), "/environments");
        assert_eq!(
            safe_next(Some("/environments?search=a%20b")),
            "/environments?search=a%20b"
        );
        for bad in ["/x\u{7f}y", "/a\nLocation: //evil", "/a b", "/é"] {
            assert_eq!(safe_next(Some(bad)), "/environments", "{bad:?}");
        }
    }

    #[test]
    fn query_strings_encode_and_skip_empty() {
        assert_eq!(
            query_string(&[
                ("search", Some("a b&c".into())),
                ("page", None),
                ("order", Some(String::new()))
            ]),
            "?search=a%20b%26c"
        );
        assert_eq!(query_string(&[]), "");
    }
}

/// A page the signed-in person's role cannot use, said plainly instead of a form that would be
/// refused. Answered with 403 on the server render.
#[component]
pub fn NotAvailable(
    /// Why, and whom to ask.
    #[prop(into)]
    why: String,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <leptos_meta::Title text="Not available to you" />
        <div class="empty-state" data-testid="not-available">
            <h1>"Not available to you"</h1>
            <p>{why}</p>
            <a class="btn" href="/environments">"Back to environments"</a>
        </div>
    }
}

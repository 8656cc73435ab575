//! The Teams page: the organization's teams (for its admins, and for workspace admins, who give
//! their workspace to teams), searchable and paged, and for admins the form that creates one.

use crate::components::confirm::ConfirmDialog;
use crate::components::delete_flow::DeleteFlow;
use crate::components::pager::Pager;
use crate::helpers::permissions::org_allows;
use crate::server_fns::teams::{delete_team, list_teams, CreateTeam};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use model::access::Op;
use model::list::RawListQuery;
use model::team::{parse_team_query, TeamPage};

#[component]
pub fn TeamsPage() -> impl IntoView {
    let query_map = use_query_map();
    let parsed = Memo::new(move |_| query_map.with(|q| parse_team_query(&super::raw_query(q))));
    let search = move || query_map.with(|q| q.get("search")).unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let create = ServerAction::<CreateTeam>::new();
    let toasts = crate::components::toast::use_toasts();
    let navigate = leptos_router::hooks::use_navigate();
    // A new team is empty: land on it, where its members are added.
    Effect::new(move |_| {
        if let Some(Ok(team)) = create.value().get() {
            toasts.success(format!("Created team '{}'", team.name));
            navigate(&format!("/teams/{}", team.id), Default::default());
        }
    });
    let page = super::list_resource(parsed, reload, list_teams);
    let deleting = DeleteFlow::new("Deleted team", "delete", reload, delete_team);
    let org = parsed.with_untracked(|q| q.as_ref().ok().and_then(|q| q.org_id));
    let admin = org_allows(org, Op::ManageTeams);
    let error = move || create.value().get().and_then(|r| r.err());
    view! {
        <Title text="Teams" />
        <div class="page-head">
            <h1>"Teams"</h1>
        </div>
        <p class="field-help">
            "A team is a group of people. Give a workspace to a team, and everyone in it uses that workspace's connections, with the team's role."
        </p>
        {admin.then(|| view! {
            <section class="form-card">
                <h2>"New team"</h2>
                <ActionForm action=create>
                    <div class="field">
                        <label for="team-name">"Name"</label>
                        <input id="team-name" name="name" required maxlength="255" autocomplete="off"
                            aria-invalid=move || error().and_then(|e| e.for_field("name")).is_some().to_string()
                            aria-describedby="team-name-error" />
                        <p id="team-name-error" class="field-error" role="alert">{move || error().and_then(|e| e.for_field("name"))}</p>
                    </div>
                    <div class="field">
                        <label for="team-description">"Description"</label>
                        <textarea id="team-description" name="description" maxlength="5000"></textarea>
                    </div>
                    <input type="hidden" name="reason" value="" />
                    <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()
                        aria-busy=move || create.pending().get().then_some("true")>
                        {move || if create.pending().get() { "Creating…" } else { "Create team" }}
                    </button>
                </ActionForm>
            </section>
        })}
        <Form method="GET" action="/teams" attr:class="searchbar" attr:role="search">
            <label for="team-search" class="visually-hidden">"Search teams"</label>
            <input id="team-search" type="search" name="search" placeholder="Search by name or description" prop:value=search />
            <button type="submit" class="btn">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Table page=p admin search=search() on_delete=move |id, name| deleting.ask(id, name) /> }.into_any(),
                    Err(e) => view! { <p class="error-banner" role="alert">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
        <ConfirmDialog
            open=deleting.open
            title=deleting.title("Delete")
            message=Signal::derive(|| "The team is deleted: its members lose what only the team gave them. Their accounts and their own memberships stay.".to_string())
            confirm_label="Delete team"
            on_confirm=deleting.confirmed
        />
    }
}

#[component]
fn Table<F>(page: TeamPage, admin: bool, search: String, on_delete: F) -> impl IntoView
where
    F: Fn(uuid::Uuid, String) + Copy + Send + Sync + 'static,
{
    if page.teams.is_empty() {
        let text = match (search.is_empty(), admin) {
            (false, _) => "No team matches this search.",
            (true, true) => {
                "No teams yet. Create one above, add its people, and give it workspaces."
            }
            (true, false) => "No teams yet. An organization admin creates them.",
        };
        return view! { <div class="empty-state"><p>{text}</p></div> }.into_any();
    }
    let (current, size, total) = (page.page, page.page_size, page.total_count);
    let rows = page
        .teams
        .into_iter()
        .map(|t| {
            let (id, name) = (t.id, t.name.clone());
            view! {
                <tr data-testid="team-row">
                    <td class="col-name"><a href=format!("/teams/{}", t.id)>{t.name.clone()}</a></td>
                    <td class="col-description">{t.description.clone()}</td>
                    <td class="col-count">{t.member_count}</td>
                    <td class="col-count">{t.workspace_count}</td>
                    <td>{t.provider.clone().map(|p| format!("from {p}")).unwrap_or_else(|| "by hand".into())}</td>
                    <td class="col-actions">
                        {admin.then(|| view! {
                            <button type="button" class="btn btn-small btn-danger-quiet"
                                aria-label=format!("Delete {name}")
                                on:click=move |_| on_delete(id, name.clone())>"Delete"</button>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let at = move |n: u32| {
        let raw = RawListQuery {
            page: Some(n.to_string()),
            search: Some(search.clone()),
            ..Default::default()
        };
        super::list_href("/teams", raw)
    };
    view! {
        <div class="table-wrap">
            <table class="data">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Description"</th>
                        <th scope="col">"Members"</th>
                        <th scope="col">"Workspaces"</th>
                        <th scope="col">"Kept"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager page=current page_size=size total=total noun="teams" href=at />
    }
    .into_any()
}

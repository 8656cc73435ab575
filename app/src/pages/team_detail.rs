//! One team: its name, where its members come from, and its members (paged; organization admins
//! add people by email and take them out, unless an identity provider fills the team).

use crate::components::pager::Pager;
use crate::components::toast::use_toasts;
use crate::helpers::permissions::org_allows;
use crate::server_fns::teams::{get_team, list_team_members, remove_team_member, AddTeamMember};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use model::access::Op;
use model::list::{ListQuery, RawListQuery};
use model::team::{Team, TeamMemberPage};
use uuid::Uuid;

const PAGE_SIZE: u32 = 50;

#[component]
pub fn TeamDetailPage() -> impl IntoView {
    let id = super::route_id();
    let page_no = super::page_param("page");
    let saved = RwSignal::new(0u32);
    let add = ServerAction::<AddTeamMember>::new();
    Effect::new(move |_| {
        if add.version().get() > 0 {
            saved.update(|n| *n += 1);
        }
    });
    let team = Resource::new(
        move || (id(), saved.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_team(id).await,
                None => Err(model::error::ApiError::not_found("team")),
            }
        },
    );
    let members = Resource::new(
        move || (id(), page_no(), saved.get()),
        |(id, page, _)| async move {
            let query = ListQuery {
                page,
                page_size: PAGE_SIZE,
                ..Default::default()
            };
            match id {
                Some(id) => list_team_members(id, query).await,
                None => Err(model::error::ApiError::not_found("team")),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Err(e) => view! {
                        <p class="breadcrumb"><a href="/teams">"Teams"</a> " /"</p>
                        <p class="error-banner" role="alert">{e.error}</p>
                    }.into_any(),
                    Ok(t) => {
                        let manage = org_allows(Some(t.organization_id), Op::ManageTeams)
                            && t.provider.is_none();
                        view! {
                            <Title text=t.name.clone() />
                            <p class="breadcrumb"><a href="/teams">"Teams"</a> " /"</p>
                            <h1>{t.name.clone()}</h1>
                            <p class="field-help">{t.description.clone()}</p>
                            <Source t=t.clone() />
                            <section class="form-card wide">
                                <h2>{format!("Members ({})", t.member_count)}</h2>
                                {manage.then(|| view! { <AddForm team=t.id add /> })}
                                <Members team=t.id members manage saved />
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Where the team's members come from, and what it is given.
#[component]
fn Source(t: Team) -> impl IntoView {
    let from = match (&t.provider, &t.provider_group) {
        (Some(p), g) => format!(
            "Filled from the group '{}' of {p} at each sign-in: change its members there.",
            g.as_deref().unwrap_or(&t.name)
        ),
        (None, _) => "Kept by hand by the organization's admins.".to_string(),
    };
    let workspaces = match t.workspace_count {
        0 => "It is in no workspace yet: give it one from the workspace's page.".to_string(),
        1 => "It is a member of 1 workspace.".to_string(),
        n => format!("It is a member of {n} workspaces."),
    };
    view! { <p data-testid="team-source">{from} " " {workspaces}</p> }
}

#[component]
fn AddForm(team: Uuid, add: ServerAction<AddTeamMember>) -> impl IntoView {
    let toasts = use_toasts();
    let error = move || add.value().get().and_then(|r| r.err());
    let form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(Ok(m)) = add.value().get() {
            toasts.success(format!("Added {} to the team", m.name));
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
    view! {
        <ActionForm action=add node_ref=form>
            <input type="hidden" name="team" value=team.to_string() />
            <div class="inline-form">
                <label for="team-member-email">"Email"</label>
                <input id="team-member-email" name="email" type="email" required placeholder="someone@example.com" />
                <input type="hidden" name="reason" value="" />
                <button type="submit" class="btn btn-primary" disabled=move || add.pending().get()>
                    {move || if add.pending().get() { "Adding…" } else { "Add to team" }}
                </button>
            </div>
            <p class="field-error" role="alert">{move || error().map(|e| e.error)}</p>
        </ActionForm>
    }
}

#[component]
fn Members(
    team: Uuid,
    members: Resource<Result<TeamMemberPage, model::error::ApiError>>,
    manage: bool,
    saved: RwSignal<u32>,
) -> impl IntoView {
    let toasts = use_toasts();
    let remove = move |user: Uuid, name: String| {
        spawn_local(async move {
            match remove_team_member(team, user).await {
                Ok(()) => {
                    toasts.success(format!("Took {name} out of the team"));
                    saved.update(|n| *n += 1);
                }
                Err(e) => toasts.error(e.error),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(p) if p.members.is_empty() => view! { <p class="field-help">"No members yet."</p> }.into_any(),
                    Ok(p) => {
                        let (current, size, total) = (p.page, p.page_size, p.total_count);
                        let at = move |n: u32| super::list_href(
                            &format!("/teams/{team}"),
                            RawListQuery { page: Some(n.to_string()), ..Default::default() },
                        );
                        view! {
                            <div class="table-wrap"><table class="data">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Added"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {p.members.into_iter().map(|m| {
                                        let (user, name) = (m.user_id, m.name.clone());
                                        view! {
                                            <tr data-testid="team-member-row">
                                                <td>{m.name.clone()}</td>
                                                <td>{m.email.clone()}</td>
                                                <td>{crate::helpers::format::when(&m.added_at)}</td>
                                                <td class="col-actions">
                                                    {manage.then(|| view! {
                                                        <button type="button" class="btn btn-small btn-danger-quiet"
                                                            aria-label=format!("Take {name} out of the team")
                                                            on:click=move |_| remove(user, name.clone())>"Remove"</button>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <Pager page=current page_size=size total=total noun="members" href=at />
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error-banner">{e.error}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

//! Teams: their own CRUD and members, the workspaces that take them with a role, and the
//! standing a team gives its members (the strongest of their own and their teams'), on SQLite
//! and PostgreSQL. The access table's rows for teams are in `workspaces::access_matrix`.

use crate::common::{assert_error, TestServer};
use model::user::Role;
use serde_json::{json, Value};

both_backends!(
    teams_are_named_searched_and_paged,
    members_by_id_or_email_paged_and_searched,
    a_team_gives_its_members_the_workspace,
    the_strongest_role_wins_and_leaving_counts_at_once,
    workspace_teams_patch_all_or_nothing_with_a_role,
    provider_teams_are_not_edited_by_hand,
    leaving_the_organization_leaves_its_teams,
);

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("an id in {v}"))
        .to_string()
}

async fn team(s: &TestServer, token: &str, name: &str) -> String {
    let (status, v) = s.post(token, "/api/teams", json!({"name": name})).await;
    assert_eq!(status, 201, "{v}");
    id(&v)
}

fn names(page: &Value, key: &str) -> Vec<String> {
    page[key]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

async fn teams_are_named_searched_and_paged(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (status, t) = s
        .post(
            &admin,
            "/api/teams",
            json!({"name": " Platform ", "description": "runs the clusters"}),
        )
        .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(
        (&t["name"], &t["member_count"], &t["workspace_count"]),
        (&json!("Platform"), &json!(0), &json!(0))
    );
    assert!(t.get("provider").is_none(), "{t}");
    let (status, v) = s
        .post(&admin, "/api/teams", json!({"name": "platform"}))
        .await;
    assert_error(&(status, v), 409, "name_taken", Some("name"));
    let (status, v) = s
        .post(&admin, "/api/teams", json!({"name": "a\u{0}b"}))
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("name"));
    for n in ["sre10", "sre2", "data"] {
        team(s, &admin, n).await;
    }
    let (_, page) = s.get(&admin, "/api/teams?pagesize=2").await;
    assert_eq!(page["total_count"], 4);
    assert_eq!(names(&page, "teams"), ["data", "Platform"]);
    let (_, page) = s.get(&admin, "/api/teams?pagesize=2&page=1").await;
    assert_eq!(names(&page, "teams"), ["sre2", "sre10"]);
    let (_, found) = s.get(&admin, "/api/teams?search=clust").await;
    assert_eq!(names(&found, "teams"), ["Platform"]);
    assert_eq!(found["total_count"], 1);
    let (_, found) = s
        .get(&admin, "/api/teams?search=sre&order=name%20desc")
        .await;
    assert_eq!(names(&found, "teams"), ["sre10", "sre2"]);
    let (status, v) = s.get(&admin, "/api/teams?filter=%7B%22x%22%3A1%7D").await;
    assert_error(&(status, v), 400, "invalid_parameter", Some("filter.x"));
    // rename, describe, delete; another organization's admin cannot tell it exists
    let path = format!("/api/teams/{}", id(&t));
    let (status, v) = s.put(&admin, &path, json!({"name": "Platform Eng"})).await;
    assert_eq!((status, &v["name"]), (200, &json!("Platform Eng")), "{v}");
    let other = s.user("globex", "bob", Role::Admin).await;
    for (status, v) in [
        s.get(&other, &path).await,
        s.put(&other, &path, json!({"description": "x"})).await,
        s.delete(&other, &path).await,
    ] {
        assert_error(&(status, v), 404, "not_found", None);
    }
    assert_eq!(s.delete(&admin, &path).await.0, 204);
    assert_eq!(s.get(&admin, &path).await.0, 404);
    let (_, events) = s.get(&admin, "/api/events?pagesize=100").await;
    let verbs: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity_type"] == "team")
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert!(
        verbs.len() >= 3,
        "create, update and delete are audited: {events}"
    );
}

async fn members_by_id_or_email_paged_and_searched(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    for n in ["nina", "ned", "olga"] {
        s.user("acme", n, Role::Member).await;
    }
    s.user("globex", "gus", Role::Member).await;
    let t = team(s, &admin, "ops").await;
    let members = format!("/api/teams/{t}/members");
    let (status, nina) = s
        .post(&admin, &members, json!({"email": "nina@example.com"}))
        .await;
    assert_eq!(status, 201, "{nina}");
    let nina_id = nina["user_id"].as_str().unwrap().to_string();
    // again: 200, nothing changes
    let (status, _) = s.post(&admin, &members, json!({"user_id": nina_id})).await;
    assert_eq!(status, 200);
    for email in ["ned@example.com", "olga@example.com"] {
        assert_eq!(
            s.post(&admin, &members, json!({"email": email})).await.0,
            201
        );
    }
    // someone of another organization, a bad address, nobody named
    let (status, v) = s
        .post(&admin, &members, json!({"email": "gus@example.com"}))
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("email"));
    let (status, v) = s.post(&admin, &members, json!({"email": "x\u{0}@y"})).await;
    assert_error(&(status, v), 400, "validation_failed", Some("email"));
    let (status, v) = s.post(&admin, &members, json!({})).await;
    assert_error(&(status, v), 400, "validation_failed", Some("user_id"));
    let (_, page) = s.get(&admin, &format!("{members}?pagesize=2")).await;
    assert_eq!(page["total_count"], 3);
    assert_eq!(names(&page, "members"), ["ned", "nina"]);
    let (_, page) = s.get(&admin, &format!("{members}?search=OLGA%40")).await;
    assert_eq!(names(&page, "members"), ["olga"]);
    let (_, t_now) = s.get(&admin, &format!("/api/teams/{t}")).await;
    assert_eq!(t_now["member_count"], 3);
    // the organization's people list each one's teams (at most 10 shown, all counted)
    let many: Vec<String> = {
        let mut ids = Vec::new();
        for i in 0..11 {
            ids.push(team(s, &admin, &format!("extra{i:02}")).await);
        }
        ids
    };
    for extra in &many {
        let path = format!("/api/teams/{extra}/members");
        assert_eq!(
            s.post(&admin, &path, json!({"email": "ned@example.com"}))
                .await
                .0,
            201
        );
    }
    let (_, people) = s.get(&admin, "/api/users?search=ned").await;
    let ned = &people["users"][0];
    assert_eq!(
        (&ned["name"], &ned["team_count"]),
        (&json!("ned"), &json!(12)),
        "{people}"
    );
    assert_eq!(ned["teams"].as_array().unwrap().len(), 10, "{people}");
    // and where their workspace access comes from, as bounded: one workspace given to all
    // twelve of ned's teams is twelve ways in, ten shown
    let ws = s
        .post(&admin, "/api/workspaces", json!({"name": "wide"}))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let all: Vec<&String> = many.iter().chain([&t]).collect();
    let (status, _) = s
        .send(
            reqwest::Method::PATCH,
            &admin,
            &format!("/api/workspaces/{ws}/teams"),
            Some(json!({"add": all})),
        )
        .await;
    assert_eq!(status, 200);
    let (_, people) = s.get(&admin, "/api/users?search=ned").await;
    let ned = &people["users"][0];
    assert_eq!(ned["access_count"], 12, "{people}");
    assert_eq!(ned["access"].as_array().unwrap().len(), 10, "{people}");
    assert!(ned["access"][0]["via_team"]["name"].is_string(), "{people}");
    let (_, people) = s.get(&admin, "/api/users?search=olga").await;
    assert_eq!(names(&people["users"][0], "teams"), ["ops"], "{people}");
    assert_eq!(
        s.delete(&admin, &format!("{members}/{nina_id}")).await.0,
        204
    );
    let (status, v) = s.delete(&admin, &format!("{members}/{nina_id}")).await;
    assert_error(&(status, v), 404, "not_found", None);
    let (status, v) = s.delete(&admin, &format!("{members}/not-an-id")).await;
    assert_error(&(status, v), 400, "invalid_parameter", Some("userID"));
}

/// An org admin, a workspace "w" holding environment "prod" with one connection, and a
/// member `nina` in no workspace: returns (admin, nina, ws id, nina's id).
async fn workspace_with_a_connection(s: &TestServer) -> (String, String, String, String) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let nina = s.user("acme", "nina", Role::Member).await;
    let ws = id(&s
        .post(&admin, "/api/workspaces", json!({"name": "w"}))
        .await
        .1);
    let env = id(&s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await
        .1);
    let conn = id(&s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "prod-k8s", "kind": "kubernetes", "url": "https://k:6443"}),
        )
        .await
        .1);
    s.post(
        &admin,
        &format!("/api/environments/{env}/connections/{conn}"),
        json!({}),
    )
    .await;
    s.post(
        &admin,
        &format!("/api/workspaces/{ws}/environments/{env}"),
        json!({}),
    )
    .await;
    let (_, me) = s.get(&nina, "/api/me").await;
    (admin, nina, ws, me["id"].as_str().unwrap().to_string())
}

async fn a_team_gives_its_members_the_workspace(s: &TestServer) {
    let (admin, nina, ws, nina_id) = workspace_with_a_connection(s).await;
    let (_, conns) = s.get(&nina, "/api/connections").await;
    assert_eq!(conns["total_count"], 0, "{conns}");
    let t = team(s, &admin, "ops").await;
    s.post(
        &admin,
        &format!("/api/teams/{t}/members"),
        json!({"user_id": nina_id}),
    )
    .await;
    let (status, v) = s
        .post(
            &admin,
            &format!("/api/workspaces/{ws}/teams"),
            json!({"team_id": t}),
        )
        .await;
    assert_eq!((status, &v["role"]), (201, &json!("member")), "{v}");
    // the next request sees it: the connection, the workspace, the role in /api/me
    let (_, conns) = s.get(&nina, "/api/connections").await;
    assert_eq!(names(&conns, "connections"), ["prod-k8s"]);
    let (_, wss) = s.get(&nina, "/api/workspaces").await;
    assert_eq!(names(&wss, "workspaces"), ["w"]);
    let (_, me) = s.get(&nina, "/api/me").await;
    assert_eq!(me["workspaces"].as_array().unwrap().len(), 1, "{me}");
    assert_eq!(me["workspaces"][0]["role"], "member");
    // a member reads but does not manage
    let (status, _) = s
        .put(
            &nina,
            &format!("/api/workspaces/{ws}"),
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    // the workspace lists the team with its role; the other side has the rest
    let spare = team(s, &admin, "spare").await;
    let (_, teams) = s.get(&nina, &format!("/api/workspaces/{ws}/teams")).await;
    assert_eq!(names(&teams, "teams"), ["ops"]);
    assert_eq!(teams["teams"][0]["role"], "member");
    let (_, other) = s
        .get(
            &admin,
            &format!("/api/workspaces/{ws}/teams?filter=%7B%22assigned%22%3Afalse%7D"),
        )
        .await;
    assert_eq!(names(&other, "teams"), ["spare"]);
    assert!(other["teams"][0].get("role").is_none(), "{other}");
    // a team of another organization cannot be given the workspace
    let globex = s.user("globex", "bob", Role::Admin).await;
    let foreign = team(s, &globex, "foreign").await;
    let (status, v) = s
        .post(
            &admin,
            &format!("/api/workspaces/{ws}/teams"),
            json!({"team_id": foreign}),
        )
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("team_id"));
    // deleting the team takes the workspace away from the next request
    assert_eq!(s.delete(&admin, &format!("/api/teams/{t}")).await.0, 204);
    let (_, conns) = s.get(&nina, "/api/connections").await;
    assert_eq!(conns["total_count"], 0);
    let (status, _) = s.get(&nina, &format!("/api/workspaces/{ws}")).await;
    assert_eq!(status, 404);
    let _ = spare;
}

async fn the_strongest_role_wins_and_leaving_counts_at_once(s: &TestServer) {
    let (admin, nina, ws, nina_id) = workspace_with_a_connection(s).await;
    // her own membership says member, her team says admin: she is an admin
    let (status, _) = s
        .post(
            &admin,
            &format!("/api/workspaces/{ws}/members"),
            json!({"user_id": nina_id, "role": "member"}),
        )
        .await;
    assert_eq!(status, 201);
    let t = team(s, &admin, "leads").await;
    let members = format!("/api/teams/{t}/members");
    s.post(&admin, &members, json!({"user_id": nina_id})).await;
    let (status, v) = s
        .post(
            &admin,
            &format!("/api/workspaces/{ws}/teams"),
            json!({"team_id": t, "role": "admin"}),
        )
        .await;
    assert_eq!((status, &v["role"]), (201, &json!("admin")), "{v}");
    let (_, me) = s.get(&nina, "/api/me").await;
    assert_eq!(me["workspaces"].as_array().unwrap().len(), 1, "once: {me}");
    assert_eq!(me["workspaces"][0]["role"], "admin", "{me}");
    // The Members list says where her access comes from: both ways in, each with its role.
    let (_, people) = s.get(&admin, "/api/users?search=nina").await;
    let nina_row = &people["users"][0];
    assert_eq!(nina_row["access_count"], 2, "{people}");
    assert_eq!(
        nina_row["access"],
        json!([
            {"workspace": {"id": ws, "name": "w"}, "role": "member", "via_team": null},
            {"workspace": {"id": ws, "name": "w"}, "role": "admin", "via_team": {"id": t, "name": "leads"}},
        ]),
        "{people}"
    );
    let (status, _) = s
        .put(
            &nina,
            &format!("/api/workspaces/{ws}"),
            json!({"description": "mine"}),
        )
        .await;
    assert_eq!(status, 200);
    // as a workspace admin anywhere she may see the organization's teams, not change them
    let (status, _) = s.get(&nina, "/api/teams").await;
    assert_eq!(status, 200);
    let (status, _) = s.post(&nina, "/api/teams", json!({"name": "mine"})).await;
    assert_eq!(status, 403);
    // the team's role lowered: she is a member again, from the next request
    let (status, v) = s
        .put(
            &admin,
            &format!("/api/workspaces/{ws}/teams/{t}"),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!((status, &v["role"]), (200, &json!("member")), "{v}");
    let (status, _) = s
        .put(
            &nina,
            &format!("/api/workspaces/{ws}"),
            json!({"description": "again"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, v) = s
        .put(
            &admin,
            &format!("/api/workspaces/{ws}/teams/{t}"),
            json!({"role": "owner"}),
        )
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("role"));
    // back to admin, then out of the team: her own membership is what is left
    s.put(
        &admin,
        &format!("/api/workspaces/{ws}/teams/{t}"),
        json!({"role": "admin"}),
    )
    .await;
    assert_eq!(
        s.delete(&admin, &format!("{members}/{nina_id}")).await.0,
        204
    );
    let (_, me) = s.get(&nina, "/api/me").await;
    assert_eq!(me["workspaces"][0]["role"], "member", "{me}");
    let (status, _) = s.get(&nina, "/api/teams").await;
    assert_eq!(status, 403);
    // and without her own membership, nothing
    s.delete(&admin, &format!("/api/workspaces/{ws}/members/{nina_id}"))
        .await;
    let (status, _) = s.get(&nina, &format!("/api/workspaces/{ws}")).await;
    assert_eq!(status, 404);
    // the role changes are in the workspace's audit log
    let (_, events) = s.get(&admin, "/api/events?pagesize=100").await;
    let roles = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "workspace.team_role")
        .count();
    assert!(roles >= 3, "{events}");
}

async fn workspace_teams_patch_all_or_nothing_with_a_role(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let ws = id(&s
        .post(&admin, "/api/workspaces", json!({"name": "w"}))
        .await
        .1);
    let (a, b, c) = (
        team(s, &admin, "a").await,
        team(s, &admin, "b").await,
        team(s, &admin, "c").await,
    );
    let path = format!("/api/workspaces/{ws}/teams");
    let (status, r) = s
        .send(
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"add": [a, b]})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r,
        json!({"added": 2, "removed": 0, "role_changed": 0, "team_count": 2})
    );
    // an unknown id refuses the whole change, naming it
    let missing = uuid::Uuid::new_v4().to_string();
    let (status, v) = s
        .send(
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"add": [c, missing], "remove": [a]})),
        )
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("add[1]"));
    let (_, teams) = s.get(&admin, &path).await;
    assert_eq!(names(&teams, "teams"), ["a", "b"]);
    // c added and b made admin in one go, a removed
    let (status, r) = s
        .send(
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"add": [b, c], "remove": [a], "role": "admin"})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r,
        json!({"added": 1, "removed": 1, "role_changed": 1, "team_count": 2})
    );
    let (_, teams) = s.get(&admin, &path).await;
    assert_eq!(names(&teams, "teams"), ["b", "c"]);
    assert!(teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["role"] == "admin"));
    let (status, v) = s
        .send(
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"add": [b], "remove": [b]})),
        )
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("remove"));
    let (status, v) = s
        .send(
            reqwest::Method::PATCH,
            &admin,
            &path,
            Some(json!({"add": "b"})),
        )
        .await;
    assert_eq!(status, 400, "{v}");
}

async fn provider_teams_are_not_edited_by_hand(s: &TestServer) {
    use sqlx::Connection;
    let admin = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "nina", Role::Member).await;
    let t = team(s, &admin, "sso-ops").await;
    // what signing in through an identity provider will do: mark the team as its group's
    sqlx::any::install_default_drivers();
    let mut db = sqlx::AnyConnection::connect(&s.db_url).await.unwrap();
    sqlx::query("UPDATE teams SET provider = 'keycloak', provider_group = 'ops' WHERE id = $1")
        .bind(t.as_str())
        .execute(&mut db)
        .await
        .unwrap();
    drop(db);
    let (_, v) = s.get(&admin, &format!("/api/teams/{t}")).await;
    assert_eq!(
        (&v["provider"], &v["provider_group"]),
        (&json!("keycloak"), &json!("ops"))
    );
    let (status, v) = s
        .post(
            &admin,
            &format!("/api/teams/{t}/members"),
            json!({"email": "nina@example.com"}),
        )
        .await;
    assert_error(&(status, v.clone()), 409, "conflict", None);
    assert!(v["error"].as_str().unwrap().contains("keycloak"), "{v}");
    let (status, v) = s
        .put(
            &admin,
            &format!("/api/teams/{t}"),
            json!({"name": "renamed"}),
        )
        .await;
    assert_error(&(status, v), 400, "validation_failed", Some("name"));
    let (status, _) = s
        .put(
            &admin,
            &format!("/api/teams/{t}"),
            json!({"description": "on call"}),
        )
        .await;
    assert_eq!(status, 200);
}

async fn leaving_the_organization_leaves_its_teams(s: &TestServer) {
    let (admin, nina, ws, nina_id) = workspace_with_a_connection(s).await;
    let t = team(s, &admin, "ops").await;
    s.post(
        &admin,
        &format!("/api/teams/{t}/members"),
        json!({"user_id": nina_id}),
    )
    .await;
    s.post(
        &admin,
        &format!("/api/workspaces/{ws}/teams"),
        json!({"team_id": t}),
    )
    .await;
    assert_eq!(
        s.delete(&admin, &format!("/api/users/{nina_id}")).await.0,
        204
    );
    let (_, team_now) = s.get(&admin, &format!("/api/teams/{t}")).await;
    assert_eq!(team_now["member_count"], 0, "{team_now}");
    let (status, _) = s.get(&nina, "/api/connections").await;
    assert_eq!(status, 401);
}

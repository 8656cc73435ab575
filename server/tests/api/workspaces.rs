//! Workspaces, their environments, members and effective connections, and the access rules as a
//! table: every role × endpoint × own or other organization, on SQLite and PostgreSQL.

use crate::common::{assert_error, TestServer};
use model::user::Role;
use reqwest::Method;
use serde_json::{json, Value};

both_backends!(
    workspaces_crud_and_rules,
    environments_assign_idempotently_and_patch_atomically,
    effective_connections_are_distinct_with_their_environments,
    members_by_id_or_email_and_roles,
    members_are_paged_searched_and_ordered,
    access_matrix,
    access_matrix_through_teams,
    members_see_only_what_their_workspaces_reach,
    removal_counts_from_the_next_request,
    org_members_one_time_password_and_roles,
    failed_sign_ins_and_membership_changes_are_audited,
);

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

async fn create(s: &TestServer, token: &str, path: &str, body: Value) -> String {
    let (status, v) = s.post(token, path, body).await;
    assert_eq!(status, 201, "{path}: {v}");
    id(&v)
}

async fn workspaces_crud_and_rules(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (status, ws) = s
        .post(
            &admin,
            "/api/workspaces",
            json!({"name": " Team Blue ", "description": "the blue team"}),
        )
        .await;
    assert_eq!(status, 201, "{ws}");
    assert_eq!(ws["name"], "Team Blue");
    assert_eq!(
        (
            ws["environment_count"].as_u64(),
            ws["member_count"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let path = format!("/api/workspaces/{}", id(&ws));
    assert_error(
        &s.post(&admin, "/api/workspaces", json!({"name": "team BLUE"}))
            .await,
        409,
        "name_taken",
        Some("name"),
    );
    assert_error(
        &s.post(&admin, "/api/workspaces", json!({"name": ""})).await,
        400,
        "validation_failed",
        Some("name"),
    );
    assert_error(
        &s.post(
            &admin,
            "/api/workspaces",
            json!({"name": "x", "description": "d".repeat(5001)}),
        )
        .await,
        400,
        "validation_failed",
        Some("description"),
    );
    assert_eq!(
        s.post(&admin, "/api/workspaces", json!({"name": "n".repeat(255)}))
            .await
            .0,
        201
    );
    let (status, updated) = s.put(&admin, &path, json!({"name": "Team Green"})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["name"].as_str(), updated["description"].as_str()),
        (Some("Team Green"), Some("the blue team"))
    );
    let (_, list) = s
        .get(&admin, "/api/workspaces?search=green&order=name%20desc")
        .await;
    assert_eq!(list["total_count"], 1, "{list}");
    assert_eq!(list["workspaces"][0]["name"], "Team Green");
    assert_error(
        &s.get(&admin, "/api/workspaces?order=owner").await,
        400,
        "invalid_parameter",
        Some("order"),
    );
    assert_eq!(s.delete(&admin, &path).await.0, 204);
    assert_error(&s.get(&admin, &path).await, 404, "not_found", None);
}

async fn environments_assign_idempotently_and_patch_atomically(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let ws = create(s, &admin, "/api/workspaces", json!({"name": "w"})).await;
    let e1 = create(s, &admin, "/api/environments", json!({"name": "prod"})).await;
    let e2 = create(s, &admin, "/api/environments", json!({"name": "staging"})).await;
    let e3 = create(s, &admin, "/api/environments", json!({"name": "dev"})).await;
    let one = format!("/api/workspaces/{ws}/environments/{e1}");
    assert_eq!(s.post(&admin, &one, json!({})).await.0, 201);
    assert_eq!(s.post(&admin, &one, json!({})).await.0, 200);
    let (_, w) = s.get(&admin, &format!("/api/workspaces/{ws}")).await;
    assert_eq!(w["environment_count"], 1);
    assert_eq!(s.delete(&admin, &one).await.0, 204);
    assert_eq!(s.delete(&admin, &one).await.0, 204);

    let envs = format!("/api/workspaces/{ws}/environments");
    let (status, r) = s
        .send(
            Method::PATCH,
            &admin,
            &envs,
            Some(json!({"add": [e1, e2, e1], "remove": []})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (r["added"].as_u64(), r["environment_count"].as_u64()),
        (Some(2), Some(2))
    );
    // one unknown id fails the whole batch, which changes nothing
    let ghost = uuid::Uuid::now_v7().to_string();
    let resp = s
        .send(
            Method::PATCH,
            &admin,
            &envs,
            Some(json!({"add": [e3, ghost], "remove": [e1]})),
        )
        .await;
    assert_error(&resp, 400, "validation_failed", Some("add[1]"));
    assert!(resp.1["error"]
        .as_str()
        .unwrap()
        .starts_with("no environment "));
    // the same id on both sides is named for what it is
    let resp = s
        .send(
            Method::PATCH,
            &admin,
            &envs,
            Some(json!({"add": [e3], "remove": [e3]})),
        )
        .await;
    assert_error(&resp, 400, "validation_failed", Some("remove"));
    assert_eq!(
        resp.1["error"],
        format!("environment {e3} is both added and removed")
    );
    // the audit event has the shape every assignment's has
    let events = s
        .rows(&format!(
            "SELECT action, after_json FROM audit_events WHERE entity_id = '{ws}' AND action LIKE 'workspace.%assign%' ORDER BY occurred_at"
        ))
        .await;
    let last = events.last().unwrap();
    assert_eq!(
        sqlx::Row::get::<String, _>(last, "action"),
        "workspace.assign"
    );
    let after: Value =
        serde_json::from_str(&sqlx::Row::get::<String, _>(last, "after_json")).unwrap();
    assert_eq!(
        after,
        json!({"parent": "workspace", "child": "environment",
            "added": [{"id": e1, "name": "prod"}, {"id": e2, "name": "staging"}], "removed": []})
    );
    let (_, held) = s.get(&admin, &envs).await;
    let mut names: Vec<&str> = held["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["prod", "staging"]);
    let (_, free) = s
        .get(
            &admin,
            &format!("{envs}?filter=%7B%22assigned%22%3Afalse%7D"),
        )
        .await;
    assert_eq!(free["total_count"], 1, "{free}");
    assert_eq!(free["environments"][0]["name"], "dev");
    // an environment of another organization is not found
    let other = s.user("globex", "bob", Role::Admin).await;
    let theirs = create(s, &other, "/api/environments", json!({"name": "x"})).await;
    assert_error(
        &s.post(&admin, &format!("{envs}/{theirs}"), json!({})).await,
        404,
        "not_found",
        None,
    );
    // one environment may sit in many workspaces
    let ws2 = create(s, &admin, "/api/workspaces", json!({"name": "w2"})).await;
    assert_eq!(
        s.post(
            &admin,
            &format!("/api/workspaces/{ws2}/environments/{e1}"),
            json!({})
        )
        .await
        .0,
        201
    );
}

async fn effective_connections_are_distinct_with_their_environments(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let ws = create(s, &admin, "/api/workspaces", json!({"name": "w"})).await;
    let e1 = create(s, &admin, "/api/environments", json!({"name": "prod"})).await;
    let e2 = create(s, &admin, "/api/environments", json!({"name": "eu"})).await;
    let e3 = create(s, &admin, "/api/environments", json!({"name": "other"})).await;
    let shared = create(
        s,
        &admin,
        "/api/connections",
        json!({"name": "shared-prom", "kind": "prometheus", "url": "http://prom:9090"}),
    )
    .await;
    let only = create(
        s,
        &admin,
        "/api/connections",
        json!({"name": "k8s-eu", "kind": "kubernetes", "url": "https://eu:6443"}),
    )
    .await;
    let outside = create(
        s,
        &admin,
        "/api/connections",
        json!({"name": "not-here", "kind": "grafana", "url": "http://g:3000"}),
    )
    .await;
    for (env, conns) in [
        (&e1, vec![&shared]),
        (&e2, vec![&shared, &only]),
        (&e3, vec![&outside, &shared]),
    ] {
        let (st, _) = s
            .send(
                Method::PATCH,
                &admin,
                &format!("/api/environments/{env}/connections"),
                Some(json!({"add": conns})),
            )
            .await;
        assert_eq!(st, 200);
    }
    s.send(
        Method::PATCH,
        &admin,
        &format!("/api/workspaces/{ws}/environments"),
        Some(json!({"add": [e1, e2]})),
    )
    .await;
    let (status, page) = s
        .get(
            &admin,
            &format!("/api/workspaces/{ws}/connections?order=name"),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total_count"], 2, "{page}");
    let conns = page["connections"].as_array().unwrap();
    assert_eq!(conns[0]["name"], "k8s-eu");
    assert_eq!(conns[1]["name"], "shared-prom");
    // each with the workspace's environments that bring it, and only those
    let env_names = |c: &Value| -> Vec<String> {
        c["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(env_names(&conns[0]), ["eu"]);
    assert_eq!(env_names(&conns[1]), ["eu", "prod"]);
    let (_, found) = s
        .get(
            &admin,
            &format!("/api/workspaces/{ws}/connections?search=prom"),
        )
        .await;
    assert_eq!(found["total_count"], 1);
    let (_, paged) = s
        .get(
            &admin,
            &format!("/api/workspaces/{ws}/connections?pagesize=1&page=1&order=name"),
        )
        .await;
    assert_eq!(paged["connections"][0]["name"], "shared-prom");
    assert_eq!(paged["total_count"], 2);
}

/// A workspace's member list is paged like every list: its answer is bounded by the page size
/// however many people the workspace holds.
async fn members_are_paged_searched_and_ordered(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let ws = create(s, &admin, "/api/workspaces", json!({"name": "crowd"})).await;
    let members = format!("/api/workspaces/{ws}/members");
    // 60 people, more than a page of the default size (and above the UI's 50).
    for n in 0..60 {
        let name = format!("p{n:02}");
        s.user("acme", &name, Role::Member).await;
        let role = if n % 20 == 0 { "admin" } else { "member" };
        let (status, v) = s
            .post(
                &admin,
                &members,
                json!({"email": format!("{name}@example.com"), "role": role}),
            )
            .await;
        assert_eq!(status, 201, "{v}");
    }
    let names = |v: &Value| -> Vec<String> {
        v["members"]
            .as_array()
            .expect("members")
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, first) = s.get(&admin, &members).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["total_count"], 60);
    let size = first["page_size"].as_u64().unwrap() as usize;
    assert!(size < 60, "a default page is not the whole list: {size}");
    assert_eq!(names(&first).len(), size);
    assert_eq!(names(&first)[0], "p00");

    let (_, third) = s.get(&admin, &format!("{members}?pagesize=7&page=2")).await;
    assert_eq!(
        (third["page"].as_u64(), third["page_size"].as_u64()),
        (Some(2), Some(7))
    );
    assert_eq!(
        names(&third),
        (14..21).map(|n| format!("p{n:02}")).collect::<Vec<_>>()
    );

    let (_, found) = s.get(&admin, &format!("{members}?search=P1")).await;
    assert_eq!(found["total_count"], 10, "p10..p19 by name or email");
    assert_eq!(names(&found)[0], "p10");

    let (_, by_role) = s
        .get(&admin, &format!("{members}?order=role%20asc&pagesize=3"))
        .await;
    assert_eq!(
        names(&by_role),
        ["p00", "p20", "p40"],
        "admins first, by id"
    );
    let (_, last) = s
        .get(&admin, &format!("{members}?order=name%20desc&pagesize=2"))
        .await;
    assert_eq!(names(&last), ["p59", "p58"]);

    for (query, field) in [
        ("filter=%7B%22role%22%3A%22admin%22%7D", "filter.role"),
        ("order=owner", "order"),
        ("pagesize=100000", "pagesize"),
        ("page=-1", "page"),
    ] {
        assert_error(
            &s.get(&admin, &format!("{members}?{query}")).await,
            400,
            "invalid_parameter",
            Some(field),
        );
    }
}

async fn members_by_id_or_email_and_roles(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "mike", Role::Member).await;
    s.user("acme", "nora", Role::Member).await;
    s.user("globex", "bob", Role::Admin).await;
    let ws = create(s, &admin, "/api/workspaces", json!({"name": "w"})).await;
    let members = format!("/api/workspaces/{ws}/members");
    let (_, me) = s.get(&admin, "/api/me").await;
    let (status, m) = s
        .post(
            &admin,
            &members,
            json!({"email": "MIKE@example.com", "role": "admin"}),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    assert_eq!(
        (m["name"].as_str(), m["role"].as_str()),
        (Some("mike"), Some("admin"))
    );
    let mike = m["user_id"].as_str().unwrap().to_string();
    let (_, m) = s
        .post(&admin, &members, json!({"email": "nora@example.com"}))
        .await;
    assert_eq!(m["role"], "member");
    // someone outside the organization cannot be added, and says so on the field
    assert_error(
        &s.post(&admin, &members, json!({"email": "bob@example.com"}))
            .await,
        400,
        "validation_failed",
        Some("email"),
    );
    // an address that is not one (PostgreSQL refuses a NUL byte in text: this was a 500)
    for email in ["nora\u{0}@example.com", "not an address", "a@b@c"] {
        assert_error(
            &s.post(&admin, &members, json!({ "email": email })).await,
            400,
            "validation_failed",
            Some("email"),
        );
    }
    assert_error(
        &s.post(&admin, &members, json!({"user_id": uuid::Uuid::now_v7()}))
            .await,
        400,
        "validation_failed",
        Some("user_id"),
    );
    assert_error(
        &s.post(
            &admin,
            &members,
            json!({"user_id": me["id"], "role": "owner"}),
        )
        .await,
        400,
        "validation_failed",
        Some("role"),
    );
    let (_, list) = s.get(&admin, &members).await;
    assert_eq!(list["total_count"], 2);
    let (status, m) = s
        .put(
            &admin,
            &format!("{members}/{mike}"),
            json!({"role": "member"}),
        )
        .await;
    assert_eq!((status, m["role"].as_str()), (200, Some("member")));
    let (_, w) = s.get(&admin, &format!("/api/workspaces/{ws}")).await;
    assert_eq!(w["member_count"], 2);
    assert_eq!(s.delete(&admin, &format!("{members}/{mike}")).await.0, 204);
    assert_error(
        &s.delete(&admin, &format!("{members}/{mike}")).await,
        404,
        "not_found",
        None,
    );
    // /api/me lists the workspaces with the role held there
    let nora = s.service.create_token_for("nora", "t2").await.unwrap();
    let (_, me) = s.get(&nora, "/api/me").await;
    assert_eq!(me["workspaces"][0]["name"], "w", "{me}");
    assert_eq!(me["workspaces"][0]["role"], "member");
    assert_eq!(me["organizations"][0]["role"], "member");
}

/// The objects the matrix acts on, in organization "acme", and one caller per standing.
struct World {
    callers: Vec<(&'static str, String)>,
    ws: String,
    env: String,
    free_env: String,
    conn: String,
    free_conn: String,
    cred: String,
    extra_user: String,
    acme: String,
    /// A team in no workspace, for the rows that act on teams.
    spare_team: String,
}

/// How the workspace admin and member of the matrix hold their roles.
#[derive(Clone, Copy, PartialEq)]
enum Via {
    /// As members of the workspace.
    Membership,
    /// Through teams the workspace has (and the organization member was in one of them, then
    /// taken out: they must stand exactly where they would had they never been in it).
    Teams,
}

async fn world(s: &TestServer) -> World {
    world_via(s, Via::Membership).await
}

async fn world_via(s: &TestServer, via: Via) -> World {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let ws_admin = s.user("acme", "wanda", Role::Member).await;
    let ws_member = s.user("acme", "walt", Role::Member).await;
    let org_member = s.user("acme", "olga", Role::Member).await;
    s.user("acme", "xavier", Role::Member).await;
    let outsider = s.user("globex", "bob", Role::Admin).await;
    let ws = create(s, &admin, "/api/workspaces", json!({"name": "team"})).await;
    let env = create(s, &admin, "/api/environments", json!({"name": "prod"})).await;
    let free_env = create(
        s,
        &admin,
        "/api/environments",
        json!({"name": "unassigned"}),
    )
    .await;
    let cred = create(
        s,
        &admin,
        "/api/credentials",
        json!({"name": "prod-token", "type": "token", "secret": {"token": "s3cret-value"}, "allowed_hosts": ["k:6443"]}),
    )
    .await;
    let conn = create(
        s,
        &admin,
        "/api/connections",
        json!({"name": "prod-k8s", "kind": "kubernetes", "url": "https://k:6443", "credential_id": cred}),
    )
    .await;
    let free_conn = create(
        s,
        &admin,
        "/api/connections",
        json!({"name": "lab-k8s", "kind": "kubernetes", "url": "https://lab:6443"}),
    )
    .await;
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
    match via {
        Via::Membership => {
            let members = format!("/api/workspaces/{ws}/members");
            for (email, role) in [
                ("wanda@example.com", "admin"),
                ("walt@example.com", "member"),
            ] {
                let (status, v) = s
                    .post(&admin, &members, json!({"email": email, "role": role}))
                    .await;
                assert_eq!(status, 201, "{v}");
            }
        }
        Via::Teams => {
            for (team, email, role) in [
                ("blue-admins", "wanda@example.com", "admin"),
                ("blue-readers", "walt@example.com", "member"),
            ] {
                let team = create(s, &admin, "/api/teams", json!({"name": team})).await;
                let members = format!("/api/teams/{team}/members");
                let (status, v) = s.post(&admin, &members, json!({"email": email})).await;
                assert_eq!(status, 201, "{v}");
                // the organization member was in the team too, and is taken out again
                let (status, olga) = s
                    .post(&admin, &members, json!({"email": "olga@example.com"}))
                    .await;
                assert_eq!(status, 201, "{olga}");
                let (status, v) = s
                    .post(
                        &admin,
                        &format!("/api/workspaces/{ws}/teams"),
                        json!({"team_id": team, "role": role}),
                    )
                    .await;
                assert_eq!(status, 201, "{v}");
                let (status, _) = s
                    .delete(
                        &admin,
                        &format!("{members}/{}", olga["user_id"].as_str().unwrap()),
                    )
                    .await;
                assert_eq!(status, 204);
            }
        }
    }
    let spare_team = create(s, &admin, "/api/teams", json!({"name": "spare"})).await;
    let (_, me) = s.get(&admin, "/api/me").await;
    let acme = me["organizations"][0]["id"].as_str().unwrap().to_string();
    let (_, users) = s.get(&admin, "/api/users?search=xavier").await;
    let extra_user = users["users"][0]["id"].as_str().unwrap().to_string();
    World {
        // the order in which each row is tried: least privileged first, so only the last,
        // allowed, calls change anything
        callers: vec![
            ("outsider", outsider),
            ("org member", org_member),
            ("ws member", ws_member),
            ("ws admin", ws_admin),
            ("org admin", admin),
        ],
        ws,
        env,
        free_env,
        conn,
        free_conn,
        cred,
        extra_user,
        acme,
        spare_team,
    }
}

async fn access_matrix(s: &TestServer) {
    matrix(s, world(s).await).await
}

/// The same table when the workspace roles come through teams: a team's role stands for its
/// members exactly as a membership does, and leaving the team leaves nothing behind.
async fn access_matrix_through_teams(s: &TestServer) {
    matrix(s, world_via(s, Via::Teams).await).await
}

async fn matrix(s: &TestServer, w: World) {
    let ws = format!("/api/workspaces/{}", w.ws);
    let team = format!("/api/teams/{}", w.spare_team);
    let unassigned = "filter=%7B%22assigned%22%3Afalse%7D";
    // expected status per caller: outsider, org member, ws member, ws admin, org admin
    let rows: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
        (Method::GET, ws.clone(), None, [404, 404, 200, 200, 200]),
        (
            Method::GET,
            "/api/workspaces".into(),
            None,
            [200, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/workspaces?orgID={}", w.acme),
            None,
            [404, 200, 200, 200, 200],
        ),
        (
            Method::PUT,
            ws.clone(),
            Some(json!({"description": "d"})),
            [404, 404, 403, 200, 200],
        ),
        (
            Method::GET,
            format!("{ws}/environments"),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("{ws}/environments?{unassigned}"),
            None,
            [404, 404, 403, 403, 200],
        ),
        (
            Method::POST,
            format!("{ws}/environments/{}", w.free_env),
            Some(json!({})),
            [404, 404, 403, 403, 201],
        ),
        (
            Method::DELETE,
            format!("{ws}/environments/{}", w.free_env),
            None,
            [404, 404, 403, 204, 204],
        ),
        (
            Method::PATCH,
            format!("{ws}/environments"),
            Some(json!({"add": [w.free_env]})),
            [404, 404, 403, 403, 200],
        ),
        (
            Method::PATCH,
            format!("{ws}/environments"),
            Some(json!({"remove": [w.free_env]})),
            [404, 404, 403, 200, 200],
        ),
        (
            Method::GET,
            format!("{ws}/connections"),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("{ws}/members"),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::POST,
            format!("{ws}/members"),
            Some(json!({"user_id": w.extra_user})),
            [404, 404, 403, 201, 201],
        ),
        (
            Method::PUT,
            format!("{ws}/members/{}", w.extra_user),
            Some(json!({"role": "admin"})),
            [404, 404, 403, 200, 200],
        ),
        (
            Method::DELETE,
            format!("{ws}/members/{}", w.extra_user),
            None,
            [404, 404, 403, 204, 404],
        ),
        (
            Method::POST,
            "/api/workspaces".into(),
            Some(json!({"name": "new", "organization_id": w.acme})),
            [404, 403, 403, 403, 201],
        ),
        (
            Method::GET,
            format!("/api/teams?orgID={}", w.acme),
            None,
            [404, 403, 403, 200, 200],
        ),
        (
            Method::POST,
            "/api/teams".into(),
            Some(json!({"name": "new", "organization_id": w.acme})),
            [404, 403, 403, 403, 201],
        ),
        (Method::GET, team.clone(), None, [404, 404, 404, 200, 200]),
        (
            Method::PUT,
            team.clone(),
            Some(json!({"description": "d"})),
            [404, 404, 404, 403, 200],
        ),
        (
            Method::GET,
            format!("{team}/members"),
            None,
            [404, 404, 404, 200, 200],
        ),
        (
            Method::POST,
            format!("{team}/members"),
            Some(json!({"user_id": w.extra_user})),
            [404, 404, 404, 403, 201],
        ),
        (
            Method::DELETE,
            format!("{team}/members/{}", w.extra_user),
            None,
            [404, 404, 404, 403, 204],
        ),
        (
            Method::GET,
            format!("{ws}/teams"),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("{ws}/teams?{unassigned}"),
            None,
            [404, 404, 403, 200, 200],
        ),
        (
            Method::POST,
            format!("{ws}/teams"),
            Some(json!({"team_id": w.spare_team})),
            [404, 404, 403, 201, 200],
        ),
        (
            Method::PUT,
            format!("{ws}/teams/{}", w.spare_team),
            Some(json!({"role": "member"})),
            [404, 404, 403, 200, 200],
        ),
        (
            Method::DELETE,
            format!("{ws}/teams/{}", w.spare_team),
            None,
            [404, 404, 403, 204, 404],
        ),
        (
            Method::PATCH,
            format!("{ws}/teams"),
            Some(json!({"add": [w.spare_team]})),
            [404, 404, 403, 200, 200],
        ),
        (
            Method::PATCH,
            format!("{ws}/teams"),
            Some(json!({"remove": [w.spare_team]})),
            [404, 404, 403, 200, 200],
        ),
        (
            Method::DELETE,
            team.clone(),
            None,
            [404, 404, 404, 403, 204],
        ),
        (
            Method::GET,
            format!("/api/environments/{}", w.env),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/environments/{}", w.free_env),
            None,
            [404, 404, 404, 404, 200],
        ),
        (
            Method::PUT,
            format!("/api/environments/{}", w.env),
            Some(json!({"description": "d"})),
            [404, 404, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/environments".into(),
            Some(json!({"name": "e2", "organization_id": w.acme})),
            [404, 403, 403, 403, 201],
        ),
        (
            Method::GET,
            format!("/api/environments/{}/connections", w.env),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/environments/{}/connections?{unassigned}", w.env),
            None,
            [404, 404, 403, 403, 200],
        ),
        (
            Method::POST,
            format!("/api/environments/{}/connections/{}", w.env, w.free_conn),
            Some(json!({})),
            [404, 404, 403, 403, 201],
        ),
        (
            Method::DELETE,
            format!("/api/environments/{}/connections/{}", w.env, w.free_conn),
            None,
            [404, 404, 403, 403, 204],
        ),
        (
            Method::GET,
            format!("/api/connections/{}", w.conn),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/connections/{}", w.free_conn),
            None,
            [404, 404, 404, 404, 200],
        ),
        (
            Method::PUT,
            format!("/api/connections/{}", w.conn),
            Some(json!({"name": "prod-k8s"})),
            [404, 404, 403, 403, 200],
        ),
        (
            Method::GET,
            format!("/api/credentials/{}", w.cred),
            None,
            [404, 404, 200, 200, 200],
        ),
        (
            Method::PUT,
            format!("/api/credentials/{}", w.cred),
            Some(json!({"name": "prod-token"})),
            [404, 404, 403, 403, 200],
        ),
        (
            Method::GET,
            format!("/api/users?orgID={}", w.acme),
            None,
            [404, 403, 403, 403, 200],
        ),
        (
            Method::POST,
            "/api/users".into(),
            Some(json!({"email": "new@example.com", "organization_id": w.acme})),
            [404, 403, 403, 403, 201],
        ),
        (
            Method::PUT,
            format!("/api/users/{}?orgID={}", w.extra_user, w.acme),
            Some(json!({"role": "member"})),
            [404, 403, 403, 403, 200],
        ),
        (
            Method::GET,
            format!("/api/events?orgID={}", w.acme),
            None,
            [404, 200, 200, 200, 200],
        ),
        (
            Method::DELETE,
            format!("/api/connections/{}", w.free_conn),
            None,
            [404, 404, 404, 404, 204],
        ),
        (Method::DELETE, ws.clone(), None, [404, 404, 403, 403, 204]),
    ];
    let mut failures = Vec::new();
    for (method, path, body, expected) in &rows {
        for ((who, token), want) in w.callers.iter().zip(expected) {
            let (got, v) = s.send(method.clone(), token, path, body.clone()).await;
            if got != *want {
                failures.push(format!(
                    "{method} {path} as {who}: want {want}, got {got} {v}"
                ));
            }
            // a refusal never carries a trace of the object
            if got == 404 {
                let text = v.to_string();
                assert!(
                    !text.contains("prod-k8s") && !text.contains("team\""),
                    "{text}"
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn names(page: &Value, key: &str) -> Vec<String> {
    page[key]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

async fn members_see_only_what_their_workspaces_reach(s: &TestServer) {
    let w = world(s).await;
    let [(_, outsider), (_, org_member), (_, ws_member), _, (_, admin)] = &w.callers[..] else {
        unreachable!()
    };
    let (_, envs) = s.get(ws_member, "/api/environments").await;
    assert_eq!(
        (names(&envs, "environments"), envs["total_count"].as_u64()),
        (vec!["prod".to_string()], Some(1))
    );
    let (_, conns) = s.get(ws_member, "/api/connections").await;
    assert_eq!(names(&conns, "connections"), ["prod-k8s"]);
    assert_eq!(conns["total_count"], 1);
    assert_eq!(conns["connections"][0]["credential_name"], "prod-token");
    let (_, creds) = s.get(ws_member, "/api/credentials").await;
    assert_eq!(names(&creds, "credentials"), ["prod-token"]);
    assert!(!creds.to_string().contains("s3cret-value"));
    let (_, search) = s.get(ws_member, "/api/connections?search=lab").await;
    assert_eq!(search["total_count"], 0);
    let (_, wss) = s.get(ws_member, "/api/workspaces").await;
    assert_eq!(names(&wss, "workspaces"), ["team"]);
    // an org member in no workspace sees nothing at all
    for (path, key) in [
        ("/api/environments", "environments"),
        ("/api/connections", "connections"),
        ("/api/credentials", "credentials"),
        ("/api/workspaces", "workspaces"),
    ] {
        let (status, page) = s.get(org_member, path).await;
        assert_eq!(
            (status, page["total_count"].as_u64()),
            (200, Some(0)),
            "{path}: {page}"
        );
        assert!(page[key].as_array().unwrap().is_empty());
    }
    let (_, events) = s.get(org_member, "/api/events").await;
    assert_eq!(events["total_count"], 0, "{events}");
    // a member's events are their workspace's objects only
    let (_, events) = s.get(ws_member, "/api/events").await;
    let types: std::collections::BTreeSet<String> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_type"].as_str().unwrap().to_string())
        .collect();
    assert!(
        types
            .iter()
            .all(|t| ["workspace", "environment", "connection"].contains(&t.as_str())),
        "{types:?}"
    );
    assert!(events["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["entity_name"] != "lab-k8s" && e["entity_name"] != "unassigned"));
    assert!(events["total_count"].as_u64().unwrap() >= 3);
    let (_, all) = s.get(admin, "/api/events").await;
    assert!(all["total_count"].as_u64() > events["total_count"].as_u64());
    // another organization's objects: no trace in lists, counts or searches
    let (_, theirs) = s.get(outsider, "/api/connections?search=prod").await;
    assert_eq!(theirs["total_count"], 0);
    assert_error(
        &s.get(outsider, &format!("/api/connections?orgID={}", w.acme))
            .await,
        404,
        "not_found",
        None,
    );
}

async fn removal_counts_from_the_next_request(s: &TestServer) {
    let w = world(s).await;
    let [_, _, (_, ws_member), _, (_, admin)] = &w.callers[..] else {
        unreachable!()
    };
    let conn = format!("/api/connections/{}", w.conn);
    assert_eq!(s.get(ws_member, &conn).await.0, 200);
    let unassign = format!("/api/workspaces/{}/environments/{}", w.ws, w.env);
    assert_eq!(s.delete(admin, &unassign).await.0, 204);
    assert_error(&s.get(ws_member, &conn).await, 404, "not_found", None);
    let (_, list) = s.get(ws_member, "/api/connections").await;
    assert_eq!(list["total_count"], 0);
    // put it back, then take the member out of the workspace
    assert_eq!(s.post(admin, &unassign, json!({})).await.0, 201);
    assert_eq!(s.get(ws_member, &conn).await.0, 200);
    let (_, me) = s.get(ws_member, "/api/me").await;
    let walt = me["id"].as_str().unwrap();
    let member = format!("/api/workspaces/{}/members/{walt}", w.ws);
    assert_eq!(s.delete(admin, &member).await.0, 204);
    assert_error(&s.get(ws_member, &conn).await, 404, "not_found", None);
    assert_error(
        &s.get(ws_member, &format!("/api/workspaces/{}", w.ws)).await,
        404,
        "not_found",
        None,
    );
    let (_, me) = s.get(ws_member, "/api/me").await;
    assert_eq!(me["workspaces"], json!([]));
}

async fn org_members_one_time_password_and_roles(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (status, created) = s
        .post(
            &admin,
            "/api/users",
            json!({"email": "dana@example.com", "role": "member"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["user"]["name"], "dana");
    assert_eq!(created["user"]["must_change_password"], true);
    let otp = created["one_time_password"].as_str().unwrap().to_string();
    let dana = id(&created["user"]);
    // never stored in plain text
    let stored = s
        .rows("SELECT password_hash FROM users WHERE email_key = 'dana@example.com'")
        .await;
    let hash: String = sqlx::Row::get(&stored[0], "password_hash");
    assert!(!hash.contains(&otp));
    assert_error(
        &s.post(&admin, "/api/users", json!({"email": "DANA@example.com"}))
            .await,
        409,
        "name_taken",
        Some("email"),
    );
    assert_error(
        &s.post(&admin, "/api/users", json!({"email": "not-an-address"}))
            .await,
        400,
        "validation_failed",
        Some("email"),
    );
    // first sign-in: nothing but "who am I" and the password change answer
    let cookie = s
        .sign_in("dana@example.com", &otp)
        .await
        .expect("signed in");
    assert_error(
        &s.get_with_cookie(&cookie, "/api/environments").await,
        403,
        "password_change_required",
        None,
    );
    let (status, me) = s.get_with_cookie(&cookie, "/api/me").await;
    assert_eq!(
        (status, me["must_change_password"].as_bool()),
        (200, Some(true))
    );
    let change = |current: &str, new: &str| {
        s.http
            .put(s.url("/api/me/password"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({"current_password": current, "new_password": new}))
            .send()
    };
    let r = TestServer::json(change("wrong", "a-new-password").await.unwrap()).await;
    assert_error(&r, 400, "validation_failed", Some("current_password"));
    let r = TestServer::json(change(&otp, "short").await.unwrap()).await;
    assert_error(&r, 400, "validation_failed", Some("new_password"));
    let r = change(&otp, "a-new-password").await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(s.get_with_cookie(&cookie, "/api/environments").await.0, 200);
    assert!(s.sign_in("dana", &otp).await.is_none());
    assert!(s.sign_in("dana", "a-new-password").await.is_some());

    // roles: promote, and the last admin cannot be demoted or removed
    let (_, me) = s.get(&admin, "/api/me").await;
    let alice = id(&me);
    let (status, u) = s
        .put(
            &admin,
            &format!("/api/users/{dana}"),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!((status, u["role"].as_str()), (200, Some("admin")));
    assert_eq!(
        s.put(
            &admin,
            &format!("/api/users/{dana}"),
            json!({"role": "member"})
        )
        .await
        .0,
        200
    );
    assert_error(
        &s.put(
            &admin,
            &format!("/api/users/{alice}"),
            json!({"role": "member"}),
        )
        .await,
        409,
        "conflict",
        None,
    );
    assert_error(
        &s.delete(&admin, &format!("/api/users/{alice}")).await,
        409,
        "conflict",
        None,
    );
    let (_, list) = s.get(&admin, "/api/users?order=name").await;
    assert_eq!(names(&list, "users"), ["alice", "dana"]);
    // removing someone ends their access at once
    assert_eq!(s.delete(&admin, &format!("/api/users/{dana}")).await.0, 204);
    assert_error(
        &s.get_with_cookie(&cookie, "/api/me").await,
        401,
        "unauthorized",
        None,
    );
    let (_, list) = s.get(&admin, "/api/users").await;
    assert_eq!(list["total_count"], 1);
}

async fn failed_sign_ins_and_membership_changes_are_audited(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "mike", Role::Member).await;
    assert!(s.sign_in("mike", "not-his-password").await.is_none());
    assert!(s.sign_in("nobody-at-all", "x").await.is_none());
    let (_, log) = s
        .get(
            &admin,
            "/api/events?filter=%7B%22action%22%3A%22user.sign_in_failed%22%7D",
        )
        .await;
    assert_eq!(log["total_count"], 1, "{log}");
    assert_eq!(log["events"][0]["entity_name"], "mike");
    assert_eq!(log["events"][0]["actor"]["user_id"], Value::Null);
    let ws = create(s, &admin, "/api/workspaces", json!({"name": "w"})).await;
    let r = s
        .http
        .post(s.url(&format!("/api/workspaces/{ws}/members")))
        .bearer_auth(&admin)
        .header("x-meshenv-reason", "joins the on-call rota")
        .json(&json!({"email": "mike@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, log) = s
        .get(
            &admin,
            &format!("/api/events?filter=%7B%22entity_id%22%3A%22{ws}%22%7D"),
        )
        .await;
    let actions: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["workspace.member_add", "workspace.create"]);
    assert_eq!(log["events"][0]["reason"], "joins the on-call rota");
    assert_eq!(log["events"][0]["after"]["role"], "member");
}

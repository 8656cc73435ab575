//! Environment lifecycle: archive, soft delete, restore, purge, bulk, and what each does to the
//! workspaces' effective connections, on SQLite and PostgreSQL.

use crate::common::{assert_error, urlencode, TestServer};
use model::user::Role;
use reqwest::Method;
use serde_json::{json, Value};

both_backends!(
    archiving_takes_connections_out_of_workspaces,
    delete_restore_and_purge,
    bulk_actions_are_all_or_nothing,
    unused_environments_are_found,
);

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_string()
}

fn enc(v: Value) -> String {
    urlencode(&v.to_string())
}

/// An admin, a workspace member, and a workspace holding environment "prod" with one connection.
async fn team(s: &TestServer) -> (String, String, String, String, String) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let (_, env) = s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await;
    let (_, conn) = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "prod-k8s", "kind": "kubernetes", "url": "https://k:6443"}),
        )
        .await;
    let (_, ws) = s
        .post(&admin, "/api/workspaces", json!({"name": "team"}))
        .await;
    let (env, conn, ws) = (id(&env), id(&conn), id(&ws));
    for (path, body) in [
        (
            format!("/api/environments/{env}/connections/{conn}"),
            json!({}),
        ),
        (
            format!("/api/workspaces/{ws}/environments/{env}"),
            json!({}),
        ),
        (
            format!("/api/workspaces/{ws}/members"),
            json!({"email": "mike@example.com"}),
        ),
    ] {
        assert_eq!(s.post(&admin, &path, body).await.0, 201, "{path}");
    }
    (admin, member, env, conn, ws)
}

async fn effective(s: &TestServer, token: &str, ws: &str) -> u64 {
    let (status, page) = s
        .get(token, &format!("/api/workspaces/{ws}/connections"))
        .await;
    assert_eq!(status, 200, "{page}");
    page["total_count"].as_u64().unwrap()
}

async fn archiving_takes_connections_out_of_workspaces(s: &TestServer) {
    let (admin, member, env, conn, ws) = team(s).await;
    let path = format!("/api/environments/{env}");
    assert_eq!(s.get(&admin, &path).await.1["state"], "active");
    assert_eq!(effective(s, &member, &ws).await, 1);
    let (status, archived) = s.post(&admin, &format!("{path}/archive"), json!({})).await;
    assert_eq!(
        (status, archived["state"].as_str()),
        (200, Some("archived")),
        "{archived}"
    );
    // a record: its mapping and assignment are kept, but they reach nobody
    assert_eq!(archived["connection_count"], 1);
    assert_eq!(archived["workspace_count"], 1);
    assert_eq!(effective(s, &member, &ws).await, 0);
    assert_error(
        &s.get(&member, &format!("/api/connections/{conn}")).await,
        404,
        "not_found",
        None,
    );
    // hidden from default lists, shown by the state filter
    let (_, list) = s.get(&admin, "/api/environments").await;
    assert_eq!(list["total_count"], 0);
    let (_, list) = s
        .get(
            &admin,
            &format!(
                "/api/environments?filter={}",
                enc(json!({"state": "archived"}))
            ),
        )
        .await;
    assert_eq!(list["total_count"], 1);
    // it takes no new connections
    let (_, other) = s
        .post(
            &admin,
            "/api/connections",
            json!({"name": "more", "kind": "http", "url": "http://x"}),
        )
        .await;
    assert_error(
        &s.post(
            &admin,
            &format!("{path}/connections/{}", id(&other)),
            json!({}),
        )
        .await,
        409,
        "conflict",
        None,
    );
    let r = s
        .send(
            Method::PATCH,
            &admin,
            &format!("{path}/connections"),
            Some(json!({"add": [id(&other)]})),
        )
        .await;
    assert_error(&r, 409, "conflict", None);
    // archiving twice changes nothing; members may not archive
    assert_eq!(
        s.post(&admin, &format!("{path}/archive"), json!({}))
            .await
            .0,
        200
    );
    assert_eq!(
        s.post(&admin, &format!("{path}/unarchive"), json!({}))
            .await
            .1["state"],
        "active"
    );
    assert_eq!(effective(s, &member, &ws).await, 1);
    assert_error(
        &s.post(&member, &format!("{path}/archive"), json!({})).await,
        403,
        "forbidden",
        None,
    );
    let (_, log) = s
        .get(
            &admin,
            &format!("/api/events?filter={}", enc(json!({"entity_id": env}))),
        )
        .await;
    let actions: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &actions[..2],
        ["environment.unarchive", "environment.archive"]
    );
}

async fn delete_restore_and_purge(s: &TestServer) {
    let (admin, member, env, conn, ws) = team(s).await;
    let path = format!("/api/environments/{env}");
    assert_eq!(s.delete(&admin, &path).await.0, 204);
    // gone from every list and from the workspace; the connection stays
    assert_eq!(s.get(&admin, "/api/environments").await.1["total_count"], 0);
    assert_eq!(effective(s, &member, &ws).await, 0);
    assert_eq!(
        s.get(&admin, &format!("/api/workspaces/{ws}")).await.1["environment_count"],
        0
    );
    let (_, c) = s.get(&admin, &format!("/api/connections/{conn}")).await;
    assert_eq!(c["environments"], json!([]));
    assert_error(&s.get(&member, &path).await, 404, "not_found", None);
    // the trash: org admins only
    let trash = format!("/api/environments?filter={}", enc(json!({"deleted": true})));
    let (_, t) = s.get(&admin, &trash).await;
    assert_eq!(
        (
            t["total_count"].as_u64(),
            t["environments"][0]["state"].as_str()
        ),
        (Some(1), Some("deleted"))
    );
    assert_error(&s.get(&member, &trash).await, 403, "forbidden", None);
    // a deleted environment is changed only by restoring it
    assert_error(
        &s.put(&admin, &path, json!({"description": "x"})).await,
        409,
        "conflict",
        None,
    );
    // its name is free again; restoring into it is refused, saying so, and a new name works
    let (status, _) = s
        .post(&admin, "/api/environments", json!({"name": "PROD"}))
        .await;
    assert_eq!(status, 201);
    let r = s.post(&admin, &format!("{path}/restore"), json!({})).await;
    assert_error(&r, 409, "name_taken", Some("name"));
    assert!(r.1["error"].as_str().unwrap().contains("another name"));
    let (status, back) = s
        .post(
            &admin,
            &format!("{path}/restore"),
            json!({"name": "prod-restored"}),
        )
        .await;
    assert_eq!(
        (status, back["state"].as_str()),
        (200, Some("active")),
        "{back}"
    );
    assert_eq!(back["name"], "prod-restored");
    // with the mappings and assignments it had
    assert_eq!(back["connection_count"], 1);
    assert_eq!(effective(s, &member, &ws).await, 1);
    // purge: only from the trash, and for good
    assert_error(
        &s.delete(&admin, &format!("{path}?purge=true")).await,
        409,
        "conflict",
        None,
    );
    // a yes/no parameter is exactly `true` or `false`, as documented: an empty `purge=` is
    // refused, not read as "no" (the API fuzzer found it accepted)
    for bad in ["maybe", "", "1", "TRUE"] {
        assert_error(
            &s.delete(&admin, &format!("{path}?purge={bad}")).await,
            400,
            "invalid_parameter",
            Some("purge"),
        );
    }
    assert_eq!(s.delete(&admin, &path).await.0, 204);
    assert_eq!(s.delete(&admin, &format!("{path}?purge=true")).await.0, 204);
    assert_error(&s.get(&admin, &path).await, 404, "not_found", None);
    assert_eq!(
        s.get(&admin, &format!("/api/connections/{conn}")).await.0,
        200
    );
    let n: i64 = sqlx::Row::get(
        &s.rows(&format!(
            "SELECT COUNT(*) AS n FROM workspace_environments WHERE environment_id = '{env}'"
        ))
        .await[0],
        "n",
    );
    assert_eq!(n, 0);
}

async fn bulk_actions_are_all_or_nothing(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let mut ids = Vec::new();
    for name in ["a", "b", "c"] {
        ids.push(id(&s
            .post(&admin, "/api/environments", json!({"name": name}))
            .await
            .1));
    }
    let (status, r) = s
        .post(
            &admin,
            "/api/environments/bulk",
            json!({"action": "archive", "ids": ids[..2]}),
        )
        .await;
    assert_eq!((status, r["changed"].as_u64()), (200, Some(2)), "{r}");
    let (_, list) = s.get(&admin, "/api/environments").await;
    assert_eq!(list["total_count"], 1);
    // one unknown id: nothing at all happens
    let ghost = uuid::Uuid::now_v7().to_string();
    let r = s
        .post(
            &admin,
            "/api/environments/bulk",
            json!({"action": "delete", "ids": [ids[2], ghost]}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("ids[1]"));
    assert_eq!(s.get(&admin, "/api/environments").await.1["total_count"], 1);
    let r = s
        .post(
            &admin,
            "/api/environments/bulk",
            json!({"action": "explode", "ids": ids}),
        )
        .await;
    assert_error(&r, 400, "invalid_body", Some("action"));
    let r = s
        .post(
            &admin,
            "/api/environments/bulk",
            json!({"action": "delete", "ids": []}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("ids"));
    let (_, r) = s
        .post(
            &admin,
            "/api/environments/bulk",
            json!({"action": "delete", "ids": ids}),
        )
        .await;
    assert_eq!(r["changed"], 3);
    let (_, r) = s
        .post(
            &admin,
            "/api/environments/bulk",
            json!({"action": "restore", "ids": ids}),
        )
        .await;
    assert_eq!(r["changed"], 3);
    let (_, list) = s
        .get(
            &admin,
            &format!(
                "/api/environments?filter={}",
                enc(json!({"state": "archived"}))
            ),
        )
        .await;
    assert_eq!(list["total_count"], 2, "restored with the archive they had");
}

async fn unused_environments_are_found(s: &TestServer) {
    let (admin, _member, _env, conn, _ws) = team(s).await;
    s.post(&admin, "/api/environments", json!({"name": "lonely"}))
        .await;
    let (_, unassigned) = s
        .post(&admin, "/api/environments", json!({"name": "unassigned"}))
        .await;
    s.post(
        &admin,
        &format!("/api/environments/{}/connections/{conn}", id(&unassigned)),
        json!({}),
    )
    .await;
    let (_, list) = s
        .get(
            &admin,
            &format!(
                "/api/environments?order=name&filter={}",
                enc(json!({"unused": true}))
            ),
        )
        .await;
    let names: Vec<&str> = list["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["lonely", "unassigned"], "{list}");
    assert_eq!(list["environments"][1]["workspace_count"], 0);
    assert_eq!(list["environments"][1]["connection_count"], 1);
}

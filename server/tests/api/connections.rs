//! Credentials, connections and assignment over HTTP, on SQLite and PostgreSQL.

use crate::common::{assert_error, urlencode, TestServer};
use model::user::Role;
use serde_json::{json, Value};
use sqlx::Row;

both_backends!(
    credentials_are_encrypted_masked_and_validated,
    a_wrong_key_is_refused_clearly,
    credentials_in_use_are_guarded,
    connections_are_validated_and_listed,
    every_status_transition,
    assignment_is_idempotent_and_lists_complement,
    shared_connection_removed_from_one_environment,
    batch_is_atomic,
    ten_thousand_ids_in_one_batch,
    transfer_moves_atomically,
    kubeconfig_import_twice_creates_nothing_new,
    other_organizations_cannot_touch_connections,
    constraint_violations_from_races_are_recognised,
);

/// A row removed between a service's check and its write breaks a constraint; that must be told
/// apart from other failures (it is answered with a 409 to retry, not a 500).
async fn constraint_violations_from_races_are_recognised(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = uuid::Uuid::parse_str(&environment(s, &t, "raced").await).unwrap();
    let mut conn = s.service.db.write().await.unwrap();
    // a mapping to a connection that is gone, as a concurrent delete would leave it
    let err = service::store::assignments::add(
        &mut conn,
        &service::store::assignments::ENVIRONMENT_CONNECTIONS,
        env,
        &[uuid::Uuid::now_v7()],
    )
    .await
    .unwrap_err();
    assert!(model::error::is_integrity_violation(&err), "{err}");
    // an ordinary failure is not one
    let err = sqlx::query("SELECT * FROM no_such_table")
        .execute(&mut *conn)
        .await
        .unwrap_err();
    assert!(!model::error::is_integrity_violation(&err), "{err}");
}

const SECRET: &str = "s3cr3t-plaintext-VALUE-9f2c";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn credential(s: &TestServer, t: &str, name: &str) -> Value {
    let r = s
        .post(
            t,
            "/api/credentials",
            json!({"name": name, "type": "token", "secret": {"token": SECRET}, "allowed_hosts": ["*.example"]}),
        )
        .await;
    assert_eq!(r.0, 201, "{}", r.1);
    r.1
}

async fn connection(s: &TestServer, t: &str, name: &str, kind: &str, cred: Option<&str>) -> Value {
    let r = s
        .post(
            t,
            "/api/connections",
            json!({"name": name, "kind": kind, "url": format!("https://{name}.example:443"), "credential_id": cred}),
        )
        .await;
    assert_eq!(r.0, 201, "{}", r.1);
    r.1
}

async fn environment(s: &TestServer, t: &str, name: &str) -> String {
    let r = s.post(t, "/api/environments", json!({"name": name})).await;
    assert_eq!(r.0, 201, "{}", r.1);
    id(&r.1)
}

async fn credentials_are_encrypted_masked_and_validated(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let c = credential(s, &t, "prod-token").await;
    assert_eq!(c["type"], "token");
    assert_eq!(c["secret"], json!({"token": "********"}));
    assert_eq!(c["connection_count"], 0);
    let (_, fetched) = s.get(&t, &format!("/api/credentials/{}", id(&c))).await;
    assert_eq!(fetched["secret"], json!({"token": "********"}));
    let (_, list) = s.get(&t, "/api/credentials").await;
    assert!(!list.to_string().contains(SECRET));
    assert_eq!(list["total_count"], 1);
    // no row of any table holds the plaintext, in the credential or its audit trail
    // (every text column: the Any driver cannot read SQLite's booleans)
    for (table, columns) in [
        (
            "credentials",
            "id, name, name_key, type, secret_fields, ciphertext, key_id, search_text, allowed_hosts",
        ),
        ("audit_events", "*"),
    ] {
        for row in s.rows(&format!("SELECT {columns} FROM {table}")).await {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    assert!(!text.contains(SECRET), "{table} holds the plaintext");
                }
            }
        }
    }
    // nor do the SQLite files themselves
    if let Some(path) = s.db_url.strip_prefix("sqlite://") {
        for f in [path.to_string(), format!("{path}-wal")] {
            if let Ok(bytes) = std::fs::read(&f) {
                assert!(
                    !bytes.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
                    "{f} holds the plaintext"
                );
            }
        }
    }
    // the secret round-trips inside the server under its key
    let mut conn = s.service.db.read().await.unwrap();
    let sealed =
        service::store::credentials::get(&mut conn, uuid::Uuid::parse_str(&id(&c)).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(s.service.open_secret(&sealed).unwrap()["token"], SECRET);
    drop(conn);
    // rules of each type, naming the field at fault
    for (body, field) in [
        (
            json!({"name": "b", "type": "basic", "secret": {"username": "u"}}),
            "secret.password",
        ),
        (
            json!({"name": "k", "type": "kubernetes", "secret": {"client_certificate": "c"}}),
            "secret.client_key",
        ),
        (
            json!({"name": "a", "type": "aws", "secret": {"access_key_id": "a"}}),
            "secret.secret_access_key",
        ),
        (
            json!({"name": "x", "type": "token", "secret": {"token": "t", "extra": "e"}}),
            "secret.extra",
        ),
        (json!({"name": "x", "type": "ssh", "secret": {}}), "type"),
        (
            json!({"name": "", "type": "token", "secret": {"token": "t"}}),
            "name",
        ),
    ] {
        let r = s.post(&t, "/api/credentials", body).await;
        assert_error(&r, 400, "validation_failed", Some(field));
    }
    let r = s
        .post(
            &t,
            "/api/credentials",
            json!({"name": "custom", "type": "custom", "secret": {"api_key": "k", "host": "h"}, "allowed_hosts": ["h.example"]}),
        )
        .await;
    assert_eq!(
        r.1["secret"],
        json!({"api_key": "********", "host": "********"})
    );
    // updating without a secret keeps it; changing the type needs one
    let path = format!("/api/credentials/{}", id(&c));
    let (status, upd) = s.put(&t, &path, json!({"name": "renamed"})).await;
    assert_eq!((status, upd["name"].as_str()), (200, Some("renamed")));
    let mut conn = s.service.db.read().await.unwrap();
    let sealed =
        service::store::credentials::get(&mut conn, uuid::Uuid::parse_str(&id(&c)).unwrap())
            .await
            .unwrap()
            .unwrap();
    assert_eq!(s.service.open_secret(&sealed).unwrap()["token"], SECRET);
    drop(conn);
    assert_error(
        &s.put(&t, &path, json!({"type": "basic"})).await,
        400,
        "validation_failed",
        Some("secret"),
    );
    let (status, upd) = s
        .put(
            &t,
            &path,
            json!({"type": "basic", "secret": {"username": "u", "password": "p"}}),
        )
        .await;
    assert_eq!(
        (status, upd["secret"].clone()),
        (200, json!({"password": "********", "username": "********"}))
    );
}

async fn a_wrong_key_is_refused_clearly(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    credential(s, &t, "sealed").await;
    assert!(s.service.verify_secrets().await.is_ok());
    let other =
        service::secrets::Keyring::from_text(&service::secrets::generate_key_hex()).unwrap();
    let wrong = service::Service::new(s.service.db.clone(), other);
    let err = wrong.verify_secrets().await.unwrap_err().to_string();
    assert!(err.contains("configured key"), "{err}");
    // rotation re-seals everything under the new key, which then verifies
    let new = service::secrets::Keyring::from_text(&service::secrets::generate_key_hex()).unwrap();
    assert_eq!(s.service.rotate_secrets(&new).await.unwrap(), 1);
    let rotated = service::Service::new(s.service.db.clone(), new);
    assert!(rotated.verify_secrets().await.is_ok());
    assert!(
        s.service.verify_secrets().await.is_err(),
        "the old key no longer opens them"
    );
}

async fn credentials_in_use_are_guarded(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let c = credential(s, &t, "shared").await;
    let a = connection(s, &t, "cluster-a", "kubernetes", Some(&id(&c))).await;
    let b = connection(s, &t, "cluster-b", "kubernetes", Some(&id(&c))).await;
    let path = format!("/api/credentials/{}", id(&c));
    assert_eq!(s.get(&t, &path).await.1["connection_count"], 2);
    // one credential, changed once, for both connections
    s.put(&t, &path, json!({"secret": {"token": "rotated"}}))
        .await;
    for conn in [&a, &b] {
        let (_, got) = s.get(&t, &format!("/api/connections/{}", id(conn))).await;
        assert_eq!(got["credential_id"], c["id"]);
    }
    let r = s.delete(&t, &path).await;
    assert_error(&r, 409, "conflict", None);
    let msg = r.1["error"].as_str().unwrap();
    assert!(
        msg.contains("cluster-a") && msg.contains("cluster-b"),
        "{msg}"
    );
    for bad in ["maybe", "", " true"] {
        assert_error(
            &s.delete(&t, &format!("{path}?force={bad}")).await,
            400,
            "invalid_parameter",
            Some("force"),
        );
    }
    assert_eq!(s.delete(&t, &format!("{path}?force=true")).await.0, 204);
    assert_error(&s.get(&t, &path).await, 404, "not_found", None);
    for conn in [&a, &b] {
        let (status, got) = s.get(&t, &format!("/api/connections/{}", id(conn))).await;
        assert_eq!((status, got["credential_id"].clone()), (200, Value::Null));
    }
}

async fn connections_are_validated_and_listed(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let c = credential(s, &t, "tok").await;
    for (body, field) in [
        (json!({"name": "p", "kind": "prometheus"}), "url"),
        (
            json!({"name": "p", "kind": "prometheus", "url": "ftp://x"}),
            "url",
        ),
        (json!({"kind": "github"}), "name"),
        (json!({"name": "g"}), "kind"),
        (
            json!({"name": "g", "kind": "github", "credential_id": uuid::Uuid::now_v7()}),
            "credential_id",
        ),
        (
            json!({"name": "g", "kind": "github", "status": "asleep"}),
            "status",
        ),
    ] {
        assert_error(
            &s.post(&t, "/api/connections", body).await,
            400,
            "validation_failed",
            Some(field),
        );
    }
    let gh = s
        .post(&t, "/api/connections", json!({"name": "github-main", "kind": "GitHub", "metadata": {"org": "acme"}, "credential_id": c["id"]}))
        .await
        .1;
    assert_eq!(
        (
            gh["kind"].as_str(),
            gh["type"].as_str(),
            gh["status"].as_str()
        ),
        (Some("github"), Some("source-control"), Some("registered"))
    );
    assert_eq!(gh["metadata"], json!({"org": "acme"}));
    assert_eq!(gh["environments"], json!([]));
    assert_eq!(gh["credential_name"], "tok");
    for i in 0..3 {
        connection(s, &t, &format!("prom-{i}"), "prometheus", None).await;
    }
    let k = connection(s, &t, "gke", "kubernetes", None).await;
    s.put(
        &t,
        &format!("/api/connections/{}/status", id(&k)),
        json!({"status": "connected"}),
    )
    .await;
    let env = environment(s, &t, "prod").await;
    s.post(
        &t,
        &format!("/api/environments/{env}/connections/{}", id(&k)),
        json!({}),
    )
    .await;

    let (_, all) = s.get(&t, "/api/connections?order=name%20asc").await;
    assert_eq!(all["total_count"], 5);
    assert_eq!(
        all["status_summary"],
        json!({"connected": 1, "registered": 4})
    );
    let names: Vec<&str> = all["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["github-main", "gke", "prom-0", "prom-1", "prom-2"]);
    assert_eq!(
        all["connections"][1]["environments"],
        json!([{"id": env, "name": "prod"}])
    );
    let q = |f: Value| {
        format!(
            "/api/connections?pagesize=1&filter={}",
            urlencode(&f.to_string())
        )
    };
    let (_, l) = s.get(&t, &q(json!({"kind": "prometheus"}))).await;
    assert_eq!(
        (
            l["total_count"].as_u64(),
            l["connections"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );
    assert_eq!(
        l["status_summary"],
        json!({"registered": 3}),
        "the summary covers the filtered set, not the page"
    );
    let (_, l) = s.get(&t, &q(json!({"status": "connected"}))).await;
    assert_eq!(l["connections"][0]["name"], "gke");
    let (_, l) = s.get(&t, &q(json!({"credential_id": c["id"]}))).await;
    assert_eq!(l["connections"][0]["name"], "github-main");
    let (_, l) = s.get(&t, &q(json!({"environment_id": env}))).await;
    assert_eq!(
        (
            l["total_count"].as_u64(),
            l["connections"][0]["name"].as_str()
        ),
        (Some(1), Some("gke"))
    );
    let (_, l) = s.get(&t, "/api/connections?search=PROM-1").await;
    assert_eq!(l["total_count"], 1);
    assert_error(
        &s.get(&t, &q(json!({"colour": "red"}))).await,
        400,
        "invalid_parameter",
        Some("filter.colour"),
    );
    assert_error(
        &s.get(&t, "/api/connections?order=url").await,
        400,
        "invalid_parameter",
        Some("order"),
    );
    // update: fields given change, null detaches the credential, status goes through /status
    let path = format!("/api/connections/{}", id(&gh));
    let (status, upd) = s
        .put(
            &t,
            &path,
            json!({"url": "https://api.github.com", "credential_id": null}),
        )
        .await;
    assert_eq!(status, 200, "{upd}");
    assert_eq!(
        (
            upd["url"].as_str(),
            upd["credential_id"].clone(),
            upd["name"].as_str()
        ),
        (
            Some("https://api.github.com"),
            Value::Null,
            Some("github-main")
        )
    );
    assert_error(
        &s.put(&t, &path, json!({"status": "connected"})).await,
        400,
        "validation_failed",
        Some("status"),
    );
    assert_eq!(s.delete(&t, &path).await.0, 204);
    assert_error(&s.get(&t, &path).await, 404, "not_found", None);
}

async fn every_status_transition(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let c = connection(s, &t, "walker", "http", None).await;
    let path = format!("/api/connections/{}/status", id(&c));
    // every allowed edge of the map, walked once
    for to in [
        "connected",
        "maintenance",
        "registered",
        "ignored",
        "not found",
        "discovered",
        "registered",
        "connected",
        "disconnected",
        "connected",
        "not found",
        "discovered",
        "registered",
        "connected",
        "maintenance",
        "ignored",
        "deleted",
    ] {
        let (status, got) = s.put(&t, &path, json!({"status": to})).await;
        assert_eq!(
            (status, got["status"].as_str()),
            (200, Some(to)),
            "to {to}: {got}"
        );
    }
    let r = s.put(&t, &path, json!({"status": "connected"})).await;
    assert_error(&r, 409, "conflict", Some("status"));
    assert!(r.1["error"].as_str().unwrap().contains("allowed: none"));
    // a refused move lists what is allowed
    let d = connection(s, &t, "fresh", "http", None).await;
    let r = s
        .put(
            &t,
            &format!("/api/connections/{}/status", id(&d)),
            json!({"status": "disconnected"}),
        )
        .await;
    assert_error(&r, 409, "conflict", Some("status"));
    assert!(
        r.1["error"]
            .as_str()
            .unwrap()
            .contains("allowed: connected, ignored"),
        "{}",
        r.1
    );
    let r = s
        .put(
            &t,
            &format!("/api/connections/{}/status", id(&d)),
            json!({"status": "bogus"}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("status"));
    // each change is audited
    let n = s
        .rows(&format!(
            "SELECT id FROM audit_events WHERE action = 'connection.status' AND entity_id = '{}'",
            id(&c)
        ))
        .await
        .len();
    assert_eq!(n, 17);
}

async fn assignment_is_idempotent_and_lists_complement(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = environment(s, &t, "staging").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(id(&connection(s, &t, &format!("c{i}"), "http", None).await));
    }
    let add = |c: &str| format!("/api/environments/{env}/connections/{c}");
    assert_eq!(s.post(&t, &add(&ids[0]), json!({})).await.0, 201);
    assert_eq!(s.post(&t, &add(&ids[0]), json!({})).await.0, 200);
    assert_eq!(s.post(&t, &add(&ids[1]), json!({})).await.0, 201);
    let rows = s
        .rows(&format!(
            "SELECT connection_id FROM environment_connections WHERE environment_id = '{env}'"
        ))
        .await;
    assert_eq!(rows.len(), 2, "adding twice never makes a second mapping");
    let (_, assigned) = s
        .get(&t, &format!("/api/environments/{env}/connections"))
        .await;
    let (_, unassigned) = s
        .get(
            &t,
            &format!("/api/environments/{env}/connections?filter=%7B%22assigned%22%3Afalse%7D"),
        )
        .await;
    assert_eq!(
        (
            assigned["total_count"].as_u64(),
            unassigned["total_count"].as_u64()
        ),
        (Some(2), Some(3))
    );
    let mut all: Vec<String> = assigned["connections"]
        .as_array()
        .unwrap()
        .iter()
        .chain(unassigned["connections"].as_array().unwrap())
        .map(id)
        .collect();
    all.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(all, expected, "assigned and unassigned are complements");
    let (_, searched) = s
        .get(
            &t,
            &format!(
                "/api/environments/{env}/connections?search=c4&filter=%7B%22assigned%22%3Afalse%7D"
            ),
        )
        .await;
    assert_eq!(searched["total_count"], 1);
    let (_, e) = s.get(&t, &format!("/api/environments/{env}")).await;
    assert_eq!(e["connection_count"], 2);
    let (_, l) = s.get(&t, "/api/environments").await;
    assert_eq!(l["environments"][0]["connection_count"], 2);
    // malformed ids and unknown environments
    assert_error(
        &s.post(
            &t,
            &format!("/api/environments/{env}/connections/nope"),
            json!({}),
        )
        .await,
        400,
        "invalid_parameter",
        Some("connectionID"),
    );
    let missing = uuid::Uuid::now_v7();
    assert_error(
        &s.post(
            &t,
            &format!("/api/environments/{missing}/connections/{}", ids[0]),
            json!({}),
        )
        .await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &s.post(&t, &add(&missing.to_string()), json!({})).await,
        404,
        "not_found",
        None,
    );
    assert_error(
        &s.get(
            &t,
            &format!("/api/environments/{env}/connections?filter=%7B%22assigned%22%3A1%7D"),
        )
        .await,
        400,
        "invalid_parameter",
        Some("filter.assigned"),
    );
}

async fn shared_connection_removed_from_one_environment(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let cred = credential(s, &t, "gh-token").await;
    let gh = id(&connection(s, &t, "github-main", "github", Some(&id(&cred))).await);
    let prod = environment(s, &t, "production").await;
    let dev = environment(s, &t, "development").await;
    for env in [&prod, &dev] {
        assert_eq!(
            s.post(
                &t,
                &format!("/api/environments/{env}/connections/{gh}"),
                json!({})
            )
            .await
            .0,
            201
        );
    }
    let (_, c) = s.get(&t, &format!("/api/connections/{gh}")).await;
    assert_eq!(c["environments"].as_array().unwrap().len(), 2);
    assert_eq!(
        s.delete(&t, &format!("/api/environments/{prod}/connections/{gh}"))
            .await
            .0,
        204
    );
    assert_eq!(
        s.delete(&t, &format!("/api/environments/{prod}/connections/{gh}"))
            .await
            .0,
        204,
        "removing twice is fine"
    );
    let (status, c) = s.get(&t, &format!("/api/connections/{gh}")).await;
    assert_eq!(status, 200, "the connection remains");
    assert_eq!(
        c["environments"],
        json!([{"id": dev, "name": "development"}])
    );
    assert_eq!(c["credential_id"], cred["id"], "and keeps its credential");
    assert_eq!(
        s.get(&t, &format!("/api/credentials/{}", id(&cred)))
            .await
            .0,
        200
    );
    // deleting an environment keeps its connections too
    assert_eq!(
        s.delete(&t, &format!("/api/environments/{dev}")).await.0,
        204
    );
    let (status, c) = s.get(&t, &format!("/api/connections/{gh}")).await;
    assert_eq!((status, c["environments"].clone()), (200, json!([])));
}

async fn batch_is_atomic(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = environment(s, &t, "batch").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(id(&connection(s, &t, &format!("b{i}"), "http", None).await));
    }
    let path = format!("/api/environments/{env}/connections");
    let (_, before) = s.get(&t, &format!("/api/environments/{env}")).await;
    let (status, r) = s
        .send(
            reqwest::Method::PATCH,
            &t,
            &path,
            Some(json!({"add": [ids[0], ids[1]]})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r, json!({"added": 2, "removed": 0, "connection_count": 2}));
    // a change of what it holds is a change of the environment, as for a workspace
    let (_, after) = s.get(&t, &format!("/api/environments/{env}")).await;
    let at = |e: &Value| chrono::DateTime::parse_from_rfc3339(e["updated_at"].as_str().unwrap());
    assert!(
        at(&after).unwrap() > at(&before).unwrap(),
        "{before} {after}"
    );
    // one unknown id fails the whole batch, and names it
    let unknown = uuid::Uuid::now_v7().to_string();
    let r = s
        .send(
            reqwest::Method::PATCH,
            &t,
            &path,
            Some(json!({"add": [ids[2], unknown, ids[3]], "remove": [ids[0]]})),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("add[1]"));
    assert!(r.1["error"].as_str().unwrap().contains(&unknown));
    let (_, l) = s.get(&t, &path).await;
    let mut now: Vec<String> = l["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    now.sort();
    assert_eq!(
        now,
        {
            let mut v = vec![ids[0].clone(), ids[1].clone()];
            v.sort();
            v
        },
        "nothing changed"
    );
    let r = s
        .send(
            reqwest::Method::PATCH,
            &t,
            &path,
            Some(json!({"add": ["not-a-uuid"]})),
        )
        .await;
    assert_error(&r, 400, "invalid_body", Some("add[0]"));
    let r = s
        .send(
            reqwest::Method::PATCH,
            &t,
            &path,
            Some(json!({"add": [ids[2]], "remove": [ids[2]]})),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("remove"));
    // add and remove together
    let (_, r) = s
        .send(
            reqwest::Method::PATCH,
            &t,
            &path,
            Some(json!({"add": [ids[2], ids[3], ids[0]], "remove": [ids[1]]})),
        )
        .await;
    assert_eq!(r, json!({"added": 2, "removed": 1, "connection_count": 3}));
    // one event per change that changed something, its verb from what it did, in the payload
    // every assignment uses
    let events = s.rows(&format!("SELECT action, after_json FROM audit_events WHERE action LIKE 'environment.%assign%' AND entity_id = '{env}' ORDER BY occurred_at")).await;
    let actions: Vec<String> = events.iter().map(|r| r.get("action")).collect();
    assert_eq!(actions, ["environment.assign", "environment.assignments"]);
    let last: serde_json::Value =
        serde_json::from_str(&events[1].get::<String, _>("after_json")).unwrap();
    assert_eq!(
        last,
        json!({"parent": "environment", "child": "connection",
            "added": [{"id": ids[2], "name": "b2"}, {"id": ids[3], "name": "b3"}, {"id": ids[0], "name": "b0"}],
            "removed": [{"id": ids[1], "name": "b1"}]})
    );
}

async fn ten_thousand_ids_in_one_batch(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = environment(s, &t, "big").await;
    let (_, me) = s.get(&t, "/api/me").await;
    let org = uuid::Uuid::parse_str(me["organizations"][0]["id"].as_str().unwrap()).unwrap();
    let owner = uuid::Uuid::parse_str(me["id"].as_str().unwrap()).unwrap();
    // 10,000 connections straight into storage: the point is the batch, not 10,000 POSTs
    let mut ids = Vec::with_capacity(10_000);
    let mut tx = s.service.db.begin().await.unwrap();
    let now = chrono::Utc::now();
    for i in 0..10_000 {
        let c = model::connection::Connection {
            id: uuid::Uuid::now_v7(),
            organization_id: org,
            name: format!("bulk-{i:05}"),
            kind: "http".into(),
            kind_type: String::new(),
            sub_type: String::new(),
            url: "http://bulk.example".into(),
            status: model::connection::ConnectionStatus::Registered,
            metadata: Default::default(),
            credential_id: None,
            credential_name: None,
            environments: vec![],
            environment_count: 0,
            owner,
            created_at: now,
            updated_at: now,
            health: Default::default(),
            last_probe: Default::default(),
        };
        service::store::connections::insert(&mut tx, &c, None)
            .await
            .unwrap();
        ids.push(c.id);
    }
    tx.commit().await.unwrap();
    let path = format!("/api/environments/{env}/connections");
    let started = std::time::Instant::now();
    let (status, r) = s
        .send(reqwest::Method::PATCH, &t, &path, Some(json!({"add": ids})))
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r,
        json!({"added": 10_000, "removed": 0, "connection_count": 10_000})
    );
    eprintln!("10,000-id PATCH took {:?}", started.elapsed());
    let (_, l) = s.get(&t, &format!("{path}?pagesize=1")).await;
    assert_eq!(l["total_count"], 10_000);
    let (_, r) = s
        .send(
            reqwest::Method::PATCH,
            &t,
            &path,
            Some(json!({"remove": ids})),
        )
        .await;
    assert_eq!(
        r,
        json!({"added": 0, "removed": 10_000, "connection_count": 0})
    );
}

async fn transfer_moves_atomically(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let a = environment(s, &t, "us-east").await;
    let b = environment(s, &t, "eu-west").await;
    let ids: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(id(&connection(s, &t, &format!("t{i}"), "http", None).await));
        }
        v
    };
    s.send(
        reqwest::Method::PATCH,
        &t,
        &format!("/api/environments/{a}/connections"),
        Some(json!({"add": ids})),
    )
    .await;
    let path = format!("/api/environments/{a}/connections/transfer");
    // a connection not in the source fails the whole move
    let outsider = id(&connection(s, &t, "outsider", "http", None).await);
    let r = s
        .post(
            &t,
            &path,
            json!({"connection_ids": [ids[0], outsider], "to": b}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("connection_ids[1]"));
    assert_error(
        &s.post(
            &t,
            &path,
            json!({"connection_ids": [ids[0]], "to": uuid::Uuid::now_v7()}),
        )
        .await,
        404,
        "not_found",
        Some("to"),
    );
    assert_error(
        &s.post(&t, &path, json!({"connection_ids": [ids[0]]})).await,
        400,
        "validation_failed",
        Some("to"),
    );
    assert_error(
        &s.post(&t, &path, json!({"connection_ids": [ids[0]], "to": a}))
            .await,
        400,
        "validation_failed",
        Some("to"),
    );
    assert_eq!(
        s.get(&t, &format!("/api/environments/{a}")).await.1["connection_count"],
        3
    );
    let (status, r) = s
        .post(
            &t,
            &path,
            json!({"connection_ids": [ids[0], ids[1]], "to": b}),
        )
        .await;
    assert_eq!((status, r), (200, json!({"moved": 2})));
    assert_eq!(
        s.get(&t, &format!("/api/environments/{a}")).await.1["connection_count"],
        1
    );
    assert_eq!(
        s.get(&t, &format!("/api/environments/{b}")).await.1["connection_count"],
        2
    );
}

pub(crate) const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod-cluster
  cluster:
    server: https://prod.k8s.example:6443
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
- name: dev-cluster
  cluster:
    server: https://dev.k8s.example:6443
    insecure-skip-tls-verify: true
users:
- name: prod-admin
  user:
    token: prod-token-abc123
- name: dev-admin
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNFUlQKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=
    client-key-data: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCktFWQotLS0tLUVORCBQUklWQVRFIEtFWS0tLS0tCg==
contexts:
- name: prod
  context:
    cluster: prod-cluster
    user: prod-admin
    namespace: apps
- name: dev
  context:
    cluster: dev-cluster
    user: dev-admin
"#;

async fn kubeconfig_import_twice_creates_nothing_new(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let import = || async {
        let r = s
            .http
            .post(s.url("/api/connections/import/kubeconfig"))
            .bearer_auth(&t)
            .header("content-type", "application/yaml")
            .body(KUBECONFIG)
            .send()
            .await
            .unwrap();
        TestServer::json(r).await
    };
    let (status, first) = import().await;
    assert_eq!(status, 200, "{first}");
    let made = first["connections"].as_array().unwrap();
    assert_eq!(made.len(), 2);
    assert!(made
        .iter()
        .all(|c| c["created"] == true && c["credential_id"].is_string()));
    let (_, prod) = s
        .get(&t, &format!("/api/connections/{}", id(&made[0])))
        .await;
    assert_eq!(
        (
            prod["name"].as_str(),
            prod["kind"].as_str(),
            prod["url"].as_str()
        ),
        (
            Some("prod"),
            Some("kubernetes"),
            Some("https://prod.k8s.example:6443")
        )
    );
    assert_eq!(prod["metadata"]["namespace"], "apps");
    let (_, cred) = s
        .get(
            &t,
            &format!(
                "/api/credentials/{}",
                prod["credential_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        cred["secret"],
        json!({"certificate_authority": "********", "token": "********"})
    );
    let (_, dev_cred) = s
        .get(
            &t,
            &format!(
                "/api/credentials/{}",
                made[1]["credential_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(
        dev_cred["secret"],
        json!({"client_certificate": "********", "client_key": "********"})
    );

    let (status, second) = import().await;
    assert_eq!(status, 200);
    let again = second["connections"].as_array().unwrap();
    assert!(again.iter().all(|c| c["created"] == false));
    assert_eq!(
        again.iter().map(id).collect::<Vec<_>>(),
        made.iter().map(id).collect::<Vec<_>>()
    );
    assert_eq!(s.get(&t, "/api/connections").await.1["total_count"], 2);
    assert_eq!(s.get(&t, "/api/credentials").await.1["total_count"], 2);
    // broken input is a 400 that says why
    let r = s
        .http
        .post(s.url("/api/connections/import/kubeconfig"))
        .bearer_auth(&t)
        .body("clusters: [unclosed")
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::json(r).await, 400, "invalid_body", None);
}

async fn other_organizations_cannot_touch_connections(s: &TestServer) {
    let a = s.user("acme", "alice", Role::Admin).await;
    let b = s.user("globex", "bob", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let cred = credential(s, &a, "acme-cred").await;
    let conn = id(&connection(s, &a, "acme-cluster", "kubernetes", Some(&id(&cred))).await);
    let acme_env = environment(s, &a, "acme-prod").await;
    let globex_env = environment(s, &b, "globex-prod").await;
    for path in [
        format!("/api/connections/{conn}"),
        format!("/api/credentials/{}", id(&cred)),
        format!("/api/environments/{acme_env}/connections"),
    ] {
        assert_error(&s.get(&b, &path).await, 404, "not_found", None);
    }
    assert_eq!(s.get(&b, "/api/connections").await.1["total_count"], 0);
    assert_eq!(s.get(&b, "/api/credentials").await.1["total_count"], 0);
    // bob cannot pull acme's connection into his environment, nor attach acme's credential
    assert_error(
        &s.post(
            &b,
            &format!("/api/environments/{globex_env}/connections/{conn}"),
            json!({}),
        )
        .await,
        404,
        "not_found",
        None,
    );
    let r = s
        .send(
            reqwest::Method::PATCH,
            &b,
            &format!("/api/environments/{globex_env}/connections"),
            Some(json!({"add": [conn]})),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("add[0]"));
    let r = s
        .post(
            &b,
            "/api/connections",
            json!({"name": "x", "kind": "github", "credential_id": cred["id"]}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("credential_id"));
    // members of a workspace that reaches it read, and never see secrets, but change nothing
    let (_, ws) = s.post(&a, "/api/workspaces", json!({"name": "team"})).await;
    let ws = id(&ws);
    for (path, body) in [
        (
            format!("/api/environments/{acme_env}/connections/{conn}"),
            json!({}),
        ),
        (
            format!("/api/workspaces/{ws}/environments/{acme_env}"),
            json!({}),
        ),
        (
            format!("/api/workspaces/{ws}/members"),
            json!({"email": "mike@example.com"}),
        ),
    ] {
        assert_eq!(s.post(&a, &path, body).await.0, 201, "{path}");
    }
    assert_eq!(
        s.get(&member, &format!("/api/credentials/{}", id(&cred)))
            .await
            .1["secret"],
        json!({"token": "********"})
    );
    assert_error(
        &s.post(
            &member,
            "/api/connections",
            json!({"name": "m", "kind": "github"}),
        )
        .await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &s.post(
            &member,
            &format!("/api/environments/{acme_env}/connections/{conn}"),
            json!({}),
        )
        .await,
        403,
        "forbidden",
        None,
    );
    assert_error(
        &s.delete(&member, &format!("/api/credentials/{}", id(&cred)))
            .await,
        403,
        "forbidden",
        None,
    );
}

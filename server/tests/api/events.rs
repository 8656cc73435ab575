//! `/api/events`, the audit log, on SQLite and PostgreSQL.

use crate::common::{assert_error, urlencode, TestServer};
use model::user::Role;
use serde_json::json;

both_backends!(
    admins_read_their_organizations_log,
    the_log_filters_and_pages
);

async fn admins_read_their_organizations_log(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let other = s.user("globex", "bob", Role::Admin).await;
    let (_, env) = s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await;
    let path = format!("/api/environments/{}", env["id"].as_str().unwrap());
    let r = s
        .http
        .put(s.url(&path))
        .bearer_auth(&admin)
        .header("x-meshenv-reason", "rename for the migration")
        .json(&json!({"name": "production"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, log) = s.get(&admin, "/api/events").await;
    assert_eq!(status, 200, "{log}");
    let events = log["events"].as_array().unwrap();
    // the two changes, after the two API tokens the test's people were given
    assert_eq!(log["total_count"], 4);
    assert_eq!(events[3]["action"], "api_token.create");
    // newest first, with the actor, the token used, before/after and the reason
    assert_eq!(events[0]["action"], "environment.update");
    assert_eq!(events[0]["actor"]["user_name"], "alice");
    assert!(events[0]["actor"]["token_id"].is_string());
    assert_eq!(
        (
            events[0]["before"]["name"].as_str(),
            events[0]["after"]["name"].as_str()
        ),
        (Some("prod"), Some("production"))
    );
    assert_eq!(events[0]["reason"], "rename for the migration");
    assert_eq!(events[0]["entity_name"], "production");
    assert_eq!(events[1]["action"], "environment.create");
    assert_eq!(events[1]["before"], serde_json::Value::Null);
    // a member in no workspace sees none of it, other organizations nothing either
    let (status, mine) = s.get(&member, "/api/events").await;
    assert_eq!(
        (status, mine["total_count"].as_u64()),
        (200, Some(0)),
        "{mine}"
    );
    let (_, theirs) = s.get(&other, "/api/events").await;
    assert_eq!(theirs["total_count"], 1, "{theirs}");
    assert_eq!(theirs["events"][0]["actor"]["user_name"], "bob");
}

async fn the_log_filters_and_pages(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let admin2 = s.user("acme", "ann", Role::Admin).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let t = if i % 2 == 0 { &admin } else { &admin2 };
        let (_, env) = s
            .post(t, "/api/environments", json!({"name": format!("e{i}")}))
            .await;
        ids.push(env["id"].as_str().unwrap().to_string());
    }
    let before_delete = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    s.delete(&admin, &format!("/api/environments/{}", ids[0]))
        .await;
    let q = |f: serde_json::Value| format!("/api/events?filter={}", urlencode(&f.to_string()));
    let (_, l) = s.get(&admin, &q(json!({"entity_id": ids[0]}))).await;
    let actions: Vec<&str> = l["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["environment.delete", "environment.create"]);
    let (_, me) = s.get(&admin2, "/api/me").await;
    let (_, l) = s.get(&admin, &q(json!({"actor_id": me["id"]}))).await;
    assert_eq!(
        l["total_count"], 3,
        "two environments and ann's API token: {l}"
    );
    let (_, l) = s
        .get(&admin, &q(json!({"action": "environment.delete"})))
        .await;
    assert_eq!(l["total_count"], 1);
    let (_, l) = s
        .get(&admin, &q(json!({"since": before_delete.to_rfc3339()})))
        .await;
    assert_eq!(
        (l["total_count"].as_u64(), l["events"][0]["action"].as_str()),
        (Some(1), Some("environment.delete"))
    );
    let (_, l) = s
        .get(
            &admin,
            &q(json!({"until": before_delete.to_rfc3339(), "entity_type": "environment"})),
        )
        .await;
    assert_eq!(l["total_count"], 5);
    let (_, l) = s
        .get(
            &admin,
            &format!(
                "/api/events?pagesize=2&page=1&order=time%20asc&filter={}",
                urlencode(r#"{"entity_type":"environment"}"#)
            ),
        )
        .await;
    assert_eq!(
        (
            l["total_count"].as_u64(),
            l["events"].as_array().unwrap().len()
        ),
        (Some(6), 2)
    );
    assert_eq!(l["events"][0]["entity_name"], "e2");
    assert_error(
        &s.get(&admin, &q(json!({"since": "last week"}))).await,
        400,
        "invalid_parameter",
        Some("filter.since"),
    );
    assert_error(
        &s.get(&admin, "/api/events?order=action").await,
        400,
        "invalid_parameter",
        Some("order"),
    );
}

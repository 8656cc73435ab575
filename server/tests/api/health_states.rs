//! Health as its own state, apart from the lifecycle status: what each kind of failure becomes,
//! in words; since when; lists filtered by it; environments and workspaces counting by it.

use crate::common::{assert_error, TestServer};
use crate::health::{check, closed_port, connection, fake_servers};
use model::user::Role;
use serde_json::{json, Value};
use std::time::Duration;

both_backends!(
    health_is_a_state_of_its_own_filtered_and_counted,
    a_check_asked_for_while_one_runs_waits_for_it,
);

fn health(c: &Value) -> (&str, Option<&str>) {
    (
        c["health"]["state"].as_str().unwrap(),
        c["health"]["message"].as_str(),
    )
}

async fn health_is_a_state_of_its_own_filtered_and_counted(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (base, _fake) = fake_servers(Duration::ZERO).await;
    let closed = closed_port();
    let healthy = connection(
        s,
        &admin,
        "prom",
        "prometheus",
        &format!("{base}/prom"),
        None,
    )
    .await;
    let failing = connection(
        s,
        &admin,
        "broken",
        "prometheus",
        &format!("{base}/broken"),
        None,
    )
    .await;
    let unreachable = connection(
        s,
        &admin,
        "dead",
        "http",
        &format!("http://{closed}/"),
        None,
    )
    .await;
    let unchecked = connection(
        s,
        &admin,
        "later",
        "grafana",
        &format!("{base}/grafana"),
        None,
    )
    .await;
    let github = connection(s, &admin, "gh", "github", "https://api.github.com", None).await;

    // before any probe: unchecked since registration; kinds without a probe say so
    let (_, c) = s
        .get(&admin, &format!("/api/connections/{unchecked}"))
        .await;
    assert_eq!(health(&c), ("unchecked", None), "{c}");
    assert!(c["health"]["since"].is_string(), "{c}");
    let (_, c) = s.get(&admin, &format!("/api/connections/{github}")).await;
    assert_eq!(health(&c).0, "not_probed", "{c}");

    let (_, c) = check(s, &admin, &healthy).await;
    assert_eq!(health(&c), ("healthy", None), "{c}");
    assert!(c["health"]["checked_at"].is_string() && c["health"]["latency_ms"].is_u64());

    // an answer with an error status: failing, in words; the raw cause stays in last_error;
    // the lifecycle status stays registered (Meshery's transitions)
    let (_, c) = check(s, &admin, &failing).await;
    assert_eq!(
        health(&c),
        (
            "failing",
            Some("It answered with an error: HTTP 500 Internal Server Error")
        ),
        "{c}"
    );
    assert_eq!(c["status"], "registered");
    assert!(
        c["last_error"].as_str().unwrap().contains("answered 500"),
        "{c}"
    );
    let since = c["health"]["since"].clone();
    let checked = c["health"]["checked_at"].clone();
    tokio::time::sleep(Duration::from_millis(5)).await;
    let (_, again) = check(s, &admin, &failing).await;
    assert_eq!(again["health"]["since"], since, "the state did not change");
    assert_ne!(again["health"]["checked_at"], checked);

    // nothing listening: unreachable, not a green "success" with an error chain
    let (_, c) = check(s, &admin, &unreachable).await;
    assert_eq!(
        health(&c),
        (
            "unreachable",
            Some(format!("{closed} refused the connection (nothing listens there)").as_str())
        ),
        "{c}"
    );

    // lists filter by health, and count by it over the whole filtered set
    let list = |filter: &str| {
        format!(
            "/api/connections?filter={}",
            crate::common::urlencode(filter)
        )
    };
    let (status, page) = s.get(&admin, &list(r#"{"health":"unreachable"}"#)).await;
    assert_eq!(status, 200, "{page}");
    let names = crate::common::texts(&page, "connections", "name");
    assert_eq!(names, ["dead"]);
    let (_, all) = s.get(&admin, "/api/connections").await;
    let counts =
        json!({"healthy": 1, "failing": 1, "unreachable": 1, "unchecked": 1, "not_probed": 1});
    assert_eq!(all["health_summary"], counts, "{all}");
    assert_error(
        &s.get(&admin, &list(r#"{"health":"fine"}"#)).await,
        400,
        "invalid_parameter",
        Some("filter.health"),
    );

    // environments and workspaces count their connections by health
    let (_, env) = s
        .post(&admin, "/api/environments", json!({"name": "prod"}))
        .await;
    let env = env["id"].as_str().unwrap().to_string();
    for c in [&healthy, &failing, &unreachable, &unchecked, &github] {
        let (status, r) = s
            .post(
                &admin,
                &format!("/api/environments/{env}/connections/{c}"),
                json!({}),
            )
            .await;
        assert_eq!(status, 201, "{r}");
    }
    let (_, e) = s.get(&admin, &format!("/api/environments/{env}")).await;
    assert_eq!(e["health_summary"], counts, "{e}");
    let (_, envs) = s.get(&admin, "/api/environments").await;
    assert_eq!(envs["environments"][0]["health_summary"], counts);
    let (_, ws) = s
        .post(&admin, "/api/workspaces", json!({"name": "team"}))
        .await;
    let ws = ws["id"].as_str().unwrap().to_string();
    s.post(
        &admin,
        &format!("/api/workspaces/{ws}/environments/{env}"),
        json!({}),
    )
    .await;
    let (_, w) = s.get(&admin, &format!("/api/workspaces/{ws}")).await;
    assert_eq!(w["health_summary"], counts, "{w}");
    let (_, list) = s.get(&admin, "/api/workspaces").await;
    assert_eq!(list["workspaces"][0]["health_summary"], counts, "{list}");

    // a new address makes what was found about the old one moot: unchecked again
    let (status, c) = s
        .put(
            &admin,
            &format!("/api/connections/{unreachable}"),
            json!({"url": format!("{base}/flaky")}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(health(&c), ("unchecked", None), "{c}");
    let (_, c) = check(s, &admin, &unreachable).await;
    assert_eq!(health(&c).0, "healthy", "{c}");
}

/// "Check now" while another probe of the connection runs (the background checker's, another
/// person's) waits for that probe and answers its outcome: never a 409 because the checker
/// happened to be first. The probe runs once.
async fn a_check_asked_for_while_one_runs_waits_for_it(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    // A host that accepts and never answers: each probe takes the whole (1 s) timeout.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = silent.local_addr().unwrap();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((sock, _)) = silent.accept().await {
            open.push(sock);
        }
    });
    let id = connection(s, &admin, "slow", "http", &format!("http://{addr}/"), None).await;
    let (first, second) = tokio::join!(check(s, &admin, &id), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        check(s, &admin, &id).await
    });
    held.abort();
    for (status, c) in [&first, &second] {
        assert_eq!(*status, 200, "{c}");
        assert_eq!(health(c).0, "unreachable", "{c}");
    }
    assert_eq!(
        first.1["health"]["checked_at"],
        second.1["health"]["checked_at"]
    );
    let (_, events) = s
        .get(
            &admin,
            &format!("/api/events?filter=%7B%22entity_id%22%3A%22{id}%22%7D"),
        )
        .await;
    let checks = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "connection.check")
        .count();
    assert_eq!(checks, 1, "{events}");
}

//! Health probes against fake Prometheus, Grafana, Kubernetes and plain HTTP servers started on
//! loopback (a healthy one, one that answers 500, a slow one, one that checks a token), and two
//! meshenv processes on one PostgreSQL that never probe the same connection at once.

use crate::common::{assert_error, TestServer, TEST_KEY};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use model::user::Role;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

both_backends!(probes_record_health_and_move_status);

/// What the fake servers saw: per path, requests in all and the most at once.
#[derive(Default)]
pub(crate) struct Seen {
    hits: HashMap<String, (u32, u32, u32)>, // (total, in flight, most in flight)
}

#[derive(Clone, Default)]
pub(crate) struct Fake {
    seen: Arc<Mutex<Seen>>,
    flaky_fails: Arc<AtomicBool>,
    delay: Duration,
}

impl Fake {
    fn enter(&self, path: &str) {
        let mut s = self.seen.lock().unwrap();
        let e = s.hits.entry(path.to_string()).or_default();
        e.0 += 1;
        e.1 += 1;
        e.2 = e.2.max(e.1);
    }
    fn leave(&self, path: &str) {
        self.seen.lock().unwrap().hits.get_mut(path).unwrap().1 -= 1;
    }
}

pub(crate) async fn fake_servers(delay: Duration) -> (String, Fake) {
    let fake = Fake {
        delay,
        ..Default::default()
    };
    async fn healthy(State(f): State<Fake>, Path(name): Path<String>) -> StatusCode {
        f.enter(&name);
        tokio::time::sleep(f.delay).await;
        f.leave(&name);
        StatusCode::OK
    }
    let app = Router::new()
        .route(
            "/prom/-/healthy",
            get(|| async { "Prometheus Server is Healthy." }),
        )
        .route(
            "/broken/-/healthy",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route(
            "/slow/-/healthy",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/grafana/api/health",
            get(|| async { axum::Json(json!({"database": "ok"})) }),
        )
        .route(
            "/k8s/version",
            get(|headers: HeaderMap| async move {
                match headers.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some("Bearer kube-token") => (StatusCode::OK, r#"{"gitVersion":"v1.31.0"}"#),
                    _ => (StatusCode::UNAUTHORIZED, "Unauthorized"),
                }
            }),
        )
        .route(
            "/flaky",
            get(|State(f): State<Fake>| async move {
                if f.flaky_fails.load(Ordering::SeqCst) {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::OK
                }
            }),
        )
        .route("/counted/{name}/-/healthy", get(healthy))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, fake)
}

/// A loopback address nothing listens on (bound, then let go).
pub(crate) fn closed_port() -> std::net::SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap()
}

pub(crate) async fn connection(
    s: &TestServer,
    admin: &str,
    name: &str,
    kind: &str,
    url: &str,
    credential: Option<&str>,
) -> String {
    let mut body = json!({"name": name, "kind": kind, "url": url});
    if let Some(c) = credential {
        body["credential_id"] = json!(c);
    }
    let (status, c) = s.post(admin, "/api/connections", body).await;
    assert_eq!(status, 201, "{c}");
    c["id"].as_str().unwrap().to_string()
}

pub(crate) async fn check(s: &TestServer, token: &str, id: &str) -> (u16, Value) {
    s.post(token, &format!("/api/connections/{id}/check"), json!({}))
        .await
}

async fn probes_record_health_and_move_status(s: &TestServer) {
    let admin = s.user("acme", "alice", Role::Admin).await;
    let member = s.user("acme", "mike", Role::Member).await;
    let (base, fake) = fake_servers(Duration::ZERO).await;

    // healthy: registered → connected, with a latency and no error; the change is audited
    let prom = connection(
        s,
        &admin,
        "prom",
        "prometheus",
        &format!("{base}/prom"),
        None,
    )
    .await;
    let (status, c) = check(s, &admin, &prom).await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "connected");
    assert_eq!(c["last_error"], Value::Null);
    assert!(
        c["latency_ms"].as_u64().is_some() && c["last_checked_at"].is_string(),
        "{c}"
    );
    let (_, log) = s
        .get(
            &admin,
            &format!("/api/events?filter=%7B%22entity_id%22%3A%22{prom}%22%7D"),
        )
        .await;
    // a check someone asked for is recorded as such, with what it moved
    assert_eq!(log["events"][0]["action"], "connection.check");
    assert_eq!(log["events"][0]["after"]["status"], "connected");
    assert_eq!(log["events"][0]["after"]["health"], "healthy");
    assert_eq!(log["events"][0]["before"]["health"], "unchecked");

    let grafana = connection(
        s,
        &admin,
        "graf",
        "grafana",
        &format!("{base}/grafana"),
        None,
    )
    .await;
    assert_eq!(check(s, &admin, &grafana).await.1["status"], "connected");

    // a 500: recorded with its message; registered cannot become disconnected, so it stays
    let broken = connection(
        s,
        &admin,
        "broken",
        "prometheus",
        &format!("{base}/broken"),
        None,
    )
    .await;
    let (_, c) = check(s, &admin, &broken).await;
    assert_eq!(c["status"], "registered");
    assert!(c["last_error"].as_str().unwrap().contains("500"), "{c}");

    // a slow one: timed out after the probe timeout (1 s in tests), not after 5
    let slow = connection(
        s,
        &admin,
        "slow",
        "prometheus",
        &format!("{base}/slow"),
        None,
    )
    .await;
    let started = std::time::Instant::now();
    let (_, c) = check(s, &admin, &slow).await;
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(
        c["last_error"]
            .as_str()
            .unwrap()
            .contains("no answer within"),
        "{c}"
    );

    // nobody listening
    let closed = closed_port();
    let dead = connection(
        s,
        &admin,
        "dead",
        "http",
        &format!("http://{closed}/"),
        None,
    )
    .await;
    let (_, c) = check(s, &admin, &dead).await;
    assert!(
        c["last_error"].as_str().unwrap().contains("cannot reach"),
        "{c}"
    );

    // kubernetes: GET /version with the credential's token
    let (_, good) = s
        .post(
            &admin,
            "/api/credentials",
            json!({"name": "kube", "type": "token", "secret": {"token": "kube-token"}, "allowed_hosts": ["127.0.0.1"], "allow_http": true}),
        )
        .await;
    let (_, bad) = s
        .post(
            &admin,
            "/api/credentials",
            json!({"name": "stale", "type": "token", "secret": {"token": "old"}, "allowed_hosts": ["127.0.0.1"], "allow_http": true}),
        )
        .await;
    let k8s = connection(
        s,
        &admin,
        "k8s",
        "kubernetes",
        &format!("{base}/k8s"),
        good["id"].as_str(),
    )
    .await;
    let (_, c) = check(s, &admin, &k8s).await;
    assert_eq!(c["status"], "connected");
    // the cluster's /version fills metadata.version, and the address shows as metadata.server
    assert_eq!(c["metadata"]["version"], "v1.31.0", "{c}");
    assert_eq!(c["metadata"]["server"], format!("{base}/k8s"));
    let (_, listed) = s.get(&admin, &format!("/api/connections/{k8s}")).await;
    assert_eq!(listed["metadata"]["version"], "v1.31.0");
    let k8s_bad = connection(
        s,
        &admin,
        "k8s-bad",
        "kubernetes",
        &format!("{base}/k8s"),
        bad["id"].as_str(),
    )
    .await;
    let (_, c) = check(s, &admin, &k8s_bad).await;
    assert!(c["last_error"].as_str().unwrap().contains("401"), "{c}");
    assert!(
        !c.to_string().contains("old\""),
        "a secret in the answer: {c}"
    );

    // connected ↔ disconnected, both ways
    let flaky = connection(s, &admin, "flaky", "http", &format!("{base}/flaky"), None).await;
    assert_eq!(check(s, &admin, &flaky).await.1["status"], "connected");
    fake.flaky_fails.store(true, Ordering::SeqCst);
    let (_, c) = check(s, &admin, &flaky).await;
    assert_eq!(c["status"], "disconnected");
    assert!(c["last_error"].as_str().unwrap().contains("503"));
    fake.flaky_fails.store(false, Ordering::SeqCst);
    let (_, c) = check(s, &admin, &flaky).await;
    assert_eq!(
        (c["status"].as_str(), &c["last_error"]),
        (Some("connected"), &Value::Null)
    );

    // each environment's health: its connections counted by status, in the list and alone
    let (_, env) = s
        .post(&admin, "/api/environments", json!({"name": "obs"}))
        .await;
    let env = env["id"].as_str().unwrap().to_string();
    let patch = json!({"add": [prom, broken, flaky]});
    s.send(
        reqwest::Method::PATCH,
        &admin,
        &format!("/api/environments/{env}/connections"),
        Some(patch),
    )
    .await;
    let (_, list) = s.get(&admin, "/api/environments").await;
    assert_eq!(
        list["environments"][0]["status_summary"],
        json!({"connected": 2, "registered": 1})
    );
    let (_, one) = s.get(&admin, &format!("/api/environments/{env}")).await;
    assert_eq!(
        one["status_summary"],
        json!({"connected": 2, "registered": 1})
    );

    // kinds not probed, and callers who may not
    let gh = connection(s, &admin, "gh", "github", "https://api.github.com", None).await;
    assert_error(&check(s, &admin, &gh).await, 409, "conflict", None);
    assert_error(&check(s, &member, &prom).await, 404, "not_found", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_never_probe_one_connection_at_once() {
    let Some(s) = TestServer::start(crate::common::Backend::Postgres).await else {
        return;
    };
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (base, fake) = fake_servers(Duration::from_millis(300)).await;
    let names: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
    for n in &names {
        connection(
            &s,
            &admin,
            n,
            "prometheus",
            &format!("{base}/counted/{n}"),
            None,
        )
        .await;
    }
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let mut children: Vec<std::process::Child> = (0..2)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_meshenv"))
                .arg("serve")
                .env("MESHENV_DATABASE_URL", &s.db_url)
                .env("MESHENV_SECRET_KEY", TEST_KEY)
                .env("MESHENV_LISTEN", format!("127.0.0.1:{}", free_port()))
                .env("MESHENV_HEALTH_INTERVAL", "1")
                .env("MESHENV_LOG", "warn")
                .spawn()
                .expect("start meshenv")
        })
        .collect();
    // Until every connection has been probed three times (or 20 s pass).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let done = {
            let seen = fake.seen.lock().unwrap();
            names
                .iter()
                .all(|n| seen.hits.get(n).is_some_and(|h| h.0 >= 3))
        };
        if done || std::time::Instant::now() > deadline {
            break;
        }
    }
    for c in &mut children {
        let _ = c.kill();
        let _ = c.wait();
    }
    let counts: Vec<(u32, u32, u32)> = {
        let seen = fake.seen.lock().unwrap();
        names
            .iter()
            .map(|n| seen.hits.get(n).copied().unwrap_or_default())
            .collect()
    };
    for (n, (total, _, most)) in names.iter().zip(counts) {
        assert!(total >= 3, "{n} was probed {total} times");
        assert_eq!(most, 1, "{n} was probed {most} times at once");
    }
    let (_, page) = s
        .get(
            &admin,
            "/api/connections?filter=%7B%22status%22%3A%22connected%22%7D",
        )
        .await;
    assert_eq!(page["total_count"], 8);
    s.stop().await;
}

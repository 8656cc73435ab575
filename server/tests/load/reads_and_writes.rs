//! Under load, on the smallest pools: 64 concurrent requests to every GET endpoint of the API
//! and every server-rendered page, while other tasks write. Every answer must be a success and
//! come within a few seconds. A request that holds a connection while it waits for another
//! from the same pool deadlocks here (64 clients against 2 readers), where a bench at the pool
//! size would not notice.

use crate::common::{Backend, TestServer, PASSWORD};
use model::user::Role;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
/// "Within a few seconds": a debug build on 2 cores, 64 requests queued on 2 readers.
const WITHIN: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    if let Some(s) = start(Backend::Sqlite).await {
        every_read_holds_at_64_clients(&s).await;
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    if let Some(s) = start(Backend::Postgres).await {
        every_read_holds_at_64_clients(&s).await;
        s.stop().await;
    }
}

async fn start(backend: Backend) -> Option<TestServer> {
    let pools = service::db::PoolSettings {
        max_connections: Some(2),
        acquire_timeout: Duration::from_secs(3),
    };
    TestServer::start_with(backend, pools).await
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

async fn created(s: &TestServer, t: &str, path: &str, body: Value) -> String {
    let r = s.post(t, path, body).await;
    assert_eq!(r.0, 201, "POST {path}: {}", r.1);
    id(&r.1)
}

/// Outcome of one request: its path, status and how long it took.
type Answer = (String, u16, Duration);

async fn fetch(http: reqwest::Client, url: String, auth: (&'static str, String)) -> Answer {
    let started = Instant::now();
    let status = match http.get(&url).header(auth.0, auth.1).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let _ = r.bytes().await;
            status
        }
        Err(_) => 0,
    };
    (url, status, started.elapsed())
}

async fn every_read_holds_at_64_clients(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    s.user("acme", "mia", Role::Member).await;
    let cookie = s.sign_in("alice", PASSWORD).await.expect("alice signs in");

    // Enough data for every list to have rows and for pages to join across tables.
    let cred = created(
        s,
        &t,
        "/api/credentials",
        json!({"name": "token", "type": "token", "secret": {"token": "s3cret"}, "allowed_hosts": ["*.example"]}),
    )
    .await;
    let mut envs = Vec::new();
    let mut conns = Vec::new();
    for i in 0..12 {
        envs.push(
            created(
                s,
                &t,
                "/api/environments",
                json!({"name": format!("env-{i}"), "tags": ["load"]}),
            )
            .await,
        );
        conns.push(
            created(
                s,
                &t,
                "/api/connections",
                json!({"name": format!("conn-{i}"), "kind": "prometheus", "url": format!("https://p{i}.example"), "credential_id": cred}),
            )
            .await,
        );
    }
    for e in &envs {
        let r = s
            .send(
                reqwest::Method::PATCH,
                &t,
                &format!("/api/environments/{e}/connections"),
                Some(json!({"add": conns})),
            )
            .await;
        assert_eq!(r.0, 200, "{}", r.1);
    }
    let ws = s
        .workspace_with(&t, "platform", &envs[..1], "mia@example.com")
        .await;

    let (e, c) = (&envs[0], &conns[0]);
    let api: Vec<String> = vec![
        "/api/environments?pagesize=20".into(),
        "/api/environments?search=env-1&order=name%20asc".into(),
        "/api/environments?filter=%7B%22tags%22%3A%5B%22load%22%5D%7D".into(),
        format!("/api/environments/{e}"),
        format!("/api/environments/{e}/connections"),
        // the connections not in it (this once read `?unassigned=true`, which was ignored)
        format!("/api/environments/{e}/connections?filter=%7B%22assigned%22%3Afalse%7D"),
        "/api/connections?pagesize=20".into(),
        "/api/connections?search=conn".into(),
        format!("/api/connections/{c}"),
        format!("/api/connections/{c}/environments"),
        "/api/credentials".into(),
        format!("/api/credentials/{cred}"),
        "/api/events".into(),
        "/api/workspaces".into(),
        format!("/api/workspaces/{ws}"),
        format!("/api/workspaces/{ws}/environments"),
        format!("/api/workspaces/{ws}/connections"),
        format!("/api/workspaces/{ws}/members"),
        "/api/users".into(),
        "/api/me".into(),
        "/api/openapi.json".into(),
    ];
    let pages: Vec<String> = vec![
        "/environments".into(),
        format!("/environments/{e}"),
        format!("/environments/{e}/edit"),
        "/connections".into(),
        format!("/connections/{c}"),
        "/credentials".into(),
        "/workspaces".into(),
        format!("/workspaces/{ws}"),
        "/members".into(),
        "/audit".into(),
        "/settings".into(),
    ];

    // Writers beside the readers: creates, assignment patches and bulk lifecycle moves.
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..3 {
        let (http, base, t, stop) = (s.http.clone(), s.base.clone(), t.clone(), stop.clone());
        let (envs, conns) = (envs.clone(), conns.clone());
        writers.push(tokio::spawn(async move {
            let auth = format!("Bearer {t}");
            let mut failures = Vec::new();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let started = Instant::now();
                let (what, expected, r) = match n % 3 {
                    0 => (
                        "create",
                        201,
                        http.post(format!("{base}/api/environments"))
                            .header("authorization", &auth)
                            .json(&json!({"name": format!("w{w}-{n}")}))
                            .send()
                            .await,
                    ),
                    1 => {
                        // The first six take patches; the last six are archived and unarchived.
                        let e = &envs[n % 6];
                        let add = &conns[n % conns.len()];
                        (
                            "patch",
                            200,
                            http.patch(format!("{base}/api/environments/{e}/connections"))
                                .header("authorization", &auth)
                                .json(&json!({"add": [add], "remove": []}))
                                .send()
                                .await,
                        )
                    }
                    _ => {
                        let ids = [&envs[6 + n % 6]];
                        let action = if (n / 3) % 2 == 0 {
                            "archive"
                        } else {
                            "unarchive"
                        };
                        (
                            "bulk",
                            200,
                            http.post(format!("{base}/api/environments/bulk"))
                                .header("authorization", &auth)
                                .json(&json!({"action": action, "ids": ids}))
                                .send()
                                .await,
                        )
                    }
                };
                let status = r.map(|r| r.status().as_u16()).unwrap_or(0);
                if status != expected || started.elapsed() > WITHIN {
                    failures.push(format!("{what}: {status} after {:?}", started.elapsed()));
                }
            }
            (n, failures)
        }));
    }

    let mut failures = Vec::new();
    let mut slowest = Duration::ZERO;
    let mut answered = 0;
    for (paths, auth) in [
        (&api, ("authorization", format!("Bearer {t}"))),
        (&pages, ("cookie", cookie.clone())),
    ] {
        for path in paths {
            let batch = (0..CLIENTS)
                .map(|_| tokio::spawn(fetch(s.http.clone(), s.url(path), auth.clone())));
            for answer in futures::future::join_all(batch).await {
                let (url, status, took) = answer.expect("request task");
                answered += 1;
                slowest = slowest.max(took);
                if !(200..300).contains(&status) || took > WITHIN {
                    failures.push(format!("GET {url}: {status} after {took:?}"));
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut writes = 0;
    for w in writers {
        let (n, f) = w.await.expect("writer task");
        writes += n;
        failures.extend(f);
    }
    eprintln!("load: {answered} reads (slowest {slowest:?}) and {writes} writes");
    assert!(writes >= 3, "the writers ran");
    assert!(
        failures.is_empty(),
        "{} of {answered} reads and {writes} writes failed or were slow, e.g.:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

//! What keeps meshenv's cost bounded: answers that do not grow with how widely a row is shared,
//! search through an index with the same rows as a scan, an exhausted pool answered 503, and
//! the metrics that show it.

use crate::common::{Backend, TestServer, PASSWORD};
use model::user::Role;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

both_backends!(
    answers_stay_bounded_however_widely_rows_are_shared,
    indexed_search_finds_what_the_scan_finds,
    metrics_parse_and_move,
    planner_statistics_are_kept,
);

/// The statistics the planner needs to drive a list from its most selective filter are
/// gathered by meshenv itself (SQLite has none otherwise; PostgreSQL's autovacuum may be off).
async fn planner_statistics_are_kept(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    for i in 0..60 {
        let r = s
            .post(
                &t,
                "/api/environments",
                json!({"name": format!("stat-{i}")}),
            )
            .await;
        assert_eq!(r.0, 201, "{}", r.1);
    }
    let analysed = if s.db_url.starts_with("sqlite") {
        "SELECT COUNT(*) AS n FROM sqlite_stat1 WHERE tbl = 'environments'"
    } else {
        "SELECT COUNT(*) AS n FROM pg_stat_user_tables WHERE relname = 'environments' AND last_analyze IS NOT NULL"
    };
    // PostgreSQL publishes its activity counters, and ANALYZE's own mark, about a second late.
    let started = Instant::now();
    loop {
        s.service.db.optimize().await.expect("optimize");
        let n: i64 = s.rows(analysed).await[0].get("n");
        if n > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no statistics for environments"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

/// The size of an answer's body, and the body.
async fn sized(s: &TestServer, t: &str, path: &str) -> (usize, Value) {
    let r = s
        .http
        .get(s.url(path))
        .headers(TestServer::auth(t))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "GET {path}");
    let bytes = r.bytes().await.unwrap();
    (bytes.len(), serde_json::from_slice(&bytes).unwrap())
}

const KB64: usize = 64 * 1024;

async fn answers_stay_bounded_however_widely_rows_are_shared(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let mut conns = Vec::new();
    for i in 0..20 {
        let r = s
            .post(&t, "/api/connections", json!({"name": format!("shared-{i:02}"), "kind": "github", "url": format!("https://github.example/org{i}")}))
            .await;
        assert_eq!(r.0, 201, "{}", r.1);
        conns.push(id(&r.1));
    }
    let mut envs = Vec::new();
    for i in 0..400 {
        let r = s
            .post(&t, "/api/environments", json!({"name": format!("environment-with-a-long-name-{i:03}"), "description": "x".repeat(200)}))
            .await;
        assert_eq!(r.0, 201, "{}", r.1);
        envs.push(id(&r.1));
        let r = s
            .send(
                reqwest::Method::PATCH,
                &t,
                &format!("/api/environments/{}/connections", envs[i]),
                Some(json!({"add": conns})),
            )
            .await;
        assert_eq!(r.0, 200, "{}", r.1);
    }

    // A page of 20 connections that each sit in 400 environments.
    let (size, page) = sized(s, &t, "/api/connections?pagesize=20").await;
    assert!(
        size < KB64,
        "a page of 20 shared connections is {size} bytes"
    );
    assert_eq!(page["connections"].as_array().unwrap().len(), 20);
    for c in page["connections"].as_array().unwrap() {
        assert_eq!(c["environment_count"], 400, "{}", c["name"]);
        let first = c["environments"].as_array().unwrap();
        assert_eq!(first.len(), model::connection::EMBEDDED_MAX);
        // the oldest first (created in name order here)
        assert_eq!(first[0]["name"], "environment-with-a-long-name-000");
        assert_eq!(first[9]["name"], "environment-with-a-long-name-009");
    }

    // The connection itself, and an environment's connection list.
    let (size, one) = sized(s, &t, &format!("/api/connections/{}", conns[0])).await;
    assert!(size < KB64, "one shared connection is {size} bytes");
    assert_eq!(one["environment_count"], 400);
    let (size, listed) = sized(
        s,
        &t,
        &format!("/api/environments/{}/connections?pagesize=20", envs[0]),
    )
    .await;
    assert!(
        size < KB64,
        "an environment's connection list is {size} bytes"
    );
    assert_eq!(listed["total_count"], 20);

    // The full list pages through all 400, each once, in name order.
    let mut seen = Vec::new();
    for page in 0..5 {
        let (size, p) = sized(
            s,
            &t,
            &format!(
                "/api/connections/{}/environments?pagesize=100&page={page}&order=name%20asc",
                conns[0]
            ),
        )
        .await;
        assert!(
            size < 4 * KB64,
            "a page of 100 environments is {size} bytes"
        );
        assert_eq!(p["total_count"], 400);
        for e in p["environments"].as_array().unwrap() {
            seen.push(e["name"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(seen.len(), 400);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "pages overlap or are out of order");
    // search works on it too, and an unknown connection is a 404
    let (_, found) = sized(
        s,
        &t,
        &format!("/api/connections/{}/environments?search=name-39", conns[0]),
    )
    .await;
    assert_eq!(found["total_count"], 10); // 390..399
    let r = s
        .get(
            &t,
            &format!("/api/connections/{}/environments", uuid::Uuid::now_v7()),
        )
        .await;
    assert_eq!(r.0, 404, "{}", r.1);

    // An environment in the trash leaves the count and the embedded list.
    let r = s
        .delete(&t, &format!("/api/environments/{}", envs[5]))
        .await;
    assert!(r.0 == 204 || r.0 == 200, "{}", r.1);
    let (_, one) = sized(s, &t, &format!("/api/connections/{}", conns[0])).await;
    assert_eq!(one["environment_count"], 399);
    let shown = one["environments"].as_array().unwrap();
    assert_eq!(shown.len(), model::connection::EMBEDDED_MAX);
    assert!(!shown.iter().any(|e| e["id"] == envs[5].as_str()));

    // A member sees the count of what they reach, not of everything.
    s.user("acme", "mia", Role::Member).await;
    let mia = s.service.create_token_for("mia", "t").await.unwrap();
    let ws = s
        .workspace_with(&t, "team", &envs[..3], "mia@example.com")
        .await;
    let (_, mine) = sized(s, &mia, &format!("/api/connections/{}", conns[0])).await;
    assert_eq!(mine["environment_count"], 3);
    assert_eq!(mine["environments"].as_array().unwrap().len(), 3);
    let (_, mine) = sized(
        s,
        &mia,
        &format!("/api/connections/{}/environments", conns[0]),
    )
    .await;
    assert_eq!(mine["total_count"], 3);
    // the workspace's effective connections embed the workspace's environments, bounded too
    let (size, eff) = sized(
        s,
        &t,
        &format!("/api/workspaces/{ws}/connections?pagesize=20"),
    )
    .await;
    assert!(size < KB64, "{size}");
    assert_eq!(eff["connections"][0]["environment_count"], 3);
}

/// Names chosen to trip a full-text index: wildcards of LIKE, quotes of FTS5 queries, accents,
/// upper case, and words shorter than a trigram.
const NAMES: &[&str] = &[
    "100% Ready",
    "under_score",
    "O'Brien \"quoted\" env",
    "Café Münchën",
    "UPPER lower MiXeD",
    "ab",
    "a",
    "back\\slash",
    "star*and OR NEAR(x)",
    "naïve façade",
    "plain staging",
];

const NEEDLES: &[&str] = &[
    "%",
    "_",
    "100%",
    "0%",
    "r_s",
    "o'b",
    "\"quoted\"",
    "\"",
    "café",
    "CAFÉ",
    "MÜNCH",
    "ünc",
    "e",
    "ab",
    "a",
    "B",
    "er ",
    " lo",
    "\\",
    "k\\s",
    "*",
    "or near(",
    "NEAR",
    "ïve f",
    "zzz",
    "staging",
    "mixed",
    "xyz%",
    "'",
];

async fn indexed_search_finds_what_the_scan_finds(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let mut env_ids = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let r = s
            .post(
                &t,
                "/api/environments",
                json!({"name": name, "description": format!("Number {i} DESCRIPTION")}),
            )
            .await;
        assert_eq!(r.0, 201, "{name}: {}", r.1);
        env_ids.push(id(&r.1));
        let r = s
            .post(
                &t,
                "/api/connections",
                json!({"name": name, "kind": "http", "url": format!("https://h{i}.example/Path")}),
            )
            .await;
        assert_eq!(r.0, 201, "{name}: {}", r.1);
        let r = s.post(&t, "/api/workspaces", json!({"name": name})).await;
        assert_eq!(r.0, 201, "{name}: {}", r.1);
        let r = s
            .post(
                &t,
                "/api/credentials",
                json!({"name": name, "type": "token", "secret": {"token": "x"}, "allowed_hosts": ["*.example"]}),
            )
            .await;
        assert_eq!(r.0, 201, "{name}: {}", r.1);
    }
    let t = &t;
    let check = |label: &'static str| async move {
        for (table, path, key) in [
            ("environments", "/api/environments", "environments"),
            ("connections", "/api/connections", "connections"),
            ("workspaces", "/api/workspaces", "workspaces"),
            ("credentials", "/api/credentials", "credentials"),
        ] {
            for needle in NEEDLES {
                // What the list shows: living environments only (none is archived here).
                let live = if table == "environments" {
                    " AND deleted_at IS NULL AND archived_at IS NULL"
                } else {
                    ""
                };
                let scanned: BTreeSet<String> = sqlx::query(&format!(
                    "SELECT id FROM {table} WHERE search_text LIKE $1 ESCAPE '\\'{live}"
                ))
                // The API trims what it is asked to search for.
                .bind(service::db::like_pattern(needle.trim()))
                .fetch_all(&mut *s.service.db.read().await.unwrap())
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("id"))
                .collect();
                let q = percent_encode(needle);
                let (status, page) = s.get(t, &format!("{path}?search={q}&pagesize=100")).await;
                assert_eq!(status, 200, "{table} {needle:?}: {page}");
                let found: BTreeSet<String> =
                    page[key].as_array().unwrap().iter().map(id).collect();
                assert_eq!(found, scanned, "{label}: {table} searched for {needle:?}");
                assert_eq!(
                    page["total_count"],
                    scanned.len(),
                    "{label}: {table} count for {needle:?}"
                );
            }
        }
    };
    check("as created").await;
    // The index follows renames and deletes.
    let r = s
        .put(
            t,
            &format!("/api/environments/{}", env_ids[10]),
            json!({"name": "renamed production"}),
        )
        .await;
    assert_eq!(r.0, 200, "{}", r.1);
    let r = s
        .delete(t, &format!("/api/environments/{}?purge=false", env_ids[1]))
        .await;
    assert!(r.0 == 204 || r.0 == 200, "{}", r.1);
    let r = s
        .delete(t, &format!("/api/environments/{}?purge=true", env_ids[1]))
        .await;
    assert!(r.0 == 204 || r.0 == 200, "{}", r.1);
    check("after a rename and a purge").await;
    let (_, p) = s.get(t, "/api/environments?search=staging").await;
    assert_eq!(
        p["total_count"], 0,
        "the old name is gone from the index: {p}"
    );
    let (_, p) = s.get(t, "/api/environments?search=RENAMED").await;
    assert_eq!(p["total_count"], 1, "{p}");
}

fn percent_encode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

type Exposition = openmetrics_parser::MetricsExposition<
    openmetrics_parser::PrometheusType,
    openmetrics_parser::PrometheusValue,
>;

/// A metric's value in a parsed scrape: the first sample of the family whose labels include
/// these (a histogram's value is its count).
fn sample(scrape: &Exposition, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    use openmetrics_parser::PrometheusValue as V;
    scrape.families.get(name)?.iter_samples().find_map(|s| {
        let set = s.get_labelset().ok()?;
        labels
            .iter()
            .all(|(k, v)| set.get_label_value(k) == Some(*v))
            .then(|| match &s.value {
                V::Counter(c) => c.value.as_f64(),
                V::Gauge(n) | V::Unknown(n) => n.as_f64(),
                V::Histogram(h) => h.count.unwrap_or(0) as f64,
                V::Summary(x) => x.count.unwrap_or(0) as f64,
            })
    })
}

/// Every label set of a family, for failure messages.
fn label_sets(scrape: &Exposition, name: &str) -> Vec<String> {
    scrape.families.get(name).map_or_else(Vec::new, |f| {
        f.iter_samples()
            .filter_map(|s| s.get_labelset().ok())
            .map(|set| format!("{:?}", set.iter().collect::<Vec<_>>()))
            .collect()
    })
}

async fn scrape(s: &TestServer) -> Exposition {
    let r = s.http.get(s.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200, "/metrics needs no session");
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();
    openmetrics_parser::prometheus::parse_prometheus(&text)
        .unwrap_or_else(|e| panic!("not the Prometheus exposition format ({e:?}):\n{text}"))
}

async fn metrics_parse_and_move(s: &TestServer) {
    let t = s.user("acme", "alice", Role::Admin).await;
    let env = id(&s
        .post(&t, "/api/environments", json!({"name": "metered"}))
        .await
        .1);
    let route = [
        ("route", "/api/environments/{id}"),
        ("method", "GET"),
        ("status", "200"),
    ];
    let before = scrape(s).await;
    let n0 = sample(&before, "meshenv_http_requests_total", &route).unwrap_or(0.0);
    for _ in 0..3 {
        assert_eq!(s.get(&t, &format!("/api/environments/{env}")).await.0, 200);
    }
    assert!(s.sign_in("alice", "not-the-password").await.is_none());
    assert!(s.sign_in("alice", PASSWORD).await.is_some());
    let after = scrape(s).await;
    let n1 = sample(&after, "meshenv_http_requests_total", &route).unwrap_or_else(|| {
        panic!(
            "no request counter for {route:?} among {:#?}",
            label_sets(&after, "meshenv_http_requests_total")
        )
    });
    // Tests share the process's recorder: other tests may add to it, never take away.
    assert!(n1 >= n0 + 3.0, "{n0} -> {n1}");
    // The route is the template, never the raw path.
    assert!(!label_sets(&after, "meshenv_http_requests_total")
        .iter()
        .any(|l| l.contains(&env)));
    assert!(
        sample(&after, "meshenv_http_request_duration_seconds", &route[..2]).unwrap_or(0.0) >= 3.0,
        "the latency histogram counts them"
    );
    for state in ["in_use", "idle", "max"] {
        assert!(
            sample(&after, "meshenv_db_pool_connections", &[("state", state)]).is_some(),
            "pool {state}"
        );
    }
    assert!(sample(&after, "meshenv_db_pool_waiting", &[]).is_some());
    assert!(
        sample(&after, "meshenv_sign_ins_total", &[("outcome", "failure")]).unwrap_or(0.0) >= 1.0
    );
    assert!(
        sample(&after, "meshenv_sign_ins_total", &[("outcome", "success")]).unwrap_or(0.0) >= 1.0
    );
}

/// With every connection of the pool taken, a request waits the acquire timeout and is then
/// answered 503 with Retry-After and the JSON error, not a 500 after half a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_is_a_503_with_retry_after() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let pools = service::db::PoolSettings {
            max_connections: Some(1),
            acquire_timeout: Duration::from_secs(1),
        };
        let Some(s) = TestServer::start_with(backend, pools).await else {
            continue;
        };
        let t = s.user("acme", "alice", Role::Admin).await;
        let held = s.service.db.read().await.unwrap();
        let started = Instant::now();
        let r = s
            .http
            .get(s.url("/api/environments"))
            .headers(TestServer::auth(&t))
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        assert_eq!(r.status().as_u16(), 503, "{backend:?}");
        assert_eq!(r.headers()["retry-after"], "1");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], "unavailable", "{body}");
        assert!(took < Duration::from_secs(5), "answered after {took:?}");
        drop(held);
        assert_eq!(
            s.get(&t, "/api/environments").await.0,
            200,
            "{backend:?} recovers"
        );
        s.stop().await;
    }
}

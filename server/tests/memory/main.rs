//! Memory under load, in a process of its own so that what is measured is the test's, one test
//! at a time: exporting 100,000 audit events as CSV and as JSON lines keeps the process's peak
//! resident size (reset before, through /proc/self/clear_refs) within a few slices of events;
//! 200 sign-ins at once hash at most one password per core. (The sign-ins once ran in the
//! integration suite, where their full hashing slots, which are per process, made other tests'
//! sign-ins wait out their 2 s and fail with a 429.)

#[path = "../api/common/mod.rs"]
#[macro_use]
mod common;

use common::{Backend, TestServer};
use model::user::Role;

const EVENTS: usize = 100_000;
/// What the export may add to the peak: below the export's own size (36 MB as CSV, 57 MB as JSON
/// lines), which a buffered answer would hold at least once. Seen: 6 MB and 12 MB on SQLite (its
/// connections' page caches included).
const MAX_GROWTH_KB: u64 = 24 * 1024;

/// The process's resident size and its peak since the last reset, in KB (Linux).
fn rss_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Exports the log in `format`, reading it chunk by chunk without keeping it; returns the lines
/// and bytes seen and the peak growth of the process's resident size meanwhile.
async fn export(s: &TestServer, token: &str, format: &str) -> (usize, usize, u64) {
    // "5" resets the peak resident size to the current one.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let (start, _) = rss_kb();
    let mut r = s
        .http
        .get(s.url(&format!("/api/events?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (mut lines, mut bytes) = (0, 0);
    while let Some(chunk) = r.chunk().await.unwrap() {
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        bytes += chunk.len();
    }
    let (_, peak) = rss_kb();
    (lines, bytes, peak.saturating_sub(start))
}

async fn exports_in_flat_memory(backend: Backend) {
    let Some(s) = TestServer::start(backend).await else {
        return;
    };
    let admin = s.user("acme", "alice", Role::Admin).await;
    let (_, me) = s.get(&admin, "/api/me").await;
    let org = me["organizations"][0]["id"].as_str().unwrap().to_string();
    s.seed_events(&org, EVENTS, 1_000_000).await;
    for format in ["jsonl", "csv"] {
        let (lines, bytes, growth) = export(&s, &admin, format).await;
        // every event, the token's creation, and the CSV's header
        let expected = EVENTS + 1 + usize::from(format == "csv");
        assert_eq!(lines, expected, "{format} on {backend:?}");
        eprintln!(
            "{backend:?} {format}: {lines} lines, {} MB sent, peak resident size grew {} MB",
            bytes / 1_000_000,
            growth / 1024
        );
        assert!(
            growth < MAX_GROWTH_KB && (bytes as u64) > 1024 * MAX_GROWTH_KB,
            "{format} on {backend:?}: the peak grew {growth} KB while {bytes} bytes went out"
        );
    }
    s.stop().await;
}

/// One test at a time: a second one beside the first would be measured with it.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// The backends one after the other, for the same reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_export_streams_in_flat_memory() {
    let _alone = ONE_AT_A_TIME.lock().await;
    exports_in_flat_memory(Backend::Sqlite).await;
    exports_in_flat_memory(Backend::Postgres).await;
}

/// 200 sign-ins at once: every one answered 401 or 429 (never a 500 or a hang), with at most
/// one password hash per core running at any moment, so memory stays bounded (argon2 takes
/// 19 MiB a hash: 200 at once would take 3.8 GiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hashing_stays_bounded_under_200_parallel_sign_ins() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Some(s) = TestServer::start(Backend::Sqlite).await else {
        return;
    };
    s.user("acme", "alice", Role::Admin).await;
    let (rss_before, _) = rss_kb();
    let answers = futures::future::join_all((0..200).map(|i| {
        let s = &s;
        async move {
            s.http
                .post(s.url("/fn/sign_in"))
                .header("sec-fetch-site", "same-origin")
                .form(&[
                    ("login", format!("user{i}")),
                    ("password", "wrong-password".into()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    }))
    .await;
    assert!(
        answers.iter().all(|a| *a == 401 || *a == 429),
        "{answers:?}"
    );
    assert!(service::peak_hashes() <= service::slot_count());
    let grown = rss_kb().0.saturating_sub(rss_before);
    assert!(grown < 1024 * 1024, "resident memory grew by {grown} KiB");
    s.stop().await;
}

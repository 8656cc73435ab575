//! A credential's secret goes only where the credential allows, and probes obey the egress
//! policy. An "attacker" listener on loopback records every byte it is sent: it must never see
//! a connection, let alone a secret, whatever an org admin does to the connections.

use crate::common::{assert_error, TestServer};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use axum::Router;
use model::user::Role;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

both_backends!(
    a_secret_goes_only_where_its_credential_allows,
    probes_obey_the_egress_policy,
);

const SECRET: &str = "kube-secret-4f1c9a";

/// A listener that answers 200 to anything and keeps what it received.
#[derive(Clone, Default)]
struct Attacker {
    connections: Arc<Mutex<u32>>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl Attacker {
    async fn start(ip: &str) -> (String, Attacker) {
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let a = Attacker::default();
        let seen = a.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                *seen.connections.lock().unwrap() += 1;
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    if let Ok(n) = sock.read(&mut buf).await {
                        seen.received.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    let _ = sock
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                        .await;
                });
            }
        });
        (format!("http://{addr}"), a)
    }

    fn assert_untouched(&self) {
        let got = String::from_utf8_lossy(&self.received.lock().unwrap()).to_string();
        assert!(
            !got.contains(SECRET),
            "the secret reached the attacker: {got}"
        );
        assert_eq!(
            *self.connections.lock().unwrap(),
            0,
            "the attacker was connected to: {got}"
        );
    }
}

/// The real cluster: /k8s/version wants the secret; /redir/version sends the caller on.
async fn cluster(attacker: &str) -> String {
    let to = format!("{attacker}/version");
    let app = Router::new()
        .route(
            "/k8s/version",
            get(|h: HeaderMap| async move {
                let want = format!("Bearer {SECRET}");
                match h.get("authorization").and_then(|v| v.to_str().ok()) {
                    Some(v) if v == want => StatusCode::OK,
                    _ => StatusCode::UNAUTHORIZED,
                }
            }),
        )
        .route(
            "/redir/version",
            get(move || async move { Redirect::temporary(&to).into_response() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn check(s: &TestServer, t: &str, id: &str) -> Value {
    let (status, c) = s
        .post(t, &format!("/api/connections/{id}/check"), json!({}))
        .await;
    assert_eq!(status, 200, "{c}");
    c
}

fn host_of(base: &str) -> String {
    base.trim_start_matches("http://").to_string()
}

async fn a_secret_goes_only_where_its_credential_allows(s: &TestServer) {
    let t = s.user("acme", "admin", Role::Admin).await;
    let (evil, attacker) = Attacker::start("127.0.0.1").await;
    let base = cluster(&evil).await;

    // A credential without a scope is refused; its scope is normalised.
    let r = s
        .post(
            &t,
            "/api/credentials",
            json!({"name": "kube", "type": "token", "secret": {"token": SECRET}}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("allowed_hosts"));
    let r = s
        .post(
            &t,
            "/api/credentials",
            json!({"name": "kube", "type": "token", "secret": {"token": SECRET},
                   "allowed_hosts": ["https://x.example"]}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("allowed_hosts[0]"));
    let (status, cred) = s
        .post(
            &t,
            "/api/credentials",
            json!({"name": "kube", "type": "token", "secret": {"token": SECRET},
                   "allowed_hosts": [host_of(&base).to_uppercase()], "allow_http": true}),
        )
        .await;
    assert_eq!(status, 201, "{cred}");
    assert_eq!(cred["allowed_hosts"], json!([host_of(&base)]));
    assert_eq!(cred["allow_http"], true);
    let cred_id = cred["id"].as_str().unwrap().to_string();

    let (status, k8s) = s
        .post(
            &t,
            "/api/connections",
            json!({"name": "k8s", "kind": "kubernetes", "url": format!("{base}/k8s"), "credential_id": cred_id}),
        )
        .await;
    assert_eq!(status, 201, "{k8s}");
    let k8s_id = k8s["id"].as_str().unwrap().to_string();
    let c = check(s, &t, &k8s_id).await;
    assert_eq!(c["status"], "connected", "{c}");

    // Re-pointing the connection, or a new one with the credential, is refused on its field.
    let path = format!("/api/connections/{k8s_id}");
    let r = s.put(&t, &path, json!({"url": evil})).await;
    assert_error(&r, 400, "validation_failed", Some("url"));
    assert!(r.1["error"].as_str().unwrap().contains("allowed only for"));
    let r = s
        .post(
            &t,
            "/api/connections",
            json!({"name": "grab", "kind": "http", "url": evil, "credential_id": cred_id}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("credential_id"));
    let (_, plain) = s
        .post(
            &t,
            "/api/connections",
            json!({"name": "plain", "kind": "http", "url": evil}),
        )
        .await;
    let plain_path = format!("/api/connections/{}", plain["id"].as_str().unwrap());
    let r = s
        .put(&t, &plain_path, json!({"credential_id": cred_id}))
        .await;
    assert_error(&r, 400, "validation_failed", Some("credential_id"));
    // (it has no secret, but the background checker below must not call the attacker either)
    assert_eq!(s.delete(&t, &plain_path).await.0, 204);

    // Widening the scope needs the secret; narrowing it below a user's host is refused.
    let cred_path = format!("/api/credentials/{cred_id}");
    let r = s
        .put(
            &t,
            &cred_path,
            json!({"allowed_hosts": [host_of(&base), host_of(&evil)]}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("secret"));
    let r = s
        .put(
            &t,
            &cred_path,
            json!({"allowed_hosts": ["elsewhere.example"], "secret": {"token": SECRET}}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("allowed_hosts"));
    assert!(r.1["error"].as_str().unwrap().contains("k8s"), "{}", r.1);
    let r = s.put(&t, &cred_path, json!({"allow_http": false})).await;
    assert_error(&r, 400, "validation_failed", Some("secret"));
    // a rename keeps the scope and needs no secret
    let (status, _) = s.put(&t, &cred_path, json!({"name": "kube-prod"})).await;
    assert_eq!(status, 200);

    // Plain http only where allowed.
    let (_, tls_only) = s
        .post(
            &t,
            "/api/credentials",
            json!({"name": "tls", "type": "token", "secret": {"token": SECRET},
                   "allowed_hosts": [host_of(&base)]}),
        )
        .await;
    let r = s
        .post(
            &t,
            "/api/connections",
            json!({"name": "k8s-plain", "kind": "kubernetes", "url": format!("{base}/k8s"), "credential_id": tls_only["id"]}),
        )
        .await;
    assert_error(&r, 400, "validation_failed", Some("credential_id"));
    assert!(r.1["error"].as_str().unwrap().contains("plain http"));

    // A redirect from the allowed host to a foreign one is not followed with the secret.
    let (_, redir) = s
        .post(
            &t,
            "/api/connections",
            json!({"name": "redir", "kind": "kubernetes", "url": format!("{base}/redir"), "credential_id": cred_id}),
        )
        .await;
    let c = check(s, &t, redir["id"].as_str().unwrap()).await;
    assert!(
        c["last_error"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed"),
        "{c}"
    );

    // The prober checks the scope when it sends, whatever the database says: a URL changed
    // behind the service's back (an old row, a restore) still gets nothing.
    let mut db = s.service.db.write().await.unwrap();
    sqlx::query("UPDATE connections SET url = $1 WHERE id = $2")
        .bind(evil.clone())
        .bind(k8s_id.clone())
        .execute(&mut *db)
        .await
        .unwrap();
    drop(db);
    let c = check(s, &t, &k8s_id).await;
    assert!(
        c["last_error"]
            .as_str()
            .unwrap()
            .contains("may not be sent to"),
        "{c}"
    );
    // ...and so does the background checker.
    let mut db = s.service.db.write().await.unwrap();
    sqlx::query("UPDATE connections SET next_check_at = 0")
        .execute(&mut *db)
        .await
        .unwrap();
    drop(db);
    assert!(s.service.health_pass().await.unwrap() >= 2);

    // A kubeconfig import scopes each credential to its own server.
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {base}/k8s\n\
         users:\n- name: u\n  user:\n    token: {SECRET}\ncontexts:\n- name: lab\n  context:\n    cluster: c\n    user: u\n"
    );
    let r = s
        .http
        .post(s.url("/api/connections/import/kubeconfig"))
        .bearer_auth(&t)
        .header("content-type", "application/yaml")
        .body(kubeconfig)
        .send()
        .await
        .unwrap();
    let (status, imported) = TestServer::json(r).await;
    assert_eq!(status, 200, "{imported}");
    let lab = &imported["connections"][0];
    let (_, lab_cred) = s
        .get(
            &t,
            &format!(
                "/api/credentials/{}",
                lab["credential_id"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(lab_cred["allowed_hosts"], json!([host_of(&base)]));
    let lab_path = format!("/api/connections/{}", lab["id"].as_str().unwrap());
    let r = s.put(&t, &lab_path, json!({"url": evil})).await;
    assert_error(&r, 400, "validation_failed", Some("url"));
    let c = check(s, &t, lab["id"].as_str().unwrap()).await;
    assert_eq!(c["status"], "connected", "{c}");

    attacker.assert_untouched();
}

async fn probes_obey_the_egress_policy(s: &TestServer) {
    let t = s.user("acme", "admin", Role::Admin).await;
    // 127.0.0.2 is denied to every test server (MESHENV_PROBE_DENY=127.0.0.2/32).
    let (denied, listener) = Attacker::start("127.0.0.2").await;
    let (allowed, _) = Attacker::start("127.0.0.1").await;
    for (name, url) in [
        ("denied", format!("{denied}/ping")),
        (
            "metadata",
            "http://169.254.169.254/latest/meta-data/".to_string(),
        ),
        ("mapped", "http://[::ffff:169.254.169.254]/".to_string()),
        ("unspecified", "http://0.0.0.0:9/".to_string()),
    ] {
        let (status, c) = s
            .post(
                &t,
                "/api/connections",
                json!({"name": name, "kind": "http", "url": url}),
            )
            .await;
        assert_eq!(status, 201, "{c}");
        let c = check(s, &t, c["id"].as_str().unwrap()).await;
        let e = c["last_error"].as_str().unwrap();
        assert!(
            e.starts_with("blocked by the egress policy ("),
            "{name}: {e}"
        );
    }
    listener.assert_untouched();
    let (_, ok) = s
        .post(
            &t,
            "/api/connections",
            json!({"name": "allowed", "kind": "http", "url": format!("{allowed}/ping")}),
        )
        .await;
    let c = check(s, &t, ok["id"].as_str().unwrap()).await;
    assert_eq!(c["status"], "connected", "{c}");
}

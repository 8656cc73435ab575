//! The `meshenv` command line, run as a real process against a SQLite file.

use crate::common::TestServer;
use std::process::{Command, Output};

/// Runs `meshenv` with whitespace-separated arguments.
fn meshenv(db: &str, args: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshenv"))
        .args(args.split_whitespace())
        .env("MESHENV_DATABASE_URL", db)
        .env("MESHENV_LOG", "warn")
        .env("MESHENV_SECRET_KEY", crate::common::TEST_KEY)
        .env_remove("MESHENV_USER_PASSWORD")
        .output()
        .expect("run meshenv")
}

/// The standard output of a command that must succeed.
fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The standard error of a command that must fail.
fn fails(out: Output) -> String {
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    // a database in a folder that does not exist yet is created
    let db = format!(
        "sqlite://{}",
        dir.path().join("nested/meshenv.db").display()
    );
    ok(meshenv(&db, "migrate"));

    let password = ok(meshenv(
        &db,
        "user create --org acme --email ops@acme.test --role admin",
    ));
    let password = password.trim();
    assert!(
        password.len() >= 16,
        "a generated password is printed: {password:?}"
    );
    // the same email again is refused with a message, not a panic
    let err = fails(meshenv(&db, "user create --org acme --email ops@acme.test"));
    assert!(err.contains("already exists"), "{err}");

    // token create prints the token and nothing else on stdout
    let stdout = ok(meshenv(&db, "token create --user ops --name ci"));
    assert_eq!(stdout.lines().count(), 1);
    let token = stdout.trim();
    assert!(token.starts_with("mshv_"));
    assert!(fails(meshenv(&db, "token create --user nobody --name ci")).contains("no user"));

    let s = TestServer::start_on(&db).await;
    let (status, me) = s.get(token, "/api/me").await;
    assert_eq!(status, 200);
    assert_eq!(
        (me["name"].as_str(), me["organizations"][0]["role"].as_str()),
        (Some("ops"), Some("admin"))
    );
    assert!(s.sign_in("ops@acme.test", password).await.is_some());
    s.stop().await;

    let err = fails(meshenv("mysql://nope", "migrate"));
    assert!(err.contains("unsupported database URL"), "{err}");
}

/// Runs `meshenv` with the key in a file instead of the environment.
fn meshenv_with_key_file(db: &str, key_file: &std::path::Path, args: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshenv"))
        .args(args.split_whitespace())
        .env("MESHENV_DATABASE_URL", db)
        .env("MESHENV_LOG", "warn")
        .env_remove("MESHENV_SECRET_KEY")
        .env("MESHENV_SECRET_KEY_FILE", key_file)
        .output()
        .expect("run meshenv")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_keys_are_created_checked_and_rotated() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("meshenv.db").display());
    let key = dir.path().join("keys/meshenv.key");
    ok(meshenv_with_key_file(
        &db,
        &key,
        "user create --org acme --email ops@acme.test --role admin",
    ));
    let first_key = std::fs::read_to_string(&key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    // a kubeconfig import seals secrets under the key
    let kubeconfig = dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        "clusters:\n- name: c\n  cluster:\n    server: https://k.example:6443\nusers:\n- name: u\n  user:\n    token: t0ken\n\
         contexts:\n- name: ctx\n  context:\n    cluster: c\n    user: u\n",
    )
    .unwrap();
    let import = format!("import kubeconfig {} --org acme", kubeconfig.display());
    let out = ok(meshenv_with_key_file(&db, &key, &import));
    assert!(out.starts_with("created "), "{out}");
    let again = ok(meshenv_with_key_file(&db, &key, &import));
    assert!(
        again.starts_with("exists "),
        "a second import creates nothing: {again}"
    );

    // another key is refused at start, clearly
    let wrong = dir.path().join("wrong.key");
    std::fs::write(&wrong, format!("{}\n", "ab".repeat(32))).unwrap();
    let err = fails(meshenv_with_key_file(&db, &wrong, "migrate"));
    assert!(err.contains("configured key"), "{err}");
    // so is a key file that went missing: a fresh key would not open the secrets
    let missing = dir.path().join("gone.key");
    let err = fails(meshenv_with_key_file(&db, &missing, "migrate"));
    assert!(err.contains("configured key"), "{err}");
    assert!(!missing.exists(), "no useless key file is left behind");

    // rotation: new key in the file, old one kept beside it, secrets still open
    ok(meshenv_with_key_file(&db, &key, "secrets rotate"));
    let rotated = std::fs::read_to_string(&key).unwrap();
    assert_ne!(rotated, first_key);
    assert_eq!(
        std::fs::read_to_string(key.with_extension("old")).unwrap(),
        first_key
    );
    ok(meshenv_with_key_file(&db, &key, "migrate"));
    assert!(fails(meshenv_with_key_file(
        &db,
        &key.with_extension("old"),
        "migrate"
    ))
    .contains("configured key"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("demo.db").display());
    ok(meshenv(
        &db,
        "user create --org default --email admin@demo.test --role admin",
    ));
    let first = meshenv(&db, "demo --org default");
    let said = String::from_utf8_lossy(&first.stderr).to_string();
    ok(first);
    assert!(
        said.contains("6 environments, 20 connections and 3 workspaces created"),
        "{said}"
    );
    let again = meshenv(&db, "demo --org default");
    let said = String::from_utf8_lossy(&again.stderr).to_string();
    ok(again);
    assert!(
        said.contains("0 environments, 0 connections and 0 workspaces created"),
        "{said}"
    );

    // what an admin then sees over the API
    let s = TestServer::start_on(&db).await;
    let token = s.service.create_token_for("admin", "t").await.unwrap();
    let count = |v: &serde_json::Value| v["total_count"].as_u64().unwrap();
    let (_, envs) = s.get(&token, "/api/environments?order=name").await;
    assert_eq!(count(&envs), 6);
    let by_name = |name: &str| {
        envs["environments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("production")["connection_count"], 6);
    assert_eq!(by_name("shared-monitoring")["workspace_count"], 3);
    let (_, gh) = s.get(&token, "/api/connections?search=github-main").await;
    let envs_of_github: Vec<&str> = gh["connections"][0]["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(envs_of_github, ["development", "production"]);
    let (_, ws) = s.get(&token, "/api/workspaces?search=alpha").await;
    let alpha = ws["workspaces"][0]["id"].as_str().unwrap().to_string();
    let (_, eff) = s
        .get(
            &token,
            &format!("/api/workspaces/{alpha}/connections?order=name"),
        )
        .await;
    assert_eq!(count(&eff), 3);
    assert_eq!(eff["connections"][0]["name"], "central-grafana");
    s.stop().await;
}

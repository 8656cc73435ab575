//! The database: SQLite (the embedded default) or PostgreSQL, chosen by the URL at run time.
//! Queries are written once in the SQL both understand, with `$n` placeholders, through sqlx's
//! `Any` driver; times are stored as microseconds since the epoch and ids as text.

use anyhow::{bail, Context};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Connection pools. On SQLite every write goes through a single connection, so writers queue
/// in the pool instead of failing with "database is locked"; readers run beside it under WAL.
/// On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: AnyPool,
    pub write: AnyPool,
    pub backend: Backend,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = AnyConnectOptions::from_str(url).context("parsing the database URL")?;
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            Ok(Db {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
            })
        } else {
            bail!("unsupported database URL (use sqlite://PATH or postgres://...)")
        }
    }

    async fn connect_sqlite(url: &str) -> anyhow::Result<Db> {
        let path = url
            .trim_start_matches("sqlite://")
            .trim_start_matches("sqlite:");
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() || path.contains(":memory:") {
            bail!("an in-memory SQLite database cannot be shared by connections; give a file path");
        }
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).with_context(|| {
                    format!("creating the database directory {}", dir.display())
                })?;
            }
        }
        let url = if url.contains("mode=") {
            url.to_string()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        let options = AnyConnectOptions::from_str(&url).context("parsing the database URL")?;
        let pool = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(Duration::from_secs(30))
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // WAL lets readers run beside the writer; busy_timeout makes a second
                        // process wait for the lock instead of failing.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        Ok(())
                    })
                })
                .connect_with(options.clone())
        };
        let write = pool(1)
            .await
            .with_context(|| format!("opening SQLite at {path}"))?;
        let read = pool(8)
            .await
            .with_context(|| format!("opening SQLite at {path}"))?;
        Ok(Db {
            read,
            write,
            backend: Backend::Sqlite,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR
            .run(&self.write)
            .await
            .context("applying database migrations")
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

/// Microseconds since the epoch: how times are stored.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub fn from_micros(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub fn like_pattern(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    p.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// True when a write broke a foreign key, unique or check constraint: with the service's checks
/// done first, only a concurrent change gets here (a row deleted or added meanwhile).
pub fn is_integrity_violation(e: &sqlx::Error) -> bool {
    use sqlx::error::ErrorKind;
    match e {
        sqlx::Error::Database(d) => {
            matches!(
                d.kind(),
                ErrorKind::UniqueViolation
                    | ErrorKind::ForeignKeyViolation
                    | ErrorKind::CheckViolation
                    | ErrorKind::NotNullViolation
            ) || d.code().as_deref().is_some_and(|c| c.starts_with("23"))
                || d.message().contains("constraint failed")
        }
        _ => false,
    }
}

/// True when a database error is a unique-constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            matches!(d.kind(), sqlx::error::ErrorKind::UniqueViolation)
                || d.code().as_deref() == Some("23505")
                || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(like_pattern("A_b%"), "%a\\_b\\%%");
    }

    #[test]
    fn micros_round_trip() {
        let t = now_micros();
        assert_eq!(from_micros(t).timestamp_micros(), t);
    }
}

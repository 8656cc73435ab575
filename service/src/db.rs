//! The database: SQLite (the embedded default) or PostgreSQL, chosen by the URL at run time.
//! Queries are written once in the SQL both understand, with `$n` placeholders, through sqlx's
//! `Any` driver; times are stored as microseconds since the epoch and ids as text.
//!
//! The pools are private. A unit of work asks for one connection ([`Db::read`]) or one
//! transaction ([`Db::begin`]) and passes it down; store functions take a connection, never a
//! pool. A task that asks for a second connection while it holds one could wait on itself
//! (every holder of the pool waiting for a second connection is a deadlock), so that is a bug:
//! debug builds panic on it and release builds log it (see [`Held`]).

use anyhow::{bail, Context};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use std::cell::Cell;
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The database a connection talks to.
    pub fn of(conn: &AnyConnection) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        }
    }
}

/// How large the pools are and how long a request may wait for a connection.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// Readers on SQLite (the writer is always one connection); the whole pool on PostgreSQL.
    /// `None`: sized from the machine's cores.
    pub max_connections: Option<u32>,
    /// How long a request waits for a free connection before it is answered 503.
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: None,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

impl PoolSettings {
    /// SQLite reads are CPU-bound work on their own threads: twice the cores keeps every core
    /// busy while some wait on the disk. PostgreSQL does the work in its own processes, so a
    /// few more connections per core pay, up to a bound that leaves room for other processes
    /// on the same server (PostgreSQL's default limit is 100).
    fn size(&self, backend: Backend) -> u32 {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get() as u32)
            .unwrap_or(2);
        self.max_connections.unwrap_or(match backend {
            Backend::Sqlite => (cores * 2).clamp(4, 64),
            Backend::Postgres => (cores * 4).clamp(8, 40),
        })
    }
}

/// Counts of one pool for `/metrics`.
#[derive(Debug, Default)]
pub struct PoolStats {
    /// Tasks waiting for a connection right now.
    pub waiting: AtomicI64,
}

/// A pool and what is known of its use.
#[derive(Clone, Debug)]
struct Pool {
    pool: AnyPool,
    name: &'static str,
    stats: Arc<PoolStats>,
}

/// One pool's state, for `/metrics`.
#[derive(Clone, Debug)]
pub struct PoolGauge {
    pub name: &'static str,
    pub size: u32,
    pub idle: u32,
    pub max: u32,
    pub waiting: i64,
}

impl Pool {
    async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        HoldGuard::enter(self.name);
        self.stats.waiting.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let conn = self.pool.acquire().await;
        self.stats.waiting.fetch_sub(1, Ordering::Relaxed);
        crate::metrics::pool_acquired(self.name, started.elapsed(), conn.is_ok());
        if conn.is_err() {
            HoldGuard::leave();
        }
        conn
    }

    async fn begin(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        let conn = self.acquire().await?;
        match Transaction::begin(conn, None).await {
            Ok(tx) => Ok(tx),
            Err(e) => {
                HoldGuard::leave();
                Err(e)
            }
        }
    }

    fn gauge(&self) -> PoolGauge {
        PoolGauge {
            name: self.name,
            size: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
            waiting: self.stats.waiting.load(Ordering::Relaxed),
        }
    }
}

/// Connection pools. On SQLite every write goes through a single connection, so writers queue
/// in the pool instead of failing with "database is locked"; readers run beside it under WAL.
/// On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    read: Pool,
    write: Pool,
    pub backend: Backend,
}

/// A pooled connection for one unit of work's reads.
pub type Conn = Held<PoolConnection<Any>>;
/// A transaction for one unit of work's writes (and the reads they depend on).
pub type Tx = Held<Transaction<'static, Any>>;

tokio::task_local! {
    /// How many pooled connections the current task holds (requests and jobs run in a scope).
    static HELD: Cell<usize>;
}

/// Runs `f` in a scope that watches for a task taking a second connection while it holds one.
pub async fn watch_holds<F: std::future::Future>(f: F) -> F::Output {
    HELD.scope(Cell::new(0), f).await
}

/// Counts the connections the current task holds.
struct HoldGuard;

impl HoldGuard {
    fn enter(pool: &str) {
        let _ = HELD.try_with(|held| {
            if held.get() > 0 {
                let trace = std::backtrace::Backtrace::force_capture();
                tracing::error!(pool, %trace, "a task asked for a database connection while holding one");
                debug_assert!(
                    false,
                    "a task asked the {pool} pool for a connection while holding one:\n{trace}"
                );
            }
            held.set(held.get() + 1);
        });
    }

    fn leave() {
        let _ = HELD.try_with(|held| held.set(held.get().saturating_sub(1)));
    }
}

/// A connection or transaction held by the current task. Dropping it gives the connection
/// back (rolling back an uncommitted transaction).
pub struct Held<C> {
    inner: Option<C>,
}

impl<C> Held<C> {
    fn new(inner: C) -> Self {
        Held { inner: Some(inner) }
    }
}

impl<C> Drop for Held<C> {
    fn drop(&mut self) {
        // Give the connection back first, then count it as released.
        drop(self.inner.take());
        HoldGuard::leave();
    }
}

impl<C: Deref<Target = AnyConnection>> Deref for Held<C> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.inner
            .as_deref()
            .expect("a held connection is present until dropped")
    }
}

impl<C: DerefMut<Target = AnyConnection>> DerefMut for Held<C> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.inner
            .as_deref_mut()
            .expect("a held connection is present until dropped")
    }
}

impl Held<Transaction<'static, Any>> {
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        match self.inner.take() {
            Some(tx) => tx.commit().await,
            None => Ok(()),
        }
    }
}

/// Migrations both databases share, then those written for one of them (full-text indexes).
/// Versions are unique across the three folders, so one history table serves.
static COMMON: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
static SQLITE_ONLY: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_ONLY: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        Self::connect_with(url, &PoolSettings::default()).await
    }

    pub async fn connect_with(url: &str, settings: &PoolSettings) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url, settings).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = AnyConnectOptions::from_str(url).context("parsing the database URL")?;
            let pool = AnyPoolOptions::new()
                .max_connections(settings.size(Backend::Postgres))
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(options)
                .await
                .context("connecting to PostgreSQL")?;
            let pool = Pool {
                pool,
                name: "main",
                stats: Arc::default(),
            };
            Ok(Db {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
            })
        } else {
            bail!("unsupported database URL (use sqlite://PATH or postgres://...)")
        }
    }

    async fn connect_sqlite(url: &str, settings: &PoolSettings) -> anyhow::Result<Db> {
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
        let pool = |max: u32, name: &'static str| {
            let options = options.clone();
            async move {
                let pool = AnyPoolOptions::new()
                    .max_connections(max)
                    .acquire_timeout(settings.acquire_timeout)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // WAL lets readers run beside the writer; busy_timeout makes a
                            // second process wait for the lock instead of failing.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
                    .with_context(|| format!("opening SQLite at {path}"))?;
                anyhow::Ok(Pool {
                    pool,
                    name,
                    stats: Arc::default(),
                })
            }
        };
        let write = pool(1, "write").await?;
        let read = pool(settings.size(Backend::Sqlite), "read").await?;
        Ok(Db {
            read,
            write,
            backend: Backend::Sqlite,
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        let own = match self.backend {
            Backend::Sqlite => &SQLITE_ONLY,
            Backend::Postgres => &POSTGRES_ONLY,
        };
        let mut migrations: Vec<_> = COMMON.iter().chain(own.iter()).cloned().collect();
        migrations.sort_by_key(|m| m.version);
        let migrator = sqlx::migrate::Migrator {
            migrations: migrations.into(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        let mut conn = self.write.pool.acquire().await?;
        migrator
            .run(&mut *conn)
            .await
            .context("applying database migrations")?;
        let derived = crate::store::credentials::derive_missing_scopes(&mut conn)
            .await
            .context("deriving the scopes of existing credentials")?;
        let keyed = crate::store::names::fill_sort_keys(&mut conn)
            .await
            .context("filling in the natural-order keys of existing names")?;
        if keyed > 0 {
            tracing::info!(
                rows = keyed,
                "filled in the natural-order keys of existing names"
            );
        }
        if derived > 0 {
            tracing::warn!(
                credentials = derived,
                "gave existing credentials a scope from the connections that use them; review it on each credential"
            );
        }
        Ok(())
    }

    /// One connection for a unit of work's reads. Hold it for the whole unit; never ask for
    /// another while holding it.
    pub async fn read(&self) -> Result<Conn, sqlx::Error> {
        self.read.acquire().await.map(Held::new)
    }

    /// A connection of the writer's pool for a single statement that writes (it commits on
    /// its own); anything of more than one statement takes a transaction.
    pub async fn write(&self) -> Result<Conn, sqlx::Error> {
        self.write.acquire().await.map(Held::new)
    }

    /// One transaction for a unit of work that writes: its reads go through it too.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        self.write.begin().await.map(Held::new)
    }

    /// The pools' sizes and use, for `/metrics` (one entry on PostgreSQL, whose pools are one).
    pub fn gauges(&self) -> Vec<PoolGauge> {
        match self.backend {
            Backend::Sqlite => vec![self.read.gauge(), self.write.gauge()],
            Backend::Postgres => vec![self.read.gauge()],
        }
    }

    /// Keeps the query planner's statistics current. SQLite has none until ANALYZE runs, and
    /// without them it plans a list filtered by one environment as a scan of the whole
    /// organization (20 ms at 10,000 connections, 0.3 ms with statistics). `PRAGMA optimize`
    /// analyses only the tables whose size changed a lot, sampling at most `analysis_limit`
    /// rows per index, so running it every minute costs milliseconds. On PostgreSQL
    /// autovacuum does this, when it is on; where it is off (as on some test and managed
    /// servers) the tables changed by more than autovacuum's default threshold are analysed
    /// here, so a connection's first environments stay a 0.1 ms index walk instead of a 50 ms
    /// join.
    pub async fn optimize(&self) -> Result<(), sqlx::Error> {
        use sqlx::Row;
        let mut conn = self.write().await?;
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("PRAGMA analysis_limit = 1000")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("PRAGMA optimize").execute(&mut *conn).await?;
            }
            Backend::Postgres => {
                let stale = sqlx::query(
                    "SELECT relname::text AS relname FROM pg_stat_user_tables WHERE schemaname = current_schema() \
                     AND n_mod_since_analyze > 50 + n_live_tup / 10",
                )
                .fetch_all(&mut *conn)
                .await?;
                for row in stale {
                    let table: String = row.try_get("relname")?;
                    // Our own tables' names; anything else is left alone rather than quoted.
                    if table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        sqlx::query(&format!("ANALYZE {table}"))
                            .execute(&mut *conn)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    pub async fn ping(&self) -> bool {
        match self.read().await {
            Ok(mut conn) => sqlx::query("SELECT 1").execute(&mut *conn).await.is_ok(),
            Err(_) => false,
        }
    }

    pub async fn close(&self) {
        self.write.pool.close().await;
        self.read.pool.close().await;
    }
}

/// Microseconds since the epoch: how times are stored.
/// A duration in microseconds, as times are stored; saturating.
pub fn micros(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub fn from_micros(us: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(us).unwrap_or_default()
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
pub fn like_pattern(needle: &str) -> String {
    format!("%{}%", like_escape(needle))
}

/// `needle`, lower-cased, with LIKE's wildcards escaped (for `ESCAPE '\\'`).
pub fn like_escape(needle: &str) -> String {
    let mut p = String::with_capacity(needle.len() + 2);
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
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

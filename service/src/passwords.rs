//! Password hashing (argon2id) and random secrets.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use model::error::ApiError;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a hash waits for a free slot before the caller is told to come back.
const SLOT_WAIT: Duration = Duration::from_secs(2);

/// Argon2 takes a core and 19 MiB for tens of milliseconds: at most one hash per core runs at
/// once in this process, so a flood of sign-ins cannot take the memory or every blocking
/// thread. The rest wait briefly in line, then get a 429.
fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(slot_count()))
}

/// One hash per core, at least 2 and at most 16.
pub fn slot_count() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 16)
}

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most password hashes that ran at once in this process.
pub fn peak_hashes() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// A hashing slot; counts the hashes in flight while held.
struct Slot(#[allow(dead_code)] SemaphorePermit<'static>);

impl Drop for Slot {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn slot() -> Result<Slot, ApiError> {
    match tokio::time::timeout(SLOT_WAIT, slots().acquire()).await {
        Ok(Ok(permit)) => {
            let now = IN_FLIGHT.fetch_add(1, Ordering::Relaxed) + 1;
            PEAK.fetch_max(now, Ordering::Relaxed);
            Ok(Slot(permit))
        }
        _ => {
            crate::metrics::hash_refused();
            Err(ApiError::too_many(
                "too many sign-ins at once; try again in a moment",
                1,
            ))
        }
    }
}

/// A hash of nothing anyone knows, checked against when the login is unknown so that unknown
/// and known logins cost the same single verification.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        Argon2::default()
            .hash_password(
                &random_secret(16).into_bytes(),
                &SaltString::generate(&mut OsRng),
            )
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

type Job = Box<dyn FnOnce() + Send>;

/// Argon2 runs on a few threads of its own, one per slot, not on tokio's blocking pool: each
/// thread keeps its 19 MiB block for the next hash, so memory stays at slots x 19 MiB however
/// many threads a burst of sign-ins would otherwise have spread it over.
fn workers() -> &'static std::sync::mpsc::Sender<Job> {
    static WORKERS: OnceLock<std::sync::mpsc::Sender<Job>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        return_big_blocks();
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..slot_count() {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        tx
    })
}

/// glibc raises its mmap threshold to the size of the largest block freed, after which each
/// thread's 19 MiB argon2 block comes from an arena that keeps it: measured, resident memory
/// grew by 19.5 MiB with each of the first ten sign-ins and never came back. A fixed threshold
/// keeps blocks of 4 MiB and more in their own mappings, returned to the system when freed.
fn return_big_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a tunable of the allocator; it is called once, before the
    // hashing threads start, and M_MMAP_THRESHOLD accepts any size up to 32 MiB.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    }
}

/// Runs `f` on a hashing thread (the caller holds a slot, so one is free).
async fn on_worker<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    workers()
        .send(Box::new(move || {
            let _ = tx.send(f());
        }))
        .map_err(|_| ApiError::internal())?;
    rx.await.map_err(|_| ApiError::internal())
}

/// Computes the decoy and starts the hashing threads, so that the first sign-in for an unknown
/// login costs what every other one does.
pub async fn warm_up() {
    let _ = on_worker(|| decoy().len()).await;
}

/// Hashes off the async runtime: argon2 is deliberately slow.
pub async fn hash(password: String) -> Result<String, ApiError> {
    let _slot = slot().await?;
    on_worker(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|_| ApiError::internal())
}

/// Checks a password against a stored hash. With no hash (unknown user) it does the same one
/// check against a decoy and fails, so response times do not tell which user names exist.
/// Fails with a 429 when every hashing slot stays busy.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    let _slot = slot().await?;
    on_worker(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| decoy().to_string());
        let ok = PasswordHash::new(&stored)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
}

/// A random secret of `bytes` bytes, hex-encoded.
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// How session and token secrets are stored: SHA-256, hex. They are long random strings, so a
/// fast hash is enough; the point is that a database leak does not leak usable secrets.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A readable random password for generated accounts.
pub fn generate_password() -> String {
    random_secret(12)
}

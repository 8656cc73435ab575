//! Encryption of credential secrets at rest: XChaCha20-Poly1305 under a 256-bit key from
//! `MESHENV_SECRET_KEY` or a key file created on first start (mode 0600). Every ciphertext is
//! stored with the id of the key that sealed it, and the credential's row id is bound as
//! associated data, so a ciphertext copied onto another row does not open.

use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use uuid::Uuid;

const NONCE_LEN: usize = 24;

/// Where the key comes from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// The key itself (hex or base64 of 32 bytes), e.g. from `MESHENV_SECRET_KEY`.
    Inline(String),
    /// A file holding the key as hex; created when missing.
    File(PathBuf),
}

#[derive(Clone)]
pub struct Keyring {
    cipher: XChaCha20Poly1305,
    key_id: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the key
        write!(f, "Keyring({})", self.key_id)
    }
}

fn parse_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let t = text.trim();
    let bytes = if t.len() == 64 && t.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(t)?
    } else {
        B64.decode(t)
            .map_err(|_| anyhow!("the secret key is neither 64 hex digits nor base64"))?
    };
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| anyhow!("the secret key must be 32 bytes, not {}", b.len()))
}

pub fn generate_key_hex() -> String {
    hex::encode(XChaCha20Poly1305::generate_key(&mut OsRng))
}

impl Keyring {
    pub fn from_bytes(key: [u8; 32]) -> Keyring {
        let key_id = hex::encode(&Sha256::digest(key)[..8]);
        Keyring {
            cipher: XChaCha20Poly1305::new(&key.into()),
            key_id,
        }
    }

    pub fn from_text(text: &str) -> anyhow::Result<Keyring> {
        Ok(Self::from_bytes(parse_key(text)?))
    }

    /// Loads the key. For a missing key file it makes a new key and returns it as well, unsaved:
    /// the caller writes it once it knows no stored secret needed the old one.
    pub fn load(source: &KeySource) -> anyhow::Result<(Keyring, Option<String>)> {
        match source {
            KeySource::Inline(text) => {
                Ok((Self::from_text(text).context("MESHENV_SECRET_KEY")?, None))
            }
            KeySource::File(path) => match std::fs::read_to_string(path) {
                Ok(text) => {
                    let keys = Self::from_text(&text).with_context(|| {
                        format!("reading the secret key file {}", path.display())
                    })?;
                    Ok((keys, None))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let hex = generate_key_hex();
                    Ok((Self::from_text(&hex)?, Some(hex)))
                }
                Err(e) => Err(e)
                    .with_context(|| format!("reading the secret key file {}", path.display())),
            },
        }
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Encrypts `plaintext` for the row `row_id`: base64 of nonce || ciphertext.
    pub fn seal(&self, row_id: Uuid, plaintext: &[u8]) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: row_id.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 encryption does not fail for in-memory buffers");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        B64.encode(out)
    }

    /// Decrypts what `seal` made for the same row under the same key.
    pub fn open(&self, key_id: &str, row_id: Uuid, sealed: &str) -> anyhow::Result<Vec<u8>> {
        if key_id != self.key_id {
            bail!(
                "sealed with key {key_id}, but the configured key is {}",
                self.key_id
            );
        }
        let raw = B64.decode(sealed).context("ciphertext is not base64")?;
        if raw.len() < NONCE_LEN {
            bail!("ciphertext too short");
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: row_id.as_bytes(),
                },
            )
            .map_err(|_| {
                anyhow!("the secret does not decrypt: wrong key, or the row was tampered with")
            })
    }
}

/// Writes a key file readable by its owner only, through a temporary file and a rename so a
/// crash never leaves half a key.
pub fn write_key_file(path: &Path, hex: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(hex.as_bytes())?;
        f.write_all(b"\n")?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_bound_to_the_row() {
        let k = Keyring::from_text(&generate_key_hex()).unwrap();
        let row = Uuid::now_v7();
        let sealed = k.seal(row, b"hunter2");
        assert!(!sealed.contains("hunter2"));
        assert_eq!(k.open(k.key_id(), row, &sealed).unwrap(), b"hunter2");
        // another row, another key, or a changed byte: refused
        assert!(k.open(k.key_id(), Uuid::now_v7(), &sealed).is_err());
        let other = Keyring::from_text(&generate_key_hex()).unwrap();
        assert!(other.open(k.key_id(), row, &sealed).is_err());
        assert!(other.open(other.key_id(), row, &sealed).is_err());
        let mut raw = B64.decode(&sealed).unwrap();
        *raw.last_mut().unwrap() ^= 1;
        assert!(k.open(k.key_id(), row, &B64.encode(raw)).is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/meshenv.key");
        let (a, new) = Keyring::load(&KeySource::File(path.clone())).unwrap();
        write_key_file(&path, &new.expect("a new key for a missing file")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        let (b, new) = Keyring::load(&KeySource::File(path)).unwrap();
        assert!(new.is_none());
        assert_eq!(a.key_id(), b.key_id());
    }

    #[test]
    fn bad_keys_are_refused_clearly() {
        assert!(Keyring::from_text("short").is_err());
        assert!(Keyring::from_text(&"ab".repeat(16)).is_err());
        assert!(Keyring::from_text(&B64.encode([7u8; 32])).is_ok());
    }
}

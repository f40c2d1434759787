//! Secrets Steward must read back (TOTP seeds) are sealed at rest with XChaCha20-Poly1305 under
//! one instance key, so a copy of the database alone reveals none of them. The same key peppers
//! the hashes of short codes (recovery and SMS codes), which a plain hash would not protect from
//! an offline guess.
//!
//! The key comes from configuration (`STEWARD_SECRET_KEY`, base64 of 32 bytes); unset, it is
//! generated once into the data directory (`secret.key`). Every instance sharing a database
//! needs the same key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// Sealed values start with this, so a future key or cipher can be told apart.
const VERSION: &str = "v1:";

#[derive(Clone)]
pub struct SecretBox {
    key: [u8; KEY_LEN],
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([hidden])")
    }
}

impl SecretBox {
    /// A random key that lives as long as the process (tests, and `Config::new`).
    pub fn ephemeral() -> SecretBox {
        let mut key = [0u8; KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut key);
        SecretBox { key }
    }

    /// The key from its base64 form (`STEWARD_SECRET_KEY`).
    pub fn from_base64(encoded: &str) -> Result<SecretBox, String> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| "the secret key must be base64".to_string())?;
        let key: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| format!("the secret key must be {KEY_LEN} bytes (base64 of them)"))?;
        Ok(SecretBox { key })
    }

    /// The key in `path`, generated there (readable by the owner only) when the file is missing.
    pub fn load_or_create(path: &Path) -> Result<SecretBox, String> {
        let describe = |e: std::io::Error| format!("{}: {e}", path.display());
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(describe)?;
                }
                let fresh = Self::ephemeral();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                match options.open(path) {
                    Ok(mut file) => {
                        use std::io::Write;
                        writeln!(file, "{}", STANDARD.encode(fresh.key)).map_err(describe)?;
                        Ok(fresh)
                    }
                    // Another process created it first: use theirs.
                    Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                        Self::load_or_create(path)
                    }
                    Err(err) => Err(describe(err)),
                }
            }
            Err(err) => Err(describe(err)),
        }
    }

    /// `v1:` + base64(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, plaintext: &[u8]) -> String {
        let cipher = XChaCha20Poly1305::new((&self.key).into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(XNonce::from_slice(&nonce), plaintext)
            .expect("encryption into memory does not fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{VERSION}{}", STANDARD.encode(out))
    }

    /// The plaintext, or `None` when the value was sealed under another key or altered.
    pub fn open(&self, sealed: &str) -> Option<Vec<u8>> {
        let bytes = STANDARD.decode(sealed.strip_prefix(VERSION)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        XChaCha20Poly1305::new((&self.key).into())
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .ok()
    }

    /// A keyed hash (HMAC-SHA256, hex) of a short code, bound to what it belongs to.
    pub fn code_hash(&self, scope: &str, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(scope.as_bytes());
        mac.update(&[0]);
        mac.update(code.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_key_and_unaltered() {
        let key = SecretBox::ephemeral();
        let sealed = key.seal(b"JBSWY3DPEHPK3PXP");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("JBSWY3DP"));
        assert_ne!(
            sealed,
            key.seal(b"JBSWY3DPEHPK3PXP"),
            "a fresh nonce each time"
        );
        assert_eq!(key.open(&sealed).as_deref(), Some(&b"JBSWY3DPEHPK3PXP"[..]));
        assert_eq!(SecretBox::ephemeral().open(&sealed), None);
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert_eq!(key.open(&String::from_utf8(altered).unwrap()), None);
        assert_eq!(key.open("plain"), None);
        assert_eq!(key.open("v1:"), None);
    }

    #[test]
    fn the_key_file_is_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("steward-key-{}", uuid::Uuid::new_v4()));
        let path = dir.join("secret.key");
        let first = SecretBox::load_or_create(&path).unwrap();
        let again = SecretBox::load_or_create(&path).unwrap();
        assert_eq!(again.open(&first.seal(b"x")).as_deref(), Some(&b"x"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "only the owner may read the key");
        }
        std::fs::write(&path, "not a key").unwrap();
        assert!(SecretBox::load_or_create(&path).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn code_hashes_depend_on_key_scope_and_code() {
        let key = SecretBox::ephemeral();
        let h = key.code_hash("user-1", "abcde-fghij");
        assert_eq!(h, key.code_hash("user-1", "abcde-fghij"));
        assert_ne!(h, key.code_hash("user-2", "abcde-fghij"));
        assert_ne!(h, key.code_hash("user-1", "abcde-fghik"));
        assert_ne!(h, SecretBox::ephemeral().code_hash("user-1", "abcde-fghij"));
    }
}

//! The issuer's keys on disk, under `<data_dir>/issuer-keys/`.
//!
//! One JSON file per key (`{"created", "secret" (hex), "did"}`), readable by the owner
//! only, and a file `active` naming the DID that signs new certificates. Rotation adds a
//! key and moves `active`; old keys are kept, because a certificate names the key that
//! signed it and must keep verifying. A key file that cannot be read is an error, never a
//! reason to start over with a new key: certificates would silently change issuer.
//!
//! Files are written to a temporary name created with mode 0600, synced, then renamed, so
//! a key file is never readable by others, not even briefly, and never half-written.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::encoding::{hex_decode, hex_encode};
use crate::keys::{IssuerKey, wipe};
use crate::proof::parse_timestamp;

/// The directory under the data directory that holds the keys.
pub const KEYS_DIR: &str = "issuer-keys";
/// The file naming the active key's DID.
const ACTIVE_FILE: &str = "active";

#[derive(Debug, thiserror::Error)]
pub enum KeyStoreError {
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error(
        "issuer key store {path}: {reason}; refusing to continue rather than sign under another key (restore the file from a backup)"
    )]
    Corrupt { path: PathBuf, reason: String },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> KeyStoreError {
    let path = path.to_path_buf();
    move |source| KeyStoreError::Io {
        action,
        path,
        source,
    }
}

/// A key as listed to administrators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub did: String,
    pub created: DateTime<Utc>,
    pub active: bool,
    pub file: PathBuf,
}

struct StoredKey {
    key: IssuerKey,
    created: DateTime<Utc>,
    file: PathBuf,
}

/// The key file's content.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    created: String,
    secret: String,
    did: String,
}

pub struct KeyStore {
    dir: PathBuf,
    /// Oldest first.
    keys: Vec<StoredKey>,
    active: usize,
    tightened: Vec<PathBuf>,
}

impl KeyStore {
    /// Opens the keys under `data_dir/issuer-keys`, creating the directory and a first key
    /// when there is none. Files readable by others are made owner-only (see
    /// [`KeyStore::tightened`]).
    pub fn open_or_create(data_dir: &Path) -> Result<KeyStore, KeyStoreError> {
        fs::create_dir_all(data_dir).map_err(io_error("creating", data_dir))?;
        let dir = data_dir.join(KEYS_DIR);
        let mut tightened = Vec::new();
        create_private_dir(&dir, &mut tightened)?;

        let mut keys = Vec::new();
        for entry in fs::read_dir(&dir).map_err(io_error("reading", &dir))? {
            let entry = entry.map_err(io_error("reading", &dir))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            let path = entry.path();
            let meta = fs::symlink_metadata(&path).map_err(io_error("reading", &path))?;
            if !meta.is_file() {
                return Err(KeyStoreError::Corrupt {
                    path,
                    reason: "not a regular file".into(),
                });
            }
            tighten(&path, &meta, 0o600, &mut tightened)?;
            keys.push(read_key(&path)?);
        }
        keys.sort_by(|a, b| (a.created, &a.file).cmp(&(b.created, &b.file)));

        let mut store = KeyStore {
            dir,
            keys,
            active: 0,
            tightened,
        };
        let marker = store.dir.join(ACTIVE_FILE);
        match fs::read_to_string(&marker) {
            Ok(text) => {
                if let Ok(meta) = fs::symlink_metadata(&marker) {
                    tighten(&marker, &meta, 0o600, &mut store.tightened)?;
                }
                let did = text.trim();
                store.active = store
                    .keys
                    .iter()
                    .position(|k| k.key.did() == did)
                    .ok_or_else(|| KeyStoreError::Corrupt {
                        path: marker.clone(),
                        reason: format!("the active key {did} has no key file"),
                    })?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if store.keys.is_empty() {
                    store.add_key()?;
                } else {
                    // Keys but no marker (e.g. copied by hand): the newest signs.
                    store.set_active(store.keys.len() - 1)?;
                }
            }
            Err(e) => return Err(io_error("reading", &marker)(e)),
        }
        Ok(store)
    }

    /// The directory holding the keys.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key that signs new certificates and status lists.
    pub fn active(&self) -> &IssuerKey {
        &self.keys[self.active].key
    }

    /// The key of `did`, active or retired.
    pub fn get(&self, did: &str) -> Option<&IssuerKey> {
        self.keys.iter().map(|k| &k.key).find(|k| k.did() == did)
    }

    /// All keys, oldest first.
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.keys
            .iter()
            .enumerate()
            .map(|(i, k)| KeyInfo {
                did: k.key.did(),
                created: k.created,
                active: i == self.active,
                file: k.file.clone(),
            })
            .collect()
    }

    /// Files and directories whose permissions were too open and were made owner-only
    /// when the store was opened: worth a warning, since the key may have been copied.
    pub fn tightened(&self) -> &[PathBuf] {
        &self.tightened
    }

    /// Generates a new key and makes it active; the old keys stay.
    pub fn rotate(&mut self) -> Result<&IssuerKey, KeyStoreError> {
        self.add_key()?;
        Ok(self.active())
    }

    fn add_key(&mut self) -> Result<(), KeyStoreError> {
        let key = IssuerKey::generate();
        // Microseconds, so that "the newest key" is well defined even for two rotations
        // within a second; the stored text is read back so that listings agree.
        let created_text = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        let created = parse_timestamp(&created_text).unwrap_or_else(Utc::now);
        let mb = key.public_multibase();
        let tag: String = mb.chars().skip(4).take(12).collect();
        let name = format!("{}-{tag}.json", created.format("%Y%m%dT%H%M%SZ"));
        let file = self.dir.join(name);
        let mut raw = key.secret_bytes();
        let file_content = KeyFile {
            created: created_text,
            secret: hex_encode(&raw),
            did: key.did(),
        };
        wipe(&mut raw);
        let content = serde_json::to_vec_pretty(&file_content);
        // Best effort: the copies of the secret this function made are overwritten.
        wipe(&mut file_content.secret.into_bytes());
        let mut content = content.map_err(|e| KeyStoreError::Corrupt {
            path: file.clone(),
            reason: format!("cannot encode the key: {e}"),
        })?;
        let written = write_private(&self.dir, &file, &content);
        wipe(&mut content);
        written?;
        self.keys.push(StoredKey { key, created, file });
        self.set_active(self.keys.len() - 1)
    }

    fn set_active(&mut self, index: usize) -> Result<(), KeyStoreError> {
        let did = self.keys[index].key.did();
        write_private(
            &self.dir,
            &self.dir.join(ACTIVE_FILE),
            format!("{did}\n").as_bytes(),
        )?;
        self.active = index;
        Ok(())
    }
}

fn read_key(path: &Path) -> Result<StoredKey, KeyStoreError> {
    let corrupt = |reason: String| KeyStoreError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let mut bytes = fs::read(path).map_err(io_error("reading", path))?;
    let parsed = serde_json::from_slice::<KeyFile>(&bytes);
    wipe(&mut bytes);
    let file = parsed.map_err(|e| corrupt(format!("not a key file: {e}")))?;
    let created = parse_timestamp(&file.created)
        .ok_or_else(|| corrupt(format!("`created` is not a date-time: {}", file.created)))?;
    let decoded = hex_decode(file.secret.trim());
    wipe(&mut file.secret.into_bytes());
    let mut secret: [u8; 32] = decoded
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| corrupt("`secret` is not 32 bytes of hex".into()))?;
    let key = IssuerKey::from_secret_bytes(&secret);
    wipe(&mut secret);
    if key.did() != file.did {
        return Err(corrupt(format!(
            "the secret belongs to {}, not to the stated {}",
            key.did(),
            file.did
        )));
    }
    Ok(StoredKey {
        key,
        created,
        file: path.to_path_buf(),
    })
}

/// Writes `content` to `path` through a temporary owner-only file, synced and renamed.
fn write_private(dir: &Path, path: &Path, content: &[u8]) -> Result<(), KeyStoreError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{:016x}.tmp", rand::random::<u64>()));
    let result = (|| {
        let mut f = create_private_file(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(io_error("writing", path))
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Makes a rename durable: the directory entry is synced too.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path, tightened: &mut Vec<PathBuf>) -> Result<(), KeyStoreError> {
    use std::os::unix::fs::DirBuilderExt;
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let meta = fs::symlink_metadata(dir).map_err(io_error("reading", dir))?;
            if !meta.is_dir() {
                return Err(KeyStoreError::Corrupt {
                    path: dir.to_path_buf(),
                    reason: "not a directory".into(),
                });
            }
            tighten(dir, &meta, 0o700, tightened)
        }
        Err(e) => Err(io_error("creating", dir)(e)),
    }
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path, _tightened: &mut Vec<PathBuf>) -> Result<(), KeyStoreError> {
    match fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(io_error("creating", dir)(e)),
    }
}

/// Sets `mode` when group or others have any access, and records the path.
#[cfg(unix)]
fn tighten(
    path: &Path,
    meta: &fs::Metadata,
    mode: u32,
    tightened: &mut Vec<PathBuf>,
) -> Result<(), KeyStoreError> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))
            .map_err(io_error("restricting permissions of", path))?;
        tightened.push(path.to_path_buf());
    }
    Ok(())
}

#[cfg(not(unix))]
fn tighten(
    _path: &Path,
    _meta: &fs::Metadata,
    _mode: u32,
    _tightened: &mut Vec<PathBuf>,
) -> Result<(), KeyStoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proof::{sign, verify_proof};
    use serde_json::json;

    /// A fresh directory under the system temp dir, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            let dir = std::env::temp_dir().join(format!(
                "skillcert-keystore-{}-{:016x}",
                std::process::id(),
                rand::random::<u64>()
            ));
            fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn key_files(dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files
    }

    #[test]
    fn first_open_creates_one_private_key_and_reopening_keeps_it() {
        let tmp = TempDir::new();
        let store = KeyStore::open_or_create(&tmp.0).unwrap();
        let did = store.active().did();
        assert!(did.starts_with("did:key:z6Mk"));
        assert_eq!(store.dir(), tmp.0.join("issuer-keys"));
        assert!(store.tightened().is_empty());
        let files = key_files(store.dir());
        assert_eq!(files.len(), 1);
        #[cfg(unix)]
        {
            assert_eq!(mode(store.dir()), 0o700);
            assert_eq!(mode(&files[0]), 0o600);
            assert_eq!(mode(&store.dir().join(ACTIVE_FILE)), 0o600);
        }
        let file: serde_json::Value =
            serde_json::from_slice(&fs::read(&files[0]).unwrap()).unwrap();
        assert_eq!(file["did"], did);
        assert_eq!(file["secret"].as_str().unwrap().len(), 64);
        assert!(parse_timestamp(file["created"].as_str().unwrap()).is_some());
        // No temporary files are left behind.
        assert_eq!(fs::read_dir(store.dir()).unwrap().count(), 2);

        let again = KeyStore::open_or_create(&tmp.0).unwrap();
        assert_eq!(again.active().did(), did);
        assert_eq!(again.keys().len(), 1);
        assert_eq!(again.keys()[0].created, store.keys()[0].created);
    }

    #[test]
    fn rotation_keeps_old_keys_and_their_certificates_verifiable() {
        let tmp = TempDir::new();
        let mut store = KeyStore::open_or_create(&tmp.0).unwrap();
        let old = store.active().did();
        let doc = |did: &str| {
            json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
                   "type": ["VerifiableCredential"], "issuer": did, "credentialSubject": {}})
        };
        let old_cert = sign(doc(&old), store.active(), Utc::now()).unwrap();

        let new = store.rotate().unwrap().did();
        assert_ne!(new, old);
        assert_eq!(store.active().did(), new);
        let listed = store.keys();
        assert_eq!(listed.len(), 2);
        assert_eq!(
            listed
                .iter()
                .map(|k| (k.did.as_str(), k.active))
                .collect::<Vec<_>>(),
            vec![(old.as_str(), false), (new.as_str(), true)]
        );

        let reopened = KeyStore::open_or_create(&tmp.0).unwrap();
        assert_eq!(reopened.active().did(), new);
        assert_eq!(reopened.keys().len(), 2);
        // The retired key is still there and still signs as itself.
        let retired = reopened.get(&old).unwrap();
        assert!(verify_proof(&old_cert).is_ok());
        assert!(verify_proof(&sign(doc(&old), retired, Utc::now()).unwrap()).is_ok());
        assert!(reopened.get("did:key:z6MkUnknown").is_none());
        #[cfg(unix)]
        for file in key_files(reopened.dir()) {
            assert_eq!(mode(&file), 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened_and_reported() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = TempDir::new();
        let store = KeyStore::open_or_create(&tmp.0).unwrap();
        let dir = store.dir().to_path_buf();
        let file = key_files(&dir).remove(0);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();

        let reopened = KeyStore::open_or_create(&tmp.0).unwrap();
        assert_eq!(reopened.tightened(), &[dir.clone(), file.clone()]);
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert!(
            KeyStore::open_or_create(&tmp.0)
                .unwrap()
                .tightened()
                .is_empty()
        );
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_a_new_key() {
        let tmp = TempDir::new();
        let store = KeyStore::open_or_create(&tmp.0).unwrap();
        let file = key_files(store.dir()).remove(0);
        let original = fs::read_to_string(&file).unwrap();

        fs::write(&file, "{\"created\": \"2026-01-01T00:00:00Z\"").unwrap();
        let err = KeyStore::open_or_create(&tmp.0).err().unwrap();
        assert!(matches!(err, KeyStoreError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("refusing"));

        // A secret that does not match the stated DID.
        let mut v: serde_json::Value = serde_json::from_str(&original).unwrap();
        v["secret"] = json!("11".repeat(32));
        fs::write(&file, v.to_string()).unwrap();
        assert!(matches!(
            KeyStore::open_or_create(&tmp.0),
            Err(KeyStoreError::Corrupt { .. })
        ));

        // A short secret.
        v["secret"] = json!("11");
        fs::write(&file, v.to_string()).unwrap();
        assert!(matches!(
            KeyStore::open_or_create(&tmp.0),
            Err(KeyStoreError::Corrupt { .. })
        ));

        // The key file gone while `active` still names it.
        fs::remove_file(&file).unwrap();
        let err = KeyStore::open_or_create(&tmp.0).err().unwrap();
        assert!(err.to_string().contains("has no key file"), "{err}");
        assert!(key_files(&tmp.0.join(KEYS_DIR)).is_empty());
    }

    #[test]
    fn keys_without_a_marker_make_the_newest_active() {
        let tmp = TempDir::new();
        let mut store = KeyStore::open_or_create(&tmp.0).unwrap();
        let newest = store.rotate().unwrap().did();
        let dir = store.dir().to_path_buf();
        drop(store);
        fs::remove_file(dir.join(ACTIVE_FILE)).unwrap();
        // Other files in the directory are ignored.
        fs::write(dir.join("README"), "keys").unwrap();
        let reopened = KeyStore::open_or_create(&tmp.0).unwrap();
        assert_eq!(reopened.keys().len(), 2);
        assert_eq!(reopened.active().did(), newest);
        assert_eq!(
            fs::read_to_string(dir.join(ACTIVE_FILE)).unwrap().trim(),
            newest
        );
    }
}

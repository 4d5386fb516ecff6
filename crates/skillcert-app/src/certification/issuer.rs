//! The issuer: its Ed25519 keys (in the data directory, or in memory for tests), its public
//! address and name; it turns a certificate into a signed Open Badges 3.0 credential and
//! signs the status lists.

use std::path::Path;
use std::sync::RwLock;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Serialize;
use skillcert_credential::credential::{self, AchievementFacts, CertificateFacts, StatusRef};
use skillcert_credential::keys::IssuerKey;
use skillcert_credential::keystore::KeyStore;
use skillcert_credential::{proof, status_list};
use skillcert_domain::scheme::{Labels, Scheme};

use crate::AppResult;

/// Where the keys live.
enum Keys {
    /// Generated at start and forgotten at exit: tests and throw-away demos.
    Memory(Vec<IssuerKey>),
    Stored(KeyStore),
}

pub struct Issuer {
    keys: RwLock<Keys>,
    base_url: String,
    name: String,
}

/// A key as listed to administrators.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub did: String,
    pub created: Option<DateTime<Utc>>,
    pub active: bool,
}

/// What a certificate's credential states.
pub(crate) struct Facts<'a> {
    pub number: &'a str,
    pub employee_no: &'a str,
    pub scheme: &'a Scheme,
    pub level_key: &'a str,
    pub level: &'a Labels,
    /// Hundredths.
    pub total: i32,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub awarded_on: NaiveDate,
    pub revocation_index: i32,
    pub suspension_index: i32,
    pub now: DateTime<Utc>,
}

/// Midnight China Standard Time of `day`, as UTC: dates people read are CST dates.
fn cst_start(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)) - chrono::Duration::hours(8)
}

impl Issuer {
    pub fn ephemeral(base_url: &str, name: &str) -> Issuer {
        Issuer {
            keys: RwLock::new(Keys::Memory(vec![IssuerKey::generate()])),
            base_url: base_url.trim_end_matches('/').to_string(),
            name: name.to_string(),
        }
    }

    /// Opens the keys under `data_dir`, generating the first at first start.
    pub fn open(data_dir: &Path, base_url: &str, name: &str) -> anyhow::Result<Issuer> {
        let store = KeyStore::open_or_create(data_dir)?;
        for path in store.tightened() {
            tracing::warn!(
                path = %path.display(),
                "issuer key permissions were too open and are now owner-only; \
                 if the key may have been copied, rotate it (skillcert issuer rotate)"
            );
        }
        Ok(Issuer {
            keys: RwLock::new(Keys::Stored(store)),
            base_url: base_url.trim_end_matches('/').to_string(),
            name: name.to_string(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn with_active<T>(&self, f: impl FnOnce(&IssuerKey) -> T) -> AppResult<T> {
        let keys = self
            .keys
            .read()
            .map_err(|_| anyhow::anyhow!("issuer keys lock poisoned"))?;
        match &*keys {
            Keys::Memory(list) => list
                .last()
                .map(f)
                .ok_or_else(|| anyhow::anyhow!("no issuer key").into()),
            Keys::Stored(store) => Ok(f(store.active())),
        }
    }

    /// The active key's `did:key`.
    pub fn did(&self) -> AppResult<String> {
        self.with_active(IssuerKey::did)
    }

    pub fn keys(&self) -> AppResult<Vec<KeyInfo>> {
        let keys = self
            .keys
            .read()
            .map_err(|_| anyhow::anyhow!("issuer keys lock poisoned"))?;
        Ok(match &*keys {
            Keys::Memory(list) => list
                .iter()
                .enumerate()
                .map(|(i, k)| KeyInfo {
                    did: k.did(),
                    created: None,
                    active: i + 1 == list.len(),
                })
                .collect(),
            Keys::Stored(store) => store
                .keys()
                .into_iter()
                .map(|k| KeyInfo {
                    did: k.did,
                    created: Some(k.created),
                    active: k.active,
                })
                .collect(),
        })
    }

    /// Makes a new key active; older keys are kept so that certificates they signed still
    /// verify (a `did:key` carries its own public key).
    pub fn rotate(&self) -> AppResult<String> {
        let mut keys = self
            .keys
            .write()
            .map_err(|_| anyhow::anyhow!("issuer keys lock poisoned"))?;
        match &mut *keys {
            Keys::Memory(list) => {
                let k = IssuerKey::generate();
                let did = k.did();
                list.push(k);
                Ok(did)
            }
            Keys::Stored(store) => Ok(store.rotate().map_err(anyhow::Error::from)?.did()),
        }
    }

    /// The status list a credential signed by `key` points to. The key is part of the
    /// address because a verifier trusts a list only when the certificate's own issuer (with
    /// `did:key`, its signing key) signed it: after a rotation, certificates signed by an
    /// older key keep a list signed by that key.
    fn list_url(&self, purpose: &str, key: &IssuerKey) -> String {
        format!(
            "{}/status/{purpose}?key={}",
            self.base_url,
            key.public_multibase()
        )
    }

    /// Runs `f` with the held key whose public multibase is `key`, or the active key.
    fn with_key<T>(&self, key: Option<&str>, f: impl FnOnce(&IssuerKey) -> T) -> AppResult<T> {
        let Some(wanted) = key else {
            return self.with_active(f);
        };
        let keys = self
            .keys
            .read()
            .map_err(|_| anyhow::anyhow!("issuer keys lock poisoned"))?;
        let found = match &*keys {
            Keys::Memory(list) => list.iter().find(|k| k.public_multibase() == wanted),
            Keys::Stored(store) => store.get(&format!("did:key:{wanted}")),
        };
        found.map(f).ok_or(crate::AppError::NotFound)
    }

    /// The signed credential of a certificate, as JSON text.
    pub(crate) fn credential(&self, f: &Facts<'_>) -> AppResult<String> {
        let salt = credential::new_salt();
        let criteria = f
            .scheme
            .components()
            .iter()
            .map(|c| format!("{} {}", c.labels.en, c.weight.basis_points() / 100))
            .collect::<Vec<_>>()
            .join(" / ");
        let band_min = f
            .scheme
            .bands()
            .iter()
            .find(|b| b.key == f.level_key)
            .map(|b| b.min.fixed(0))
            .unwrap_or_default();
        let total = format!("{}.{:02}", f.total / 100, f.total % 100);
        let facts = |key: &IssuerKey| CertificateFacts {
            number: f.number.to_string(),
            base_url: self.base_url.clone(),
            issuer_name: self.name.clone(),
            employee_no: f.employee_no.to_string(),
            salt: salt.clone(),
            achievement: AchievementFacts {
                scheme_key: f.scheme.key().to_string(),
                level_key: f.level_key.to_string(),
                name_zh: f.level.zh_cn.clone(),
                name_en: f.level.en.clone(),
                description: format!("{} / {}", f.scheme.labels().zh_cn, f.scheme.labels().en),
                criteria: format!("{criteria}, total ≥ {band_min}"),
            },
            total: total.clone(),
            valid_from: cst_start(f.issued_on),
            valid_until: cst_start(f.valid_until + chrono::Duration::days(1))
                - chrono::Duration::seconds(1),
            awarded_date: cst_start(f.awarded_on),
            status: vec![
                StatusRef {
                    purpose: "revocation".into(),
                    list_url: self.list_url("revocation", key),
                    index: u32::try_from(f.revocation_index).unwrap_or(0),
                },
                StatusRef {
                    purpose: "suspension".into(),
                    list_url: self.list_url("suspension", key),
                    index: u32::try_from(f.suspension_index).unwrap_or(0),
                },
            ],
        };
        let signed = self
            .with_active(|k| credential::issue(&facts(k), k, f.now))?
            .map_err(anyhow::Error::from)?;
        Ok(serde_json::to_string(&signed).map_err(anyhow::Error::from)?)
    }

    /// The signed status list of `purpose` with `bits` set, signed by the held key `key`
    /// (public multibase) or, without one, by the active key.
    pub(crate) fn status_list(
        &self,
        purpose: &str,
        key: Option<&str>,
        bits: &[i32],
        now: DateTime<Utc>,
    ) -> AppResult<serde_json::Value> {
        let set: Vec<usize> = bits
            .iter()
            .filter_map(|b| usize::try_from(*b).ok())
            .collect();
        let encoded = status_list::encode(&set).map_err(anyhow::Error::from)?;
        Ok(self
            .with_key(key, |k| {
                let doc = status_list::list_credential(
                    &self.list_url(purpose, k),
                    purpose,
                    &encoded,
                    &k.did(),
                    now,
                );
                proof::sign(doc, k, now)
            })?
            .map_err(anyhow::Error::from)?)
    }
}

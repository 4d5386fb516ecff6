//! A skillcert certificate as an Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable
//! Credential 2.0).
//!
//! The holder is named only by a salted SHA-256 of their employee number
//! (`IdentityObject`): the credential is public (anyone with the link can fetch it), and the
//! holder's name is not needed to check it — whoever presents it can be asked for their
//! employee number, which [`holder_matches`] checks.

use chrono::{DateTime, Utc};
use rand::RngCore;
use rand::rngs::OsRng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::encoding::hex_encode;
use crate::keys::IssuerKey;
use crate::proof::{self, SignError, timestamp};

/// The Open Badges 3.0 JSON-LD context (version pinned, as 1EdTech publishes them).
pub const OB3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// What was achieved: one level of one certification scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AchievementFacts {
    /// The scheme's key, e.g. `s1-certification`.
    pub scheme_key: String,
    /// The level's key, e.g. `senior`.
    pub level_key: String,
    /// The level's name, e.g. `高级客服专员`.
    pub name_zh: String,
    /// e.g. `Senior customer service specialist`.
    pub name_en: String,
    pub description: String,
    /// How it is earned, e.g. `theory 40 / practical 40 / daily 20, total ≥ 80`.
    pub criteria: String,
}

/// A `BitstringStatusListEntry`: which list, which bit, for which purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    /// `revocation` or `suspension`.
    pub purpose: String,
    pub list_url: String,
    pub index: u32,
}

/// Everything a certificate's credential states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// The certificate number, e.g. `CS2026001`; also the credential's `licenseNumber`.
    pub number: String,
    /// The public address of this skillcert, e.g. `https://skillcert.example.com`.
    pub base_url: String,
    pub issuer_name: String,
    /// Hashed with `salt`, never stated.
    pub employee_no: String,
    /// Per certificate, so equal employee numbers give unrelated hashes.
    pub salt: String,
    pub achievement: AchievementFacts,
    /// The total as displayed, e.g. `86.40`.
    pub total: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// The first award: kept when a certificate is re-issued (Open Badges `awardedDate`).
    pub awarded_date: DateTime<Utc>,
    pub status: Vec<StatusRef>,
}

/// `sha256$<hex>` of the employee number followed by the salt, as Open Badges hashes an
/// `IdentityObject`. Surrounding spaces of the number are ignored.
pub fn identity_hash(employee_no: &str, salt: &str) -> String {
    let mut h = Sha256::new();
    h.update(employee_no.trim().as_bytes());
    h.update(salt.as_bytes());
    format!("sha256${}", hex_encode(&h.finalize()))
}

/// A fresh salt: 16 random bytes as hex.
pub fn new_salt() -> String {
    let mut salt = [0u8; 16];
    OsRng.fill_bytes(&mut salt);
    hex_encode(&salt)
}

/// Whether `employee_no` is the holder named by the credential's hashed identifier (the
/// recipient check of Open Badges verification).
pub fn holder_matches(credential: &Value, employee_no: &str) -> bool {
    let identifiers = match credential.pointer("/credentialSubject/identifier") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    identifiers.into_iter().any(|id| {
        let Some(stated) = id.get("identityHash").and_then(Value::as_str) else {
            return false;
        };
        if id.get("hashed").and_then(Value::as_bool) == Some(true) {
            let salt = id.get("salt").and_then(Value::as_str).unwrap_or("");
            stated.eq_ignore_ascii_case(&identity_hash(employee_no, salt))
        } else {
            stated == employee_no.trim()
        }
    })
}

/// `{base_url}/credentials/{number}`.
pub fn credential_id(base_url: &str, number: &str) -> String {
    format!("{}/credentials/{number}", base_url.trim_end_matches('/'))
}

/// `{base_url}/achievements/{scheme}-{level}`.
pub fn achievement_id(base_url: &str, scheme_key: &str, level_key: &str) -> String {
    format!(
        "{}/achievements/{scheme_key}-{level_key}",
        base_url.trim_end_matches('/')
    )
}

/// The unsigned credential of a certificate issued by `issuer_did`.
pub fn build(facts: &CertificateFacts, issuer_did: &str) -> Value {
    let base = facts.base_url.trim_end_matches('/');
    let a = &facts.achievement;
    let achievement_id = achievement_id(base, &a.scheme_key, &a.level_key);
    let name = format!("{} / {}", a.name_zh, a.name_en);
    let total_id = format!("{achievement_id}#total");
    let level_id = format!("{achievement_id}#level");
    let level_value_id = format!("{achievement_id}#level-{}", a.level_key);
    let mut credential = json!({
        "@context": [crate::VC_V2_CONTEXT, OB3_CONTEXT],
        "id": credential_id(base, &facts.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": base,
        },
        "validFrom": timestamp(facts.valid_from),
        "validUntil": timestamp(facts.valid_until),
        "awardedDate": timestamp(facts.awarded_date),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "identifier",
                "hashed": true,
                "identityHash": identity_hash(&facts.employee_no, &facts.salt),
                "salt": facts.salt,
            }],
            "licenseNumber": facts.number,
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": name,
                "description": a.description,
                "criteria": {"narrative": a.criteria},
                // Result descriptions give the results below something to refer to: the
                // total score and the level reached.
                "resultDescription": [
                    {
                        "id": total_id,
                        "type": ["ResultDescription"],
                        "name": "总分 / Total score",
                        "resultType": "ScaledScore",
                    },
                    {
                        "id": level_id,
                        "type": ["ResultDescription"],
                        "name": "等级 / Level",
                        "resultType": "RubricCriterionLevel",
                        "rubricCriterionLevel": [{
                            "id": level_value_id,
                            "type": ["RubricCriterionLevel"],
                            "name": name,
                        }],
                    },
                ],
            },
            "result": [
                {"type": ["Result"], "resultDescription": total_id, "value": facts.total},
                {"type": ["Result"], "resultDescription": level_id, "achievedLevel": level_value_id},
            ],
        },
    });
    if !facts.status.is_empty()
        && let Value::Object(map) = &mut credential
    {
        let entries = facts
            .status
            .iter()
            .map(|s| {
                json!({
                    "id": format!("{}#{}", s.list_url, s.index),
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": s.purpose,
                    "statusListIndex": s.index.to_string(),
                    "statusListCredential": s.list_url,
                })
            })
            .collect();
        map.insert("credentialStatus".into(), Value::Array(entries));
    }
    credential
}

/// Builds and signs the credential with `key`, which is then its issuer.
pub fn issue(
    facts: &CertificateFacts,
    key: &IssuerKey,
    signed_at: DateTime<Utc>,
) -> Result<Value, SignError> {
    proof::sign(build(facts, &key.did()), key, signed_at)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::proof::verify_proof;
    use chrono::TimeZone;

    pub(crate) fn facts() -> CertificateFacts {
        CertificateFacts {
            number: "CS2026001".into(),
            base_url: "https://skillcert.example.com/".into(),
            issuer_name: "示例客服中心 / Example Service Centre".into(),
            employee_no: "E10023".into(),
            salt: "5f0c2a9e1b7d4c3a8e6f0a1b2c3d4e5f".into(),
            achievement: AchievementFacts {
                scheme_key: "s1-certification".into(),
                level_key: "senior".into(),
                name_zh: "高级客服专员".into(),
                name_en: "Senior customer service specialist".into(),
                description: "客服专员认证 / Customer service certification".into(),
                criteria: "theory 40 / practical 40 / daily 20, total ≥ 80".into(),
            },
            total: "86.40".into(),
            valid_from: Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap(),
            valid_until: Utc.with_ymd_and_hms(2026, 12, 31, 15, 59, 59).unwrap(),
            awarded_date: Utc.with_ymd_and_hms(2024, 12, 31, 16, 0, 0).unwrap(),
            status: vec![
                StatusRef {
                    purpose: "revocation".into(),
                    list_url: "https://skillcert.example.com/status/revocation".into(),
                    index: 94_567,
                },
                StatusRef {
                    purpose: "suspension".into(),
                    list_url: "https://skillcert.example.com/status/suspension".into(),
                    index: 23_452,
                },
            ],
        }
    }

    #[test]
    fn builds_the_open_badges_shape() {
        let v = build(&facts(), "did:key:z6MkExample");
        assert_eq!(
            v["@context"],
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
            ])
        );
        assert_eq!(
            v["id"],
            "https://skillcert.example.com/credentials/CS2026001"
        );
        assert_eq!(
            v["type"],
            json!(["VerifiableCredential", "OpenBadgeCredential"])
        );
        assert_eq!(
            v["name"],
            "高级客服专员 / Senior customer service specialist"
        );
        assert_eq!(
            v["issuer"],
            json!({"id": "did:key:z6MkExample", "type": ["Profile"],
                   "name": "示例客服中心 / Example Service Centre",
                   "url": "https://skillcert.example.com"})
        );
        assert_eq!(v["validFrom"], "2025-12-31T16:00:00Z");
        assert_eq!(v["validUntil"], "2026-12-31T15:59:59Z");
        assert_eq!(v["awardedDate"], "2024-12-31T16:00:00Z");
        let s = &v["credentialSubject"];
        assert_eq!(s["type"], json!(["AchievementSubject"]));
        assert_eq!(s["licenseNumber"], "CS2026001");
        assert_eq!(s["identifier"][0]["type"], "IdentityObject");
        assert_eq!(s["identifier"][0]["hashed"], true);
        assert_eq!(
            s["identifier"][0]["identityHash"],
            identity_hash("E10023", "5f0c2a9e1b7d4c3a8e6f0a1b2c3d4e5f")
        );
        let a = &s["achievement"];
        assert_eq!(
            a["id"],
            "https://skillcert.example.com/achievements/s1-certification-senior"
        );
        assert_eq!(a["achievementType"], "Certification");
        assert_eq!(
            a["criteria"]["narrative"],
            "theory 40 / practical 40 / daily 20, total ≥ 80"
        );
        assert_eq!(s["result"][0]["value"], "86.40");
        assert_eq!(
            s["result"][0]["resultDescription"],
            a["resultDescription"][0]["id"]
        );
        assert_eq!(
            s["result"][1]["achievedLevel"],
            a["resultDescription"][1]["rubricCriterionLevel"][0]["id"]
        );
        assert_eq!(
            v["credentialStatus"],
            json!([
                {"id": "https://skillcert.example.com/status/revocation#94567",
                 "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                 "statusListIndex": "94567",
                 "statusListCredential": "https://skillcert.example.com/status/revocation"},
                {"id": "https://skillcert.example.com/status/suspension#23452",
                 "type": "BitstringStatusListEntry", "statusPurpose": "suspension",
                 "statusListIndex": "23452",
                 "statusListCredential": "https://skillcert.example.com/status/suspension"}
            ])
        );
        // The holder's employee number appears nowhere in clear.
        assert!(!v.to_string().contains("E10023"));
    }

    #[test]
    fn no_status_entries_no_credential_status() {
        let mut f = facts();
        f.status.clear();
        assert!(build(&f, "did:key:z6Mk").get("credentialStatus").is_none());
    }

    #[test]
    fn identity_hash_is_sha256_of_number_then_salt() {
        // printf 'E10023salt' | sha256sum
        assert_eq!(
            identity_hash("E10023", "salt"),
            format!("sha256${}", hex_encode(&Sha256::digest(b"E10023salt")))
        );
        assert_eq!(
            identity_hash(" E10023 ", "salt"),
            identity_hash("E10023", "salt")
        );
        assert_ne!(
            identity_hash("E10023", "salt"),
            identity_hash("E10023", "pepper")
        );
        let salt = new_salt();
        assert_eq!(salt.len(), 32);
        assert_ne!(salt, new_salt());
    }

    #[test]
    fn the_recipient_check_accepts_only_the_holder() {
        let v = build(&facts(), "did:key:z6Mk");
        assert!(holder_matches(&v, "E10023"));
        assert!(holder_matches(&v, " E10023\n"));
        assert!(!holder_matches(&v, "E10024"));
        assert!(!holder_matches(&v, ""));
        assert!(!holder_matches(&json!({}), "E10023"));
    }

    #[test]
    fn issued_credentials_verify() {
        let key = IssuerKey::generate();
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let v = issue(&facts(), &key, at).unwrap();
        assert_eq!(verify_proof(&v).unwrap().did, key.did());
        assert_eq!(v["issuer"]["id"], key.did());
    }
}

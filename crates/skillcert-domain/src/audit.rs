//! The hash chain of the audit log.
//!
//! Each record carries the SHA-256 of its predecessor's hash and its own content, so editing,
//! inserting or deleting any record breaks every hash after it. The hash is computed over a
//! canonical byte string that does not depend on the database backend.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash that precedes the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The content of one audit record, as hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditContent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    /// JSON text of the state before the change (`null` for a creation).
    pub before: String,
    /// JSON text of the state after the change (`null` for a deletion).
    pub after: String,
}

impl AuditContent {
    /// The hash of this record given the previous record's hash. Fields are length-prefixed
    /// so that no two different records share a byte string.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut h = Sha256::new();
        let at = self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let actor_id = self
            .actor_user_id
            .map(|i| i.to_string())
            .unwrap_or_default();
        let entity_id = self.entity_id.clone().unwrap_or_default();
        let seq = self.seq.to_string();
        for part in [
            prev_hash,
            &seq,
            &at,
            &actor_id,
            &self.actor,
            &self.action,
            &self.entity,
            &entity_id,
            &self.before,
            &self.after,
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }
}

/// A stored record: its content, the previous hash it claims and its own hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedRecord {
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// Why the chain is broken, naming the first bad record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("record {seq}: its content does not match its hash (edited)")]
    Edited { seq: i64 },
    #[error(
        "record {seq}: it does not follow the record before it (inserted, deleted or reordered)"
    )]
    Unlinked { seq: i64 },
}

/// Walks records in order, continuing after record `prev_seq` whose hash is `prev` (`0` and
/// [`GENESIS`] for the start of the log). Returns the last hash, to continue with the next
/// batch. Sequence numbers must follow on without gaps, so a forger who deletes a record
/// must renumber as well as re-hash.
pub fn verify<'a>(
    prev_seq: i64,
    prev: &str,
    records: impl IntoIterator<Item = &'a ChainedRecord>,
) -> Result<String, ChainBreak> {
    let mut prev = prev.to_string();
    let mut expected_seq = prev_seq + 1;
    for r in records {
        let seq = r.content.seq;
        if r.prev_hash != prev || seq != expected_seq {
            return Err(ChainBreak::Unlinked { seq });
        }
        if r.content.hash(&prev) != r.hash {
            return Err(ChainBreak::Edited { seq });
        }
        prev = r.hash.clone();
        expected_seq = seq + 1;
    }
    Ok(prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<ChainedRecord> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let content = AuditContent {
                    seq,
                    at: DateTime::from_timestamp(1_700_000_000 + seq, 0).expect("time"),
                    actor_user_id: Some(1),
                    actor: "admin".into(),
                    action: "employee.create".into(),
                    entity: "employee".into(),
                    entity_id: Some(seq.to_string()),
                    before: "null".into(),
                    after: format!("{{\"name\":\"员工{seq}\"}}"),
                };
                let hash = content.hash(&prev);
                let r = ChainedRecord {
                    content,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                r
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(0, GENESIS, &c), Ok(c[4].hash.clone()));
    }

    #[test]
    fn an_edit_is_named() {
        let mut c = chain(5);
        c[2].content.after = "{\"name\":\"改过\"}".into();
        assert_eq!(verify(0, GENESIS, &c), Err(ChainBreak::Edited { seq: 3 }));
    }

    #[test]
    fn a_deletion_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(0, GENESIS, &c), Err(ChainBreak::Unlinked { seq: 3 }));
    }

    #[test]
    fn a_recomputed_edit_still_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].content.after = "{}".into();
        c[2].hash = c[2].content.hash(&c[2].prev_hash);
        assert_eq!(verify(0, GENESIS, &c), Err(ChainBreak::Unlinked { seq: 4 }));
    }

    #[test]
    fn fields_are_length_prefixed() {
        let mut a = chain(1).remove(0).content;
        let mut b = a.clone();
        a.action = "ab".into();
        a.entity = "c".into();
        b.action = "a".into();
        b.entity = "bc".into();
        assert_ne!(a.hash(GENESIS), b.hash(GENESIS));
    }
}

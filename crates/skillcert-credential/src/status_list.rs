//! Bitstring Status List v1.0 (W3C Recommendation 2025): revocation and suspension as one
//! bit per certificate in a published, signed list.
//!
//! A list holds at least 131,072 entries so that fetching it reveals nothing about which
//! certificate a verifier is looking at (herd privacy); indices are drawn at random so a
//! position reveals nothing about issue order. The list travels as `encodedList` =
//! `u` + base64url (no padding) of the GZIP of the bitstring, index 0 being the most
//! significant bit of the first byte.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use rand::Rng;
use serde_json::{Value, json};

use crate::encoding::{base64url_decode, base64url_encode};
use crate::proof::timestamp;

/// The minimum, and our, number of entries in a list.
pub const LIST_LENGTH: usize = 131_072;

/// A larger decompressed list is refused: it guards against GZIP bombs (a list of 131,072
/// entries is 16 KiB; this allows lists 1024 times larger).
const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("status list index {index} is outside the list of {len} entries (RANGE_ERROR)")]
    Range { index: usize, len: usize },
    #[error("the encoded list is not multibase base64url (`u…`, no padding)")]
    Encoding,
    #[error("the encoded list is not valid GZIP data")]
    Gzip,
    #[error("the decompressed list is larger than {MAX_LIST_BYTES} bytes")]
    TooLarge,
    #[error(
        "the status list holds {len} entries, fewer than the {LIST_LENGTH} required for herd privacy (STATUS_LIST_LENGTH_ERROR)"
    )]
    Length { len: usize },
}

impl StatusListError {
    pub fn code(&self) -> &'static str {
        match self {
            StatusListError::Range { .. } => "status-range",
            StatusListError::Length { .. } => "status-list-length",
            StatusListError::Encoding | StatusListError::Gzip | StatusListError::TooLarge => {
                "status-list-malformed"
            }
        }
    }
}

/// The uncompressed list: bit `i` is bit `7 - i % 8` of byte `i / 8`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Bitstring {
    /// A list of `len` zero bits (rounded up to whole bytes).
    pub fn zeros(len: usize) -> Bitstring {
        Bitstring {
            bytes: vec![0; len.div_ceil(8)],
        }
    }

    /// A list of [`LIST_LENGTH`] entries with exactly `set` set.
    pub fn with_set(set: &[usize]) -> Result<Bitstring, StatusListError> {
        let mut bits = Bitstring::zeros(LIST_LENGTH);
        for &index in set {
            bits.set(index, true)?;
        }
        Ok(bits)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The entry at `index`; `None` when it lies outside the list.
    pub fn get(&self, index: usize) -> Option<bool> {
        let byte = self.bytes.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    pub fn set(&mut self, index: usize, value: bool) -> Result<(), StatusListError> {
        let len = self.len();
        let byte = self
            .bytes
            .get_mut(index / 8)
            .ok_or(StatusListError::Range { index, len })?;
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// `encodedList`: `u` + base64url-no-pad(GZIP(bits)).
    pub fn encode(&self) -> Result<String, StatusListError> {
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&self.bytes)
            .map_err(|_| StatusListError::Gzip)?;
        let compressed = gz.finish().map_err(|_| StatusListError::Gzip)?;
        Ok(format!("u{}", base64url_encode(&compressed)))
    }
}

/// The `encodedList` of a [`LIST_LENGTH`]-entry list with the entries `set` set.
pub fn encode(set: &[usize]) -> Result<String, StatusListError> {
    Bitstring::with_set(set)?.encode()
}

/// Expands an `encodedList` (Bitstring Expansion Algorithm) and refuses lists shorter
/// than [`LIST_LENGTH`] entries.
pub fn decode(encoded: &str) -> Result<Bitstring, StatusListError> {
    let compressed = encoded
        .strip_prefix('u')
        .and_then(base64url_decode)
        .ok_or(StatusListError::Encoding)?;
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_LIST_BYTES + 1).unwrap_or(u64::MAX);
    GzDecoder::new(compressed.as_slice())
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|_| StatusListError::Gzip)?;
    if bytes.len() > MAX_LIST_BYTES {
        return Err(StatusListError::TooLarge);
    }
    let bits = Bitstring { bytes };
    if bits.len() < LIST_LENGTH {
        return Err(StatusListError::Length { len: bits.len() });
    }
    Ok(bits)
}

/// A random position in a [`LIST_LENGTH`]-entry list; the caller draws again if it is taken.
pub fn random_index<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    // LIST_LENGTH is 2^17, far inside u32.
    rng.gen_range(0..LIST_LENGTH as u32)
}

/// The unsigned `BitstringStatusListCredential` published at `list_url`, to be signed with
/// [`crate::proof::sign`] by the caller.
pub fn list_credential(
    list_url: &str,
    purpose: &str,
    encoded: &str,
    issuer_did: &str,
    valid_from: DateTime<Utc>,
) -> Value {
    json!({
        "@context": [crate::VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn index_zero_is_the_most_significant_bit_of_the_first_byte() {
        let mut bits = Bitstring::zeros(16);
        bits.set(0, true).unwrap();
        bits.set(9, true).unwrap();
        bits.set(15, true).unwrap();
        assert_eq!(bits.as_bytes(), &[0b1000_0000, 0b0100_0001]);
        assert_eq!(bits.get(0), Some(true));
        assert_eq!(bits.get(1), Some(false));
        assert_eq!(bits.get(9), Some(true));
        assert_eq!(bits.get(16), None);
        bits.set(9, false).unwrap();
        assert_eq!(bits.get(9), Some(false));
        assert_eq!(
            bits.set(16, true),
            Err(StatusListError::Range { index: 16, len: 16 })
        );
    }

    #[test]
    fn encode_decode_round_trip() {
        let set = [0, 7, 8, 94_567, LIST_LENGTH - 1];
        let encoded = encode(&set).unwrap();
        assert!(encoded.starts_with('u'));
        let bits = decode(&encoded).unwrap();
        assert_eq!(bits.len(), LIST_LENGTH);
        for i in 0..LIST_LENGTH {
            assert_eq!(bits.get(i), Some(set.contains(&i)), "index {i}");
        }
        assert_eq!(
            encode(&[LIST_LENGTH]),
            Err(StatusListError::Range {
                index: LIST_LENGTH,
                len: LIST_LENGTH
            })
        );
    }

    #[test]
    fn an_empty_list_compresses_to_a_few_dozen_bytes() {
        let encoded = encode(&[]).unwrap();
        assert!(encoded.len() < 100, "{} characters", encoded.len());
        assert!(decode(&encoded).unwrap().as_bytes().iter().all(|&b| b == 0));
    }

    /// The `encodedList` of the Recommendation's example 3 is an all-zero 131,072-entry list.
    #[test]
    fn decodes_the_spec_example() {
        let bits = decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
            .unwrap();
        assert_eq!(bits.len(), LIST_LENGTH);
        assert!(bits.as_bytes().iter().all(|&b| b == 0));
    }

    #[test]
    fn short_lists_are_refused() {
        let short = Bitstring::zeros(LIST_LENGTH - 8).encode().unwrap();
        assert_eq!(
            decode(&short),
            Err(StatusListError::Length {
                len: LIST_LENGTH - 8
            })
        );
        assert_eq!(decode(&short).unwrap_err().code(), "status-list-length");
        // Longer lists are fine.
        let long = Bitstring::zeros(2 * LIST_LENGTH).encode().unwrap();
        assert_eq!(decode(&long).unwrap().len(), 2 * LIST_LENGTH);
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(decode("zABC"), Err(StatusListError::Encoding));
        assert_eq!(decode("uH4sI+AAA"), Err(StatusListError::Encoding));
        assert_eq!(decode("uAAAA"), Err(StatusListError::Gzip));
        let bomb = Bitstring::zeros((MAX_LIST_BYTES + 1) * 8).encode().unwrap();
        assert_eq!(decode(&bomb), Err(StatusListError::TooLarge));
    }

    #[test]
    fn random_indices_stay_in_the_list() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let draws: Vec<u32> = (0..10_000).map(|_| random_index(&mut rng)).collect();
        assert!(draws.iter().all(|&i| (i as usize) < LIST_LENGTH));
        assert!(draws.iter().any(|&i| i > 100_000));
    }

    #[test]
    fn list_credential_shape() {
        let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 2, 3, 4, 5).unwrap();
        let v = list_credential(
            "https://skillcert.example.com/status/revocation",
            "revocation",
            "uAAA",
            "did:key:z6Mk",
            at,
        );
        assert_eq!(v["type"][1], "BitstringStatusListCredential");
        assert_eq!(v["validFrom"], "2026-01-02T03:04:05Z");
        assert_eq!(
            v["credentialSubject"]["id"],
            "https://skillcert.example.com/status/revocation#list"
        );
        assert_eq!(v["credentialSubject"]["type"], "BitstringStatusList");
        assert_eq!(v["credentialSubject"]["statusPurpose"], "revocation");
        assert_eq!(v["credentialSubject"]["encodedList"], "uAAA");
    }
}

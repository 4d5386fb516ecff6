//! The issuer's Ed25519 key and its `did:key` identifier.
//!
//! A `did:key` carries the public key itself (`did:key:z6Mk…` is multibase base58btc of the
//! multicodec prefix `0xed 0x01` followed by the 32-byte key), so a verifier needs no
//! network and no registry to find the key that signed a certificate, and an old key stays
//! resolvable forever after rotation.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use rand::rngs::OsRng;

/// Multicodec `ed25519-pub` (0xed) as an unsigned varint.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const DID_KEY: &str = "did:key:";

/// An issuer's signing key. `Debug` shows only the DID, never the secret.
pub struct IssuerKey {
    signing: SigningKey,
}

impl IssuerKey {
    /// A new key from 32 bytes of the operating system's CSPRNG.
    pub fn generate() -> IssuerKey {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        let key = IssuerKey::from_secret_bytes(&secret);
        wipe(&mut secret);
        key
    }

    /// The key whose 32-byte Ed25519 secret (RFC 8032 seed) is `secret`.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> IssuerKey {
        IssuerKey {
            signing: SigningKey::from_bytes(secret),
        }
    }

    /// The secret seed, for the key store only.
    pub(crate) fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// `z6Mk…`: the Multikey `publicKeyMultibase` of the public key.
    pub fn public_multibase(&self) -> String {
        public_multibase(&self.verifying_key())
    }

    /// `did:key:z6Mk…`.
    pub fn did(&self) -> String {
        did_of_key(&self.verifying_key())
    }

    /// `did:key:z6Mk…#z6Mk…`: the verification method named in proofs.
    pub fn verification_method(&self) -> String {
        let mb = self.public_multibase();
        format!("{DID_KEY}{mb}#{mb}")
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Signature {
        self.signing.sign(message)
    }
}

impl fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKey")
            .field("did", &self.did())
            .finish_non_exhaustive()
    }
}

/// Overwrites a secret buffer; `black_box` keeps the compiler from dropping the writes.
pub(crate) fn wipe(buf: &mut [u8]) {
    buf.fill(0);
    std::hint::black_box(buf);
}

/// `z6Mk…` for an Ed25519 public key.
pub fn public_multibase(key: &VerifyingKey) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&ED25519_PUB);
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// `did:key:z6Mk…` for an Ed25519 public key.
pub fn did_of_key(key: &VerifyingKey) -> String {
    format!("{DID_KEY}{}", public_multibase(key))
}

/// The DID of a DID URL: everything before the fragment.
pub fn did_part(did_url: &str) -> &str {
    did_url.split_once('#').map_or(did_url, |(did, _)| did)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DidKeyError {
    #[error("`{0}` is not a did:key identifier")]
    NotDidKey(String),
    #[error("the did:key value is not base58btc multibase (`z…`)")]
    NotBase58btc,
    #[error("the did:key value is not a 32-byte Ed25519 public key (multicodec 0xed)")]
    NotEd25519,
    #[error("the did:key value is not a valid Ed25519 public key")]
    InvalidKey,
    #[error("the did:key value is a weak (small-order) Ed25519 key")]
    WeakKey,
    #[error("the fragment `#{0}` does not name the did:key's own key")]
    FragmentMismatch(String),
}

/// The Ed25519 public key of a `did:key:z6Mk…` or of its verification method
/// `did:key:z6Mk…#z6Mk…`. Anything else — another DID method, another key type, a
/// fragment naming some other key, a small-order key — is refused.
pub fn resolve_did_key(did_or_url: &str) -> Result<VerifyingKey, DidKeyError> {
    let (did, fragment) = match did_or_url.split_once('#') {
        Some((did, fragment)) => (did, Some(fragment)),
        None => (did_or_url, None),
    };
    let mb = did
        .strip_prefix(DID_KEY)
        .ok_or_else(|| DidKeyError::NotDidKey(did_or_url.to_string()))?;
    let raw = mb
        .strip_prefix('z')
        .and_then(|b58| bs58::decode(b58).into_vec().ok())
        .ok_or(DidKeyError::NotBase58btc)?;
    let public: [u8; 32] = match raw.split_first_chunk::<2>() {
        Some((prefix, rest)) if *prefix == ED25519_PUB => {
            rest.try_into().map_err(|_| DidKeyError::NotEd25519)?
        }
        _ => return Err(DidKeyError::NotEd25519),
    };
    let key = VerifyingKey::from_bytes(&public).map_err(|_| DidKeyError::InvalidKey)?;
    // A small-order key would let one signature verify for several messages.
    if key.is_weak() {
        return Err(DidKeyError::WeakKey);
    }
    if let Some(fragment) = fragment
        && fragment != mb
    {
        return Err(DidKeyError::FragmentMismatch(fragment.to_string()));
    }
    Ok(key)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The key pair of the W3C Data Integrity EdDSA Cryptosuites v1.0 test vectors
    /// (Recommendation 2025-05-15, appendix B): `publicKeyMultibase` and
    /// `secretKeyMultibase`.
    pub(crate) const SPEC_PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    pub(crate) const SPEC_SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    /// The spec's secret key: multibase base58btc of multicodec `ed25519-priv` (0x1300,
    /// varint `0x80 0x26`) and the 32-byte seed.
    pub(crate) fn spec_key() -> IssuerKey {
        let raw = bs58::decode(&SPEC_SECRET[1..]).into_vec().unwrap();
        assert_eq!(&raw[..2], &[0x80, 0x26]);
        IssuerKey::from_secret_bytes(&raw[2..].try_into().unwrap())
    }

    #[test]
    fn the_spec_secret_key_derives_the_spec_public_key() {
        let key = spec_key();
        assert_eq!(key.public_multibase(), SPEC_PUBLIC);
        assert_eq!(key.did(), format!("did:key:{SPEC_PUBLIC}"));
        assert_eq!(
            key.verification_method(),
            format!("did:key:{SPEC_PUBLIC}#{SPEC_PUBLIC}")
        );
    }

    #[test]
    fn did_key_resolves_with_and_without_fragment() {
        let key = spec_key();
        let did = format!("did:key:{SPEC_PUBLIC}");
        assert_eq!(resolve_did_key(&did).unwrap(), key.verifying_key());
        let vm = format!("{did}#{SPEC_PUBLIC}");
        assert_eq!(resolve_did_key(&vm).unwrap(), key.verifying_key());
        assert_eq!(did_part(&vm), did);
        assert_eq!(did_part(&did), did);
    }

    #[test]
    fn generated_keys_round_trip_through_their_did() {
        let key = IssuerKey::generate();
        assert!(key.did().starts_with("did:key:z6Mk"));
        assert_eq!(
            resolve_did_key(&key.verification_method()).unwrap(),
            key.verifying_key()
        );
        let again = IssuerKey::from_secret_bytes(&key.secret_bytes());
        assert_eq!(again.did(), key.did());
        assert_ne!(IssuerKey::generate().did(), key.did());
        assert!(!format!("{key:?}").contains(&encoding_of_secret(&key)));
    }

    fn encoding_of_secret(key: &IssuerKey) -> String {
        crate::encoding::hex_encode(&key.secret_bytes())
    }

    #[test]
    fn anything_but_an_ed25519_did_key_is_refused() {
        let other = IssuerKey::generate().public_multibase();
        let cases = [
            ("did:web:example.com", "not-did-key"),
            ("https://example.com/keys/1", "not-did-key"),
            (
                "did:key:u7QFkmGj4ZyvY5pdYrJYUr9lVRgYqZb_kNfn5h7sEVfs",
                "not-base58",
            ),
            ("did:key:z0OIl", "not-base58"),
            // A P-256 did:key (multicodec 0x1200).
            (
                "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
                "not-ed25519",
            ),
            ("did:key:z6Mk", "not-ed25519"),
        ];
        for (input, why) in cases {
            assert!(resolve_did_key(input).is_err(), "{input} ({why})");
        }
        let mismatch = format!("did:key:{SPEC_PUBLIC}#{other}");
        assert_eq!(
            resolve_did_key(&mismatch),
            Err(DidKeyError::FragmentMismatch(other))
        );
        assert_eq!(
            resolve_did_key(&format!("did:key:{SPEC_PUBLIC}#key-1")),
            Err(DidKeyError::FragmentMismatch("key-1".into()))
        );
    }

    #[test]
    fn small_order_keys_are_refused() {
        // The identity point (y = 1) has order 1.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut raw = ED25519_PUB.to_vec();
        raw.extend_from_slice(&identity);
        let did = format!("did:key:z{}", bs58::encode(raw).into_string());
        assert_eq!(resolve_did_key(&did), Err(DidKeyError::WeakKey));
    }
}

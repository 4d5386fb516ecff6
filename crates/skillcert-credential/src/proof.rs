//! Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (W3C Data Integrity EdDSA
//! Cryptosuites v1.0, Recommendation 2025-05-15, §3.3).
//!
//! JCS (RFC 8785) rather than RDF canonicalization: it needs no JSON-LD processing and no
//! context documents, so verification is deterministic and offline. The signed bytes are
//! `SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document without proof))`; the signature is
//! Ed25519 over those 64 bytes, stored as `proofValue` = `z` + base58btc.

use chrono::{DateTime, Utc};
use ed25519_dalek::Signature;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::keys::{DidKeyError, IssuerKey, did_part, resolve_did_key};

pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
pub const PROOF_PURPOSE: &str = "assertionMethod";

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("only a JSON object can be signed")]
    NotAnObject,
    #[error("the document already carries a proof")]
    AlreadySigned,
    #[error("the document cannot be canonicalized: {0}")]
    Canonicalize(#[from] serde_json::Error),
}

/// Who signed, as stated by a proof that verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofInfo {
    /// `did:key:z6Mk…#z6Mk…`
    pub verification_method: String,
    /// `did:key:z6Mk…`
    pub did: String,
    /// When the proof says it was made (optional in Data Integrity).
    pub created: Option<DateTime<Utc>>,
}

/// Why a proof did not verify. [`VerifyError::code`] is stable for APIs and scripts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a credential: {0}")]
    CredentialMalformed(String),
    #[error("the credential carries no proof")]
    ProofMissing,
    #[error("the proof is malformed: {0}")]
    ProofMalformed(String),
    #[error("unsupported proof: {0}")]
    ProofUnsupported(String),
    #[error("the proof's @context is not the beginning of the credential's @context")]
    ContextMismatch,
    #[error("verification method `{method}`: {reason}")]
    VerificationMethod { method: String, reason: DidKeyError },
    #[error(
        "the signature does not match: the credential was changed after signing, or signed by another key"
    )]
    SignatureInvalid,
    #[error("signed by {signer}, but the credential names {issuer} as its issuer")]
    IssuerMismatch { signer: String, issuer: String },
}

impl VerifyError {
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::CredentialMalformed(_) => "credential-malformed",
            VerifyError::ProofMissing => "proof-missing",
            VerifyError::ProofMalformed(_) => "proof-malformed",
            VerifyError::ProofUnsupported(_) => "proof-unsupported",
            VerifyError::ContextMismatch => "proof-context-mismatch",
            VerifyError::VerificationMethod { .. } => "verification-method-invalid",
            VerifyError::SignatureInvalid => "signature-invalid",
            VerifyError::IssuerMismatch { .. } => "issuer-mismatch",
        }
    }
}

/// `created` and other proof timestamps: XSD dateTimeStamp in UTC, whole seconds.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Parses an XSD dateTimeStamp (an RFC 3339 time with its offset).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Adds an `eddsa-jcs-2022` proof made with `key` at `created` (Create Proof, §3.3.1).
/// The proof repeats the document's `@context`, as the spec strongly advises.
pub fn sign(document: Value, key: &IssuerKey, created: DateTime<Utc>) -> Result<Value, SignError> {
    let Value::Object(mut document) = document else {
        return Err(SignError::NotAnObject);
    };
    if document.contains_key("proof") {
        return Err(SignError::AlreadySigned);
    }
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    proof.insert("cryptosuite".into(), CRYPTOSUITE.into());
    proof.insert("created".into(), timestamp(created).into());
    proof.insert(
        "verificationMethod".into(),
        key.verification_method().into(),
    );
    proof.insert("proofPurpose".into(), PROOF_PURPOSE.into());
    if let Some(context) = document.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let hash = hash_data(&proof, &document)?;
    let signature = key.sign(&hash);
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature.to_bytes()).into_string()).into(),
    );
    document.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(document))
}

/// `SHA-256(JCS(proofConfig)) ‖ SHA-256(JCS(document))` (Hashing, §3.3.4).
fn hash_data(
    proof_config: &Map<String, Value>,
    document: &Map<String, Value>,
) -> Result<[u8; 64], serde_json::Error> {
    let config = serde_json_canonicalizer::to_vec(proof_config)?;
    let transformed = serde_json_canonicalizer::to_vec(document)?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(&config));
    out[32..].copy_from_slice(&Sha256::digest(&transformed));
    Ok(out)
}

/// The cryptosuite's Verify Proof algorithm (§3.3.2) alone: the proof is an
/// `eddsa-jcs-2022` `assertionMethod` proof by a `did:key` and its signature matches.
/// It does not say that the signer is the issuer; [`verify_proof`] does.
pub fn verify_signature(secured: &Value) -> Result<ProofInfo, VerifyError> {
    let Value::Object(secured) = secured else {
        return Err(VerifyError::CredentialMalformed(
            "the document is not a JSON object".into(),
        ));
    };
    let mut unsecured = secured.clone();
    let proof = match unsecured.remove("proof") {
        None | Some(Value::Null) => return Err(VerifyError::ProofMissing),
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(_)) => {
            return Err(VerifyError::ProofUnsupported(
                "proof sets and chains (an array of proofs)".into(),
            ));
        }
        Some(_) => {
            return Err(VerifyError::ProofMalformed(
                "`proof` is not an object".into(),
            ));
        }
    };
    let mut options = proof;
    let proof_value = match options.remove("proofValue") {
        Some(Value::String(v)) => v,
        Some(_) => {
            return Err(VerifyError::ProofMalformed(
                "`proofValue` is not a string".into(),
            ));
        }
        None => {
            return Err(VerifyError::ProofMalformed(
                "`proofValue` is missing".into(),
            ));
        }
    };
    let text = |field: &str| options.get(field).and_then(Value::as_str);
    if text("type") != Some(PROOF_TYPE) || text("cryptosuite") != Some(CRYPTOSUITE) {
        return Err(VerifyError::ProofUnsupported(format!(
            "type {} / cryptosuite {}; only {PROOF_TYPE} / {CRYPTOSUITE} is supported",
            text("type").unwrap_or("(none)"),
            text("cryptosuite").unwrap_or("(none)")
        )));
    }
    if text("proofPurpose") != Some(PROOF_PURPOSE) {
        return Err(VerifyError::ProofUnsupported(format!(
            "proof purpose {}; a credential needs {PROOF_PURPOSE}",
            text("proofPurpose").unwrap_or("(none)")
        )));
    }
    let created = match options.get("created") {
        None => None,
        Some(Value::String(c)) => Some(parse_timestamp(c).ok_or_else(|| {
            VerifyError::ProofMalformed(format!("`created` is not a date-time: {c}"))
        })?),
        Some(_) => {
            return Err(VerifyError::ProofMalformed(
                "`created` is not a string".into(),
            ));
        }
    };
    let method = text("verificationMethod")
        .ok_or_else(|| VerifyError::ProofMalformed("`verificationMethod` is missing".into()))?
        .to_string();
    let signature: [u8; 64] = proof_value
        .strip_prefix('z')
        .and_then(|b58| bs58::decode(b58).into_vec().ok())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| {
            VerifyError::ProofMalformed(
                "`proofValue` is not a base58btc multibase 64-byte signature".into(),
            )
        })?;
    // The proof's @context must be a prefix of the document's; the document is then
    // hashed with the proof's @context (§3.3.2 step 4).
    if let Some(proof_context) = options.get("@context") {
        let ours = context_list(secured.get("@context"));
        let theirs = context_list(Some(proof_context));
        if theirs.len() > ours.len() || ours[..theirs.len()] != theirs[..] {
            return Err(VerifyError::ContextMismatch);
        }
        unsecured.insert("@context".into(), proof_context.clone());
    }
    let key = resolve_did_key(&method).map_err(|reason| VerifyError::VerificationMethod {
        method: method.clone(),
        reason,
    })?;
    let hash = hash_data(&options, &unsecured)
        .map_err(|e| VerifyError::CredentialMalformed(format!("cannot canonicalize: {e}")))?;
    key.verify_strict(&hash, &Signature::from_bytes(&signature))
        .map_err(|_| VerifyError::SignatureInvalid)?;
    Ok(ProofInfo {
        did: did_part(&method).to_string(),
        verification_method: method,
        created,
    })
}

/// An `@context` as a list: a single value counts as a list of one.
fn context_list(context: Option<&Value>) -> Vec<&Value> {
    match context {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

/// The issuer's id: `issuer` is either a URL string or an object with an `id`.
pub fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(id) => Some(id),
        Value::Object(profile) => profile.get("id")?.as_str(),
        _ => None,
    }
}

/// Checks that the proof was made by the credential's issuer: a valid signature by any
/// other key proves nothing about the issuer.
pub(crate) fn check_issuer(credential: &Value, signer: &ProofInfo) -> Result<(), VerifyError> {
    let issuer = issuer_id(credential).ok_or_else(|| {
        VerifyError::CredentialMalformed("`issuer` (or `issuer.id`) is missing".into())
    })?;
    if issuer != signer.did {
        return Err(VerifyError::IssuerMismatch {
            signer: signer.did.clone(),
            issuer: issuer.to_string(),
        });
    }
    Ok(())
}

/// Verifies a credential's proof and that its signer is the issuer named in it.
pub fn verify_proof(credential: &Value) -> Result<ProofInfo, VerifyError> {
    let info = verify_signature(credential)?;
    check_issuer(credential, &info)?;
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::hex_encode;
    use crate::keys::tests::spec_key;
    use chrono::TimeZone;
    use serde_json::json;

    const UNSIGNED: &str = include_str!("../tests/fixtures/eddsa-jcs-2022/unsigned.json");
    const SIGNED: &str = include_str!("../tests/fixtures/eddsa-jcs-2022/signed.json");
    const VECTORS: &str = include_str!("../tests/fixtures/eddsa-jcs-2022/intermediate.json");

    fn spec_created() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2023, 2, 24, 23, 36, 38).unwrap()
    }

    /// The W3C Recommendation's eddsa-jcs-2022 test vector (appendix B.3), reproduced byte
    /// for byte: canonical forms, both hashes, the signature and the signed credential.
    #[test]
    fn reproduces_the_w3c_test_vector() {
        let unsigned: Value = serde_json::from_str(UNSIGNED).unwrap();
        let expected: Value = serde_json::from_str(SIGNED).unwrap();
        let vectors: Value = serde_json::from_str(VECTORS).unwrap();
        let v = |k: &str| vectors[k].as_str().unwrap().to_string();

        let signed = sign(unsigned.clone(), &spec_key(), spec_created()).unwrap();
        assert_eq!(signed, expected);
        assert_eq!(signed["proof"]["proofValue"], v("proofValue"));

        let doc = serde_json_canonicalizer::to_string(&unsigned).unwrap();
        assert_eq!(doc, v("canonicalDocument"));
        let mut options = signed["proof"].as_object().unwrap().clone();
        options.remove("proofValue");
        let config = serde_json_canonicalizer::to_string(&options).unwrap();
        assert_eq!(config, v("canonicalProofConfig"));
        let hash = hash_data(&options, unsigned.as_object().unwrap()).unwrap();
        assert_eq!(hex_encode(&hash[32..]), v("documentHash"));
        assert_eq!(hex_encode(&hash[..32]), v("proofConfigHash"));
        let sig = spec_key().sign(&hash);
        assert_eq!(hex_encode(&sig.to_bytes()), v("signatureHex"));

        // The spec's credential verifies as it stands.
        let info = verify_signature(&expected).unwrap();
        assert_eq!(info.did, spec_key().did());
        assert_eq!(info.created, Some(spec_created()));
        // Its issuer is an https URL, not the signing did:key, so it is not the issuer's.
        assert_eq!(
            verify_proof(&expected).unwrap_err().code(),
            "issuer-mismatch"
        );
    }

    fn credential(key: &IssuerKey) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "https://skillcert.example.com/credentials/CS2026001",
            "type": ["VerifiableCredential"],
            "issuer": {"id": key.did(), "type": ["Profile"], "name": "Example"},
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"licenseNumber": "CS2026001", "score": 86.4, "tags": ["a", "b"]}
        })
    }

    #[test]
    fn round_trip() {
        let key = IssuerKey::generate();
        let signed = sign(credential(&key), &key, spec_created()).unwrap();
        let info = verify_proof(&signed).unwrap();
        assert_eq!(info.did, key.did());
        assert_eq!(info.verification_method, key.verification_method());
        assert_eq!(signed["proof"]["created"], "2023-02-24T23:36:38Z");
        // Key order and whitespace do not matter (JCS): reparse from pretty text.
        let text = serde_json::to_string_pretty(&signed).unwrap();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert!(verify_proof(&reparsed).is_ok());
        // A plain issuer string works as well as a profile object.
        let mut plain = credential(&key);
        plain["issuer"] = json!(key.did());
        assert!(verify_proof(&sign(plain, &key, spec_created()).unwrap()).is_ok());
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let key = IssuerKey::generate();
        let signed = sign(credential(&key), &key, spec_created()).unwrap();
        let changes: Vec<(&str, Value)> = vec![
            ("@context", json!(["https://www.w3.org/ns/credentials/v1"])),
            (
                "id",
                json!("https://skillcert.example.com/credentials/CS2026002"),
            ),
            ("type", json!(["VerifiableCredential", "Other"])),
            ("validFrom", json!("2025-01-01T00:00:00Z")),
            ("validUntil", json!("2099-01-01T00:00:00Z")),
            (
                "credentialSubject",
                json!({"licenseNumber": "CS2026001", "score": 99, "tags": ["a", "b"]}),
            ),
            (
                "credentialSubject",
                json!({"licenseNumber": "CS2026001", "score": 86.4, "tags": ["b", "a"]}),
            ),
        ];
        for (field, value) in changes {
            let mut tampered = signed.clone();
            tampered[field] = value;
            let err = verify_proof(&tampered).unwrap_err();
            let expected = if field == "@context" {
                "proof-context-mismatch"
            } else {
                "signature-invalid"
            };
            assert_eq!(err.code(), expected, "{field}: {err}");
        }
        let mut renamed = signed.clone();
        renamed["issuer"]["name"] = json!("Someone else");
        assert_eq!(
            verify_proof(&renamed).unwrap_err().code(),
            "signature-invalid"
        );
        let mut removed = signed.clone();
        removed.as_object_mut().unwrap().remove("validFrom");
        assert_eq!(
            verify_proof(&removed).unwrap_err().code(),
            "signature-invalid"
        );
        for field in ["created", "proofPurpose"] {
            let mut tampered = signed.clone();
            tampered["proof"][field] = json!("2023-02-24T23:36:39Z");
            let err = verify_proof(&tampered).unwrap_err();
            assert!(
                matches!(err.code(), "signature-invalid" | "proof-unsupported"),
                "{field}: {err}"
            );
        }
        // An extra proof option is covered by the signature too.
        let mut extra = signed.clone();
        extra["proof"]["expires"] = json!("2099-01-01T00:00:00Z");
        assert_eq!(
            verify_proof(&extra).unwrap_err().code(),
            "signature-invalid"
        );
    }

    #[test]
    fn the_signer_must_be_the_issuer() {
        let issuer = IssuerKey::generate();
        let other = IssuerKey::generate();
        // Signed by another key: the signature is fine but says nothing about the issuer.
        let forged = sign(credential(&issuer), &other, spec_created()).unwrap();
        assert!(verify_signature(&forged).is_ok());
        let err = verify_proof(&forged).unwrap_err();
        assert_eq!(err.code(), "issuer-mismatch");
        // Signed by the issuer, then relabelled with another key: the signature breaks.
        let mut swapped = sign(credential(&issuer), &issuer, spec_created()).unwrap();
        swapped["proof"]["verificationMethod"] = json!(other.verification_method());
        assert_eq!(
            verify_proof(&swapped).unwrap_err().code(),
            "signature-invalid"
        );
        // Both issuer and key swapped: still the other key's signature over other bytes.
        swapped["issuer"]["id"] = json!(other.did());
        assert_eq!(
            verify_proof(&swapped).unwrap_err().code(),
            "signature-invalid"
        );
    }

    #[test]
    fn malformed_and_unsupported_proofs_are_named() {
        let key = IssuerKey::generate();
        let signed = sign(credential(&key), &key, spec_created()).unwrap();
        let code = |v: &Value| verify_proof(v).unwrap_err().code();

        assert_eq!(code(&json!([1, 2])), "credential-malformed");
        assert_eq!(code(&credential(&key)), "proof-missing");
        let mut set = signed.clone();
        set["proof"] = json!([signed["proof"].clone()]);
        assert_eq!(code(&set), "proof-unsupported");
        let mut rdfc = signed.clone();
        rdfc["proof"]["cryptosuite"] = json!("eddsa-rdfc-2022");
        assert_eq!(code(&rdfc), "proof-unsupported");
        let mut auth = signed.clone();
        auth["proof"]["proofPurpose"] = json!("authentication");
        assert_eq!(code(&auth), "proof-unsupported");
        let mut bad_value = signed.clone();
        bad_value["proof"]["proofValue"] = json!("uAAAA");
        assert_eq!(code(&bad_value), "proof-malformed");
        let mut short = signed.clone();
        short["proof"]["proofValue"] = json!("z2222");
        assert_eq!(code(&short), "proof-malformed");
        let mut no_value = signed.clone();
        no_value["proof"]
            .as_object_mut()
            .unwrap()
            .remove("proofValue");
        assert_eq!(code(&no_value), "proof-malformed");
        let mut bad_created = signed.clone();
        bad_created["proof"]["created"] = json!("yesterday");
        assert_eq!(code(&bad_created), "proof-malformed");
        let mut web = signed.clone();
        web["proof"]["verificationMethod"] = json!("did:web:example.com#key-1");
        assert_eq!(code(&web), "verification-method-invalid");
        let mut no_issuer = sign(
            {
                let mut c = credential(&key);
                c.as_object_mut().unwrap().remove("issuer");
                c
            },
            &key,
            spec_created(),
        )
        .unwrap();
        assert_eq!(code(&no_issuer), "credential-malformed");
        no_issuer["issuer"] = json!(42);
        assert_eq!(code(&no_issuer), "signature-invalid");
    }

    #[test]
    fn the_proof_context_must_begin_the_document_context() {
        let key = IssuerKey::generate();
        let signed = sign(credential(&key), &key, spec_created()).unwrap();
        let mut other = signed.clone();
        other["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        assert_eq!(
            verify_proof(&other).unwrap_err().code(),
            "proof-context-mismatch"
        );
        let mut missing = signed.clone();
        missing.as_object_mut().unwrap().remove("@context");
        assert_eq!(
            verify_proof(&missing).unwrap_err().code(),
            "proof-context-mismatch"
        );
        // Per §3.3.2 the document is hashed with the proof's @context, so a context
        // appended after signing is not covered by the signature.
        let mut appended = signed.clone();
        appended["@context"]
            .as_array_mut()
            .unwrap()
            .push(json!("https://x.example/ctx"));
        assert!(verify_proof(&appended).is_ok());
    }

    #[test]
    fn signing_refuses_non_objects_and_signed_documents() {
        let key = IssuerKey::generate();
        assert!(matches!(
            sign(json!("text"), &key, spec_created()),
            Err(SignError::NotAnObject)
        ));
        let signed = sign(credential(&key), &key, spec_created()).unwrap();
        assert!(matches!(
            sign(signed, &key, spec_created()),
            Err(SignError::AlreadySigned)
        ));
    }

    #[test]
    fn jcs_sorts_keys_by_utf16_and_normalizes_numbers() {
        let v = json!({"b": 1, "a": {"z": 1.0, "y": 1e21, "€": 0, "\u{1F600}": 1}, "c": [3, "x"]});
        assert_eq!(
            serde_json_canonicalizer::to_string(&v).unwrap(),
            "{\"a\":{\"y\":1e+21,\"z\":1,\"€\":0,\"\u{1F600}\":1},\"b\":1,\"c\":[3,\"x\"]}"
        );
    }
}

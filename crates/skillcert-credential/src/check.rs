//! Verifying a certificate as a whole: its form, its proof and issuer, its validity period
//! and its status entries, in the order Open Badges 3.0 verification gives.
//!
//! No I/O here: the caller fetches the status lists (see [`status_list_urls`]) and passes
//! what it got in [`StatusLists`], so the same code serves the CLI, the web server and
//! tests, and a verifier that cannot reach the lists gets "status unknown" rather than a
//! failed or a falsely clean result.
//!
//! A status list is trusted only when it is signed by the certificate's own issuer. With
//! `did:key` the issuer *is* the signing key, so after a key rotation the lists for
//! certificates signed by an older key must still be signed by that key
//! ([`crate::keystore::KeyStore::get`]); a list signed by a newer key reads as "status
//! unknown" for them, because nothing in a `did:key` links two keys to one organisation.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::keys::did_part;
use crate::proof::{
    self, ProofInfo, VerifyError, check_issuer, issuer_id, parse_timestamp, verify_signature,
};
use crate::status_list::{self, StatusListError};

/// The verdict on a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Valid,
    Expired,
    NotYetValid,
    Revoked,
    Suspended,
    /// Malformed, tampered with, or not signed by its issuer.
    Invalid,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Valid => "valid",
            State::Expired => "expired",
            State::NotYetValid => "not_yet_valid",
            State::Revoked => "revoked",
            State::Suspended => "suspended",
            State::Invalid => "invalid",
        }
    }

    /// When several apply, the gravest is reported.
    fn rank(self) -> u8 {
        match self {
            State::Valid => 0,
            State::NotYetValid => 1,
            State::Expired => 2,
            State::Suspended => 3,
            State::Revoked => 4,
            State::Invalid => 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    /// Could not be decided (e.g. a status list that could not be fetched).
    Unknown,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `format`, `signature`, `issuer`, `validity`, or a status purpose.
    pub name: String,
    pub outcome: Outcome,
    /// A stable code when the outcome is not a pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub detail: String,
}

/// What the credential states, read leniently for display (absent fields are `None`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub id: Option<String>,
    pub name: Option<String>,
    pub license_number: Option<String>,
    pub achievement: Option<String>,
    pub issuer_id: Option<String>,
    pub issuer_name: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub awarded_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub state: State,
    pub summary: Summary,
    /// The verified signer, when the proof verified.
    pub signer: Option<ProofInfo>,
    pub checks: Vec<Check>,
    /// The details of the checks that failed.
    pub reasons: Vec<String>,
    /// False when some status entry could not be checked.
    pub status_complete: bool,
}

/// A `BitstringStatusListEntry` of a credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusEntry {
    pub id: Option<String>,
    pub purpose: String,
    pub index: usize,
    pub list_url: String,
}

/// A status list as the caller obtained it.
#[derive(Debug, Clone, PartialEq)]
pub enum ListSource {
    Fetched(Value),
    /// The fetch failed; the text says why (shown to the user).
    Unavailable(String),
}

/// The status lists the caller fetched, by URL. A URL with no entry was not fetched
/// (offline verification).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusLists {
    lists: HashMap<String, ListSource>,
}

impl StatusLists {
    pub fn new() -> StatusLists {
        StatusLists::default()
    }

    pub fn insert(&mut self, url: impl Into<String>, source: ListSource) {
        self.lists.insert(url.into(), source);
    }

    pub fn get(&self, url: &str) -> Option<&ListSource> {
        self.lists.get(url)
    }
}

/// Why a status list could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("the status list's proof failed: {0}")]
    Proof(VerifyError),
    #[error("the status list is signed by {list}, not by the certificate's issuer {credential}")]
    IssuerMismatch { list: String, credential: String },
    #[error("the document is not a BitstringStatusListCredential: {0}")]
    NotAList(String),
    #[error("the status list is {found}, not the list {expected} the certificate names")]
    WrongList { found: String, expected: String },
    #[error("the status list is for {found}, not for {expected}")]
    PurposeMismatch { found: String, expected: String },
    #[error("the status list is not valid now: {0}")]
    NotCurrent(String),
    #[error("unsupported status entry: {0}")]
    Unsupported(String),
    #[error(transparent)]
    List(#[from] StatusListError),
}

impl StatusError {
    pub fn code(&self) -> &'static str {
        match self {
            StatusError::Proof(_)
            | StatusError::IssuerMismatch { .. }
            | StatusError::NotAList(_)
            | StatusError::WrongList { .. }
            | StatusError::PurposeMismatch { .. }
            | StatusError::NotCurrent(_) => "status-verification",
            StatusError::Unsupported(_) => "status-unsupported",
            StatusError::List(e) => e.code(),
        }
    }
}

/// The credential's status entries. `Err` when `credentialStatus` is malformed; entries of
/// other types than `BitstringStatusListEntry` are returned as errors in the list.
pub fn status_entries(credential: &Value) -> Result<Vec<Result<StatusEntry, String>>, String> {
    let items: Vec<&Value> = match credential.get("credentialStatus") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => return Err("`credentialStatus` is neither an object nor an array".into()),
    };
    items.into_iter().map(parse_entry).collect()
}

fn parse_entry(item: &Value) -> Result<Result<StatusEntry, String>, String> {
    let text = |field: &str| item.get(field).and_then(Value::as_str);
    let Some(kind) = text("type") else {
        return Err("a `credentialStatus` entry has no `type`".into());
    };
    if kind != "BitstringStatusListEntry" {
        return Ok(Err(format!("status entry of type {kind}")));
    }
    let purpose = text("statusPurpose")
        .ok_or("a status entry has no `statusPurpose`")?
        .to_string();
    let list_url = text("statusListCredential")
        .ok_or("a status entry has no `statusListCredential`")?
        .to_string();
    let index_text = text("statusListIndex").ok_or("a status entry has no `statusListIndex`")?;
    if index_text.is_empty() || !index_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`statusListIndex` {index_text:?} is not a decimal integer"
        ));
    }
    let index: usize = index_text
        .parse()
        .map_err(|_| format!("`statusListIndex` {index_text} is too large"))?;
    if let Some(size) = item.get("statusSize")
        && size.as_u64() != Some(1)
    {
        return Ok(Err(format!("status entries of {size} bits")));
    }
    Ok(Ok(StatusEntry {
        id: text("id").map(str::to_string),
        purpose,
        index,
        list_url,
    }))
}

/// The distinct status list URLs to fetch before [`check_with_status`].
pub fn status_list_urls(credential: &Value) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for entry in status_entries(credential)
        .unwrap_or_default()
        .into_iter()
        .flatten()
    {
        if !urls.contains(&entry.list_url) {
            urls.push(entry.list_url);
        }
    }
    urls
}

/// Reads the status bit of `entry` from a fetched `BitstringStatusListCredential`, after
/// checking that the list is authentic (its proof verifies), is the issuer's (signed by
/// `issuer`, the certificate's issuer), is the list the entry names, has the entry's
/// purpose and is valid at `now`. `Ok(true)` means the bit is set: revoked or suspended.
pub fn check_status(
    entry: &StatusEntry,
    list: &Value,
    issuer: &str,
    now: DateTime<Utc>,
) -> Result<bool, StatusError> {
    let is_list = list
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t == "BitstringStatusListCredential"));
    if !is_list {
        return Err(StatusError::NotAList(
            "its type does not include BitstringStatusListCredential".into(),
        ));
    }
    let signer = proof::verify_proof(list).map_err(StatusError::Proof)?;
    if signer.did != did_part(issuer) {
        return Err(StatusError::IssuerMismatch {
            list: signer.did,
            credential: issuer.to_string(),
        });
    }
    // A list served for another URL (e.g. another list of the same issuer) is refused.
    if let Some(id) = list.get("id").and_then(Value::as_str)
        && id != entry.list_url
    {
        return Err(StatusError::WrongList {
            found: id.to_string(),
            expected: entry.list_url.clone(),
        });
    }
    let subject = list
        .get("credentialSubject")
        .ok_or_else(|| StatusError::NotAList("no credentialSubject".into()))?;
    if subject.get("type").and_then(Value::as_str) != Some("BitstringStatusList") {
        return Err(StatusError::NotAList(
            "its credentialSubject is not a BitstringStatusList".into(),
        ));
    }
    let purposes: Vec<&str> = match subject.get("statusPurpose") {
        Some(Value::String(p)) => vec![p.as_str()],
        Some(Value::Array(ps)) => ps.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !purposes.contains(&entry.purpose.as_str()) {
        return Err(StatusError::PurposeMismatch {
            found: purposes.join(", "),
            expected: entry.purpose.clone(),
        });
    }
    match validity(list, now) {
        Ok(None) => {}
        Ok(Some((_, detail))) => return Err(StatusError::NotCurrent(detail)),
        Err(detail) => return Err(StatusError::NotAList(detail)),
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| StatusError::NotAList("no encodedList".into()))?;
    let bits = status_list::decode(encoded)?;
    bits.get(entry.index)
        .ok_or(StatusError::List(StatusListError::Range {
            index: entry.index,
            len: bits.len(),
        }))
}

/// Proof, issuer and validity period; status entries are reported as not checked.
pub fn check(credential: &Value, now: DateTime<Utc>) -> Report {
    check_with_status(credential, now, &StatusLists::new())
}

/// Everything, with the status lists the caller fetched.
pub fn check_with_status(credential: &Value, now: DateTime<Utc>, lists: &StatusLists) -> Report {
    let mut r = Builder::default();
    let summary = summarize(credential);

    // Form.
    let entries = match form(credential) {
        Ok(entries) => {
            let kinds = credential
                .get("type")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            r.pass(
                "format",
                format!("a W3C Verifiable Credential 2.0 ({kinds})"),
            );
            Some(entries)
        }
        Err(detail) => {
            r.fail("format", State::Invalid, "credential-malformed", detail);
            None
        }
    };

    // Proof, then issuer: a changed issuer shows up as a broken signature first.
    let signer = match verify_signature(credential) {
        Ok(info) => {
            let created = info
                .created
                .map(|c| format!(", made {}", proof::timestamp(c)))
                .unwrap_or_default();
            r.pass(
                "signature",
                format!("eddsa-jcs-2022 by {}{created}", info.verification_method),
            );
            match check_issuer(credential, &info) {
                Ok(()) => {
                    r.pass("issuer", format!("signed by the issuer {}", info.did));
                    Some(info)
                }
                Err(e) => {
                    r.fail("issuer", State::Invalid, e.code(), e.to_string());
                    None
                }
            }
        }
        Err(e) => {
            r.fail("signature", State::Invalid, e.code(), e.to_string());
            None
        }
    };

    // Validity period.
    match validity(credential, now) {
        Ok(None) => {
            let until = summary
                .valid_until
                .as_deref()
                .map(|u| format!("valid until {u}"))
                .unwrap_or_else(|| "no end of validity".into());
            r.pass("validity", until);
        }
        Ok(Some((state, detail))) => {
            let code = if state == State::Expired {
                "expired"
            } else {
                "not-yet-valid"
            };
            r.fail("validity", state, code, detail);
        }
        Err(detail) => r.fail("validity", State::Invalid, "credential-malformed", detail),
    }

    // Status, only for an authentic credential: otherwise its issuer is unknown.
    match (entries, &signer) {
        (Some(entries), Some(signer)) => {
            if entries.is_empty() {
                r.pass(
                    "status",
                    "the certificate has no status entries".to_string(),
                );
            }
            for entry in entries {
                match entry {
                    Ok(entry) => status_line(&mut r, &entry, &signer.did, lists, now),
                    Err(what) => r.unknown(
                        "status",
                        "status-unsupported",
                        format!("{what} cannot be checked"),
                    ),
                }
            }
        }
        _ => {
            if credential.get("credentialStatus").is_some() {
                r.unknown(
                    "status",
                    "status-not-checked",
                    "not checked: the credential itself did not verify".into(),
                );
            }
        }
    }

    let reasons = r
        .checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.detail.clone())
        .collect();
    Report {
        state: r.state.unwrap_or(State::Valid),
        summary,
        signer,
        status_complete: !r.checks.iter().any(|c| c.outcome == Outcome::Unknown),
        checks: r.checks,
        reasons,
    }
}

fn status_line(
    r: &mut Builder,
    entry: &StatusEntry,
    issuer: &str,
    lists: &StatusLists,
    now: DateTime<Utc>,
) {
    let name = entry.purpose.clone();
    let (set_state, set_word, clear_word) = match entry.purpose.as_str() {
        "revocation" => (State::Revoked, "REVOKED", "not revoked"),
        "suspension" => (State::Suspended, "SUSPENDED", "not suspended"),
        other => {
            r.unknown(
                &name,
                "status-unsupported",
                format!("status purpose {other} is not checked"),
            );
            return;
        }
    };
    let place = format!("index {} of {}", entry.index, entry.list_url);
    match lists.get(&entry.list_url) {
        None => r.unknown(
            &name,
            "status-unknown",
            format!("status unknown (offline): {place}"),
        ),
        Some(ListSource::Unavailable(why)) => {
            r.unknown(&name, "status-unknown", format!("status unknown: {why}"))
        }
        Some(ListSource::Fetched(list)) => match check_status(entry, list, issuer, now) {
            Ok(false) => r.pass(&name, format!("{clear_word} ({place})")),
            Ok(true) => r.fail(
                &name,
                set_state,
                set_state.as_str(),
                format!("{set_word} ({place})"),
            ),
            Err(e) => r.unknown(&name, e.code(), format!("status unknown: {e}")),
        },
    }
}

#[derive(Default)]
struct Builder {
    /// The gravest state a failed check implied so far.
    state: Option<State>,
    checks: Vec<Check>,
}

impl Builder {
    fn pass(&mut self, name: &str, detail: String) {
        self.push(name, Outcome::Pass, None, detail);
    }

    fn fail(&mut self, name: &str, state: State, code: &str, detail: String) {
        if self.state.is_none_or(|s| state.rank() > s.rank()) {
            self.state = Some(state);
        }
        self.push(name, Outcome::Fail, Some(code), detail);
    }

    fn unknown(&mut self, name: &str, code: &str, detail: String) {
        self.push(name, Outcome::Unknown, Some(code), detail);
    }

    fn push(&mut self, name: &str, outcome: Outcome, code: Option<&str>, detail: String) {
        self.checks.push(Check {
            name: name.to_string(),
            outcome,
            code: code.map(str::to_string),
            detail,
        });
    }
}

/// The VC 2.0 shape this verifier relies on; returns the status entries.
fn form(credential: &Value) -> Result<Vec<Result<StatusEntry, String>>, String> {
    let Value::Object(map) = credential else {
        return Err("the document is not a JSON object".into());
    };
    let first_context = match map.get("@context") {
        Some(Value::Array(items)) => items.first().and_then(Value::as_str),
        _ => None,
    };
    if first_context != Some(crate::VC_V2_CONTEXT) {
        return Err(format!(
            "`@context` does not begin with {}",
            crate::VC_V2_CONTEXT
        ));
    }
    let is_vc = map
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t == "VerifiableCredential"));
    if !is_vc {
        return Err("`type` does not include VerifiableCredential".into());
    }
    if issuer_id(credential).is_none() {
        return Err("`issuer` has no id".into());
    }
    if !map.contains_key("credentialSubject") {
        return Err("`credentialSubject` is missing".into());
    }
    status_entries(credential)
}

/// `Ok(None)` when valid at `now`; `Ok(Some(state, why))` when not yet or no longer valid;
/// `Err` when a date is malformed.
fn validity(doc: &Value, now: DateTime<Utc>) -> Result<Option<(State, String)>, String> {
    let date = |field: &str| -> Result<Option<DateTime<Utc>>, String> {
        match doc.get(field) {
            None => Ok(None),
            Some(Value::String(text)) => parse_timestamp(text)
                .map(Some)
                .ok_or_else(|| format!("`{field}` is not a date-time: {text}")),
            Some(_) => Err(format!("`{field}` is not a string")),
        }
    };
    let from = date("validFrom")?;
    let until = date("validUntil")?;
    if let (Some(f), Some(u)) = (from, until)
        && f > u
    {
        return Err("`validFrom` is after `validUntil`".into());
    }
    if let Some(f) = from
        && now < f
    {
        return Ok(Some((
            State::NotYetValid,
            format!("not valid before {}", proof::timestamp(f)),
        )));
    }
    if let Some(u) = until
        && now > u
    {
        return Ok(Some((
            State::Expired,
            format!("expired on {}", proof::timestamp(u)),
        )));
    }
    Ok(None)
}

fn summarize(credential: &Value) -> Summary {
    let text = |pointer: &str| {
        credential
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Summary {
        id: text("/id"),
        name: text("/name"),
        license_number: text("/credentialSubject/licenseNumber"),
        achievement: text("/credentialSubject/achievement/name"),
        issuer_id: issuer_id(credential).map(str::to_string),
        issuer_name: text("/issuer/name"),
        valid_from: text("/validFrom"),
        valid_until: text("/validUntil"),
        awarded_date: text("/awardedDate"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{StatusRef, build, tests::facts};
    use crate::keys::IssuerKey;
    use crate::proof::sign;
    use crate::status_list::{Bitstring, list_credential};
    use chrono::TimeZone;
    use serde_json::json;

    const REVOCATION: &str = "https://skillcert.example.com/status/revocation";
    const SUSPENSION: &str = "https://skillcert.example.com/status/suspension";

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
    }

    fn issued(key: &IssuerKey) -> Value {
        sign(build(&facts(), &key.did()), key, at(2026, 1, 1)).unwrap()
    }

    fn list(key: &IssuerKey, url: &str, purpose: &str, set: &[usize]) -> Value {
        let encoded = status_list::encode(set).unwrap();
        sign(
            list_credential(url, purpose, &encoded, &key.did(), at(2026, 1, 1)),
            key,
            at(2026, 1, 1),
        )
        .unwrap()
    }

    fn lists(key: &IssuerKey, revoked: &[usize], suspended: &[usize]) -> StatusLists {
        let mut l = StatusLists::new();
        l.insert(
            REVOCATION,
            ListSource::Fetched(list(key, REVOCATION, "revocation", revoked)),
        );
        l.insert(
            SUSPENSION,
            ListSource::Fetched(list(key, SUSPENSION, "suspension", suspended)),
        );
        l
    }

    fn outcome(report: &Report, name: &str) -> (Outcome, Option<String>) {
        let c = report.checks.iter().find(|c| c.name == name).unwrap();
        (c.outcome, c.code.clone())
    }

    #[test]
    fn a_fresh_certificate_is_valid() {
        let key = IssuerKey::generate();
        let v = issued(&key);
        let report = check_with_status(&v, at(2026, 6, 1), &lists(&key, &[1, 2], &[3]));
        assert_eq!(report.state, State::Valid, "{report:#?}");
        assert!(report.status_complete);
        assert!(report.reasons.is_empty());
        assert!(report.checks.iter().all(|c| c.outcome == Outcome::Pass));
        let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "format",
                "signature",
                "issuer",
                "validity",
                "revocation",
                "suspension"
            ]
        );
        assert_eq!(report.signer.unwrap().did, key.did());
        assert_eq!(report.summary.license_number.as_deref(), Some("CS2026001"));
        assert_eq!(
            report.summary.achievement.as_deref(),
            Some("高级客服专员 / Senior customer service specialist")
        );
        let json = serde_json::to_value(check(&v, at(2026, 6, 1))).unwrap();
        assert_eq!(json["state"], "valid");
        assert_eq!(json["status_complete"], false);
    }

    #[test]
    fn offline_status_is_unknown_and_does_not_fail() {
        let key = IssuerKey::generate();
        let report = check(&issued(&key), at(2026, 6, 1));
        assert_eq!(report.state, State::Valid);
        assert!(!report.status_complete);
        let (o, code) = outcome(&report, "revocation");
        assert_eq!(
            (o, code.as_deref()),
            (Outcome::Unknown, Some("status-unknown"))
        );
        let detail = &report
            .checks
            .iter()
            .find(|c| c.name == "revocation")
            .unwrap()
            .detail;
        assert!(detail.contains("status unknown (offline)"), "{detail}");

        let mut l = StatusLists::new();
        l.insert(
            REVOCATION,
            ListSource::Unavailable("connection refused".into()),
        );
        let report = check_with_status(&issued(&key), at(2026, 6, 1), &l);
        assert_eq!(report.state, State::Valid);
        assert_eq!(outcome(&report, "revocation").0, Outcome::Unknown);
    }

    #[test]
    fn dates_give_expired_and_not_yet_valid() {
        let key = IssuerKey::generate();
        let v = issued(&key);
        // validFrom 2025-12-31T16:00:00Z, validUntil 2026-12-31T15:59:59Z.
        assert_eq!(check(&v, at(2026, 1, 1)).state, State::Valid);
        assert_eq!(
            check(&v, Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 59).unwrap()).state,
            State::NotYetValid
        );
        assert_eq!(
            check(&v, Utc.with_ymd_and_hms(2026, 12, 31, 15, 59, 59).unwrap()).state,
            State::Valid
        );
        assert_eq!(
            check(&v, Utc.with_ymd_and_hms(2026, 12, 31, 16, 0, 0).unwrap()).state,
            State::Expired
        );
        let r = check(&v, at(2027, 1, 1));
        assert_eq!(
            outcome(&r, "validity"),
            (Outcome::Fail, Some("expired".into()))
        );
        assert_eq!(r.reasons, ["expired on 2026-12-31T15:59:59Z"]);
    }

    #[test]
    fn revoked_and_suspended_bits_are_reported() {
        let key = IssuerKey::generate();
        let v = issued(&key);
        // The fixture's indices: revocation 94567, suspension 23452.
        let r = check_with_status(&v, at(2026, 6, 1), &lists(&key, &[94_567], &[]));
        assert_eq!(r.state, State::Revoked);
        assert_eq!(
            outcome(&r, "revocation"),
            (Outcome::Fail, Some("revoked".into()))
        );
        let r = check_with_status(&v, at(2026, 6, 1), &lists(&key, &[], &[23_452]));
        assert_eq!(r.state, State::Suspended);
        // Revoked outranks suspended and expired.
        let r = check_with_status(&v, at(2027, 6, 1), &lists(&key, &[94_567], &[23_452]));
        assert_eq!(r.state, State::Revoked);
        assert_eq!(r.reasons.len(), 3);
    }

    #[test]
    fn a_tampered_certificate_is_invalid_whatever_its_status() {
        let key = IssuerKey::generate();
        let mut v = issued(&key);
        v["credentialSubject"]["result"][0]["value"] = json!("99.00");
        let r = check_with_status(&v, at(2026, 6, 1), &lists(&key, &[], &[]));
        assert_eq!(r.state, State::Invalid);
        assert_eq!(
            outcome(&r, "signature"),
            (Outcome::Fail, Some("signature-invalid".into()))
        );
        assert_eq!(outcome(&r, "status").0, Outcome::Unknown);
        assert!(r.signer.is_none());

        for field in [
            "@context",
            "id",
            "type",
            "name",
            "issuer",
            "validFrom",
            "validUntil",
            "awardedDate",
            "credentialSubject",
            "credentialStatus",
        ] {
            let mut t = issued(&key);
            t[field] = json!(["x"]);
            let r = check(&t, at(2026, 6, 1));
            assert_eq!(r.state, State::Invalid, "{field}");
        }
    }

    #[test]
    fn status_lists_must_be_authentic_and_the_right_ones() {
        let key = IssuerKey::generate();
        let other = IssuerKey::generate();
        let v = issued(&key);
        let entry = |purpose: &str, url: &str, index| StatusEntry {
            id: None,
            purpose: purpose.into(),
            index,
            list_url: url.into(),
        };
        let rev = entry("revocation", REVOCATION, 5);
        let now = at(2026, 6, 1);
        let good = list(&key, REVOCATION, "revocation", &[5]);
        assert_eq!(check_status(&rev, &good, &key.did(), now), Ok(true));
        assert_eq!(
            check_status(&entry("revocation", REVOCATION, 6), &good, &key.did(), now),
            Ok(false)
        );

        // Signed by someone else.
        let foreign = list(&other, REVOCATION, "revocation", &[]);
        assert_eq!(
            check_status(&rev, &foreign, &key.did(), now)
                .unwrap_err()
                .code(),
            "status-verification"
        );
        // Tampered after signing (bit cleared).
        let mut cleared = good.clone();
        cleared["credentialSubject"]["encodedList"] = json!(status_list::encode(&[]).unwrap());
        let err = check_status(&rev, &cleared, &key.did(), now).unwrap_err();
        assert!(
            matches!(err, StatusError::Proof(VerifyError::SignatureInvalid)),
            "{err}"
        );
        // Another list of the same issuer served in its place.
        let swapped = list(&key, SUSPENSION, "revocation", &[]);
        assert!(matches!(
            check_status(&rev, &swapped, &key.did(), now),
            Err(StatusError::WrongList { .. })
        ));
        // The right URL but the wrong purpose.
        let wrong_purpose = list(&key, REVOCATION, "suspension", &[]);
        assert!(matches!(
            check_status(&rev, &wrong_purpose, &key.did(), now),
            Err(StatusError::PurposeMismatch { .. })
        ));
        // Too short a list.
        let short = sign(
            list_credential(
                REVOCATION,
                "revocation",
                &Bitstring::zeros(1024).encode().unwrap(),
                &key.did(),
                at(2026, 1, 1),
            ),
            &key,
            at(2026, 1, 1),
        )
        .unwrap();
        assert_eq!(
            check_status(&rev, &short, &key.did(), now)
                .unwrap_err()
                .code(),
            "status-list-length"
        );
        // An index beyond the list.
        let far = entry("revocation", REVOCATION, status_list::LIST_LENGTH);
        assert_eq!(
            check_status(&far, &good, &key.did(), now)
                .unwrap_err()
                .code(),
            "status-range"
        );
        // Not yet valid.
        assert!(matches!(
            check_status(&rev, &good, &key.did(), at(2025, 1, 1)),
            Err(StatusError::NotCurrent(_))
        ));
        // Not a list at all.
        assert!(matches!(
            check_status(&rev, &v, &key.did(), now),
            Err(StatusError::NotAList(_))
        ));

        // In a report, an unusable list leaves the status unknown.
        let mut l = StatusLists::new();
        l.insert(REVOCATION, ListSource::Fetched(foreign));
        let r = check_with_status(&v, now, &l);
        assert_eq!(r.state, State::Valid);
        assert_eq!(
            outcome(&r, "revocation"),
            (Outcome::Unknown, Some("status-verification".into()))
        );
    }

    #[test]
    fn status_entries_are_parsed_strictly() {
        let key = IssuerKey::generate();
        let v = issued(&key);
        assert_eq!(status_list_urls(&v), [REVOCATION, SUSPENSION]);
        let mut f = facts();
        f.status = vec![
            StatusRef {
                purpose: "revocation".into(),
                list_url: REVOCATION.into(),
                index: 1,
            },
            StatusRef {
                purpose: "suspension".into(),
                list_url: REVOCATION.into(),
                index: 2,
            },
        ];
        assert_eq!(status_list_urls(&build(&f, "did:key:z6Mk")), [REVOCATION]);

        let bad_index = json!({"credentialStatus": {"type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "-1",
            "statusListCredential": REVOCATION}});
        assert!(status_entries(&bad_index).is_err());
        let other_kind =
            json!({"credentialStatus": [{"type": "1EdTechRevocationList", "id": "x"}]});
        assert!(status_entries(&other_kind).unwrap()[0].is_err());
        let wide = json!({"credentialStatus": [{"type": "BitstringStatusListEntry",
            "statusPurpose": "message", "statusListIndex": "3", "statusSize": 2,
            "statusListCredential": REVOCATION}]});
        assert!(status_entries(&wide).unwrap()[0].is_err());
    }

    #[test]
    fn malformed_documents_are_invalid() {
        let now = at(2026, 6, 1);
        assert_eq!(check(&json!("text"), now).state, State::Invalid);
        assert_eq!(check(&json!({}), now).state, State::Invalid);
        let key = IssuerKey::generate();
        let mut unsigned = build(&facts(), &key.did());
        let r = check(&unsigned, now);
        assert_eq!(
            outcome(&r, "signature"),
            (Outcome::Fail, Some("proof-missing".into()))
        );
        unsigned["validFrom"] = json!("soon");
        let r = check(&sign(unsigned, &key, now).unwrap(), now);
        assert_eq!(r.state, State::Invalid);
        assert_eq!(
            outcome(&r, "validity"),
            (Outcome::Fail, Some("credential-malformed".into()))
        );
    }
}

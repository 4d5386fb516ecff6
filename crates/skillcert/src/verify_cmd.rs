//! `skillcert verify`: checks a certificate's credential file the way any outside verifier
//! would — from the file alone, plus the published status lists.
//!
//! It needs no database and no key store: the signer's public key is in its `did:key`.
//! The verification itself is [`skillcert_credential::check`]; this module reads the file,
//! fetches the status lists over HTTP and prints the report.

use std::error::Error as _;
use std::io::Read;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use skillcert_credential::check::{self, ListSource, Outcome, Report, State, StatusLists};
use skillcert_credential::{DateTime, Utc};

/// The contract of the command, shown by `skillcert verify --help`.
const HELP: &str = "\
Checks, in this order: that the file is a W3C Verifiable Credential 2.0; its
eddsa-jcs-2022 proof (Ed25519; the key is read from the did:key, nothing is fetched for
it); that the signer is the issuer the credential names; its validity period (validFrom,
validUntil); and, unless --offline, its revocation and suspension bits in the Bitstring
Status Lists it links to. The lists are fetched over plain HTTP only (this build has no
TLS); a list that cannot be fetched or verified leaves the status unknown, which is
reported but does not make the certificate invalid.

Exit codes: 0 valid; 1 not valid (altered, not signed by its issuer, expired, not yet
valid, revoked or suspended); 2 unusable input (unreadable file, not JSON, not an
object).";

pub const EXIT_VALID: i32 = 0;
pub const EXIT_NOT_VALID: i32 = 1;
pub const EXIT_UNUSABLE: i32 = 2;

/// A status list larger than this is not read (one of 131,072 entries is a few KB).
const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Args, Debug)]
#[command(after_long_help = HELP)]
pub struct VerifyArgs {
    /// The credential JSON, as downloaded from skillcert, or `-` for stdin.
    pub file: String,
    /// Check the proof and dates only; do not fetch the status lists.
    #[arg(long)]
    pub offline: bool,
    /// Verify as of this time (RFC 3339, e.g. 2026-06-01T00:00:00Z) instead of now.
    #[arg(long, value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,
    /// `text` for people; `json` for scripts (the whole report).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn parse_now(text: &str) -> Result<DateTime<Utc>, String> {
    skillcert_credential::proof::parse_timestamp(text)
        .ok_or_else(|| format!("not an RFC 3339 date-time: {text}"))
}

pub async fn run(args: &VerifyArgs) -> Result<i32> {
    let credential = match read_input(&args.file).and_then(|b| parse_credential(&b)) {
        Ok(c) => c,
        Err(message) => {
            match args.format {
                Format::Text => eprintln!("skillcert verify: {message}"),
                Format::Json => println!("{}", json!({"state": "unusable", "error": message})),
            }
            return Ok(EXIT_UNUSABLE);
        }
    };
    let now = args.now.unwrap_or_else(Utc::now);
    let report = verify(&credential, now, !args.offline).await;
    match args.format {
        Format::Text => print!("{}", render_text(&report)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(exit_code(&report))
}

fn read_input(file: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
    } else {
        bytes = std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    }
    Ok(bytes)
}

/// The credential in `bytes`, or why it cannot be verified at all.
pub fn parse_credential(bytes: &[u8]) -> Result<Value, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        format!("the file is not JSON ({e}); a skillcert credential is the JSON document downloaded from the certificate's page")
    })?;
    if !value.is_object() {
        return Err("the file is JSON but not a credential (not a JSON object)".into());
    }
    Ok(value)
}

/// Verifies `credential` as of `now`; with `online`, fetches its status lists first —
/// only for a credential whose proof verified, so a forged file cannot make us fetch
/// arbitrary URLs.
pub async fn verify(credential: &Value, now: DateTime<Utc>, online: bool) -> Report {
    let report = check::check(credential, now);
    if !online || report.signer.is_none() {
        return report;
    }
    let urls = check::status_list_urls(credential);
    if urls.is_empty() {
        return report;
    }
    let mut lists = StatusLists::new();
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .user_agent(concat!("skillcert-verify/", env!("CARGO_PKG_VERSION")))
        .build();
    for url in urls {
        let source = match &client {
            Ok(client) => fetch(client, &url).await,
            Err(e) => ListSource::Unavailable(format!("no HTTP client: {e}")),
        };
        lists.insert(url, source);
    }
    check::check_with_status(credential, now, &lists)
}

async fn fetch(client: &reqwest::Client, url: &str) -> ListSource {
    match fetch_json(client, url).await {
        Ok(list) => ListSource::Fetched(list),
        Err(why) => ListSource::Unavailable(why),
    }
}

async fn fetch_json(client: &reqwest::Client, url: &str) -> Result<Value, String> {
    let mut response = client
        .get(url)
        .header(
            reqwest::header::ACCEPT,
            "application/vc+ld+json, application/vc, application/json",
        )
        .send()
        .await
        .map_err(|e| unreachable(url, &e))?;
    if !response.status().is_success() {
        return Err(format!("{url} answered HTTP {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(url, &e))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_LIST_BYTES {
            return Err(format!("{url} sent more than {MAX_LIST_BYTES} bytes"));
        }
    }
    serde_json::from_slice(&body).map_err(|e| format!("{url} did not return JSON: {e}"))
}

/// Why a list could not be fetched, with the underlying causes (reqwest's own message is
/// only "error sending request").
fn unreachable(url: &str, e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if url.starts_with("https://") {
        format!(
            "{url} could not be fetched ({text}); this skillcert speaks plain http only, https is not supported: open the URL in a browser to check the list"
        )
    } else {
        format!("{url} could not be fetched: {text}")
    }
}

pub fn exit_code(report: &Report) -> i32 {
    match report.state {
        State::Valid => EXIT_VALID,
        _ => EXIT_NOT_VALID,
    }
}

/// The human summary: what the certificate says, each check, the verdict.
pub fn render_text(report: &Report) -> String {
    let s = &report.summary;
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let mut out = String::new();
    out.push_str(&format!(
        "Certificate {}: {}\n",
        dash(&s.license_number),
        s.achievement
            .clone()
            .or_else(|| s.name.clone())
            .unwrap_or_else(|| "—".into())
    ));
    out.push_str(&format!("  Credential  {}\n", dash(&s.id)));
    match &s.issuer_name {
        Some(name) => out.push_str(&format!(
            "  Issuer      {name}\n              {}\n",
            dash(&s.issuer_id)
        )),
        None => out.push_str(&format!("  Issuer      {}\n", dash(&s.issuer_id))),
    }
    out.push_str(&format!(
        "  Valid       {} to {}\n",
        dash(&s.valid_from),
        dash(&s.valid_until)
    ));
    if let Some(awarded) = &s.awarded_date {
        out.push_str(&format!("  Awarded     {awarded}\n"));
    }
    out.push('\n');
    for c in &report.checks {
        let mark = match c.outcome {
            Outcome::Pass => '✓',
            Outcome::Fail => '✗',
            Outcome::Unknown => '?',
        };
        out.push_str(&format!("  {mark} {:<11} {}\n", c.name, c.detail));
    }
    out.push('\n');
    let verdict = match report.state {
        State::Valid if report.status_complete => {
            "VALID: authentic, signed by its issuer, in force and neither revoked nor suspended."
                .to_string()
        }
        State::Valid => "VALID: authentic, signed by its issuer and in force; its revocation and \
                         suspension status is unknown (see ?)."
            .to_string(),
        State::Expired => "NOT VALID: expired.".to_string(),
        State::NotYetValid => "NOT VALID: not yet valid.".to_string(),
        State::Revoked => "NOT VALID: revoked by the issuer.".to_string(),
        State::Suspended => {
            "NOT VALID: suspended by the issuer (e.g. while an appeal is pending).".to_string()
        }
        State::Invalid => format!(
            "NOT VALID: {}",
            report
                .reasons
                .first()
                .map(String::as_str)
                .unwrap_or("the credential could not be verified")
        ),
    };
    out.push_str(&verdict);
    out.push('\n');
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;
    use std::net::TcpListener;

    use skillcert_credential::credential::{self, AchievementFacts, CertificateFacts, StatusRef};
    use skillcert_credential::keys::IssuerKey;
    use skillcert_credential::{proof, status_list};

    use super::*;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        parse_now(&format!("{y:04}-{m:02}-{d:02}T00:00:00Z")).unwrap()
    }

    fn facts(base: &str) -> CertificateFacts {
        CertificateFacts {
            number: "CS2026001".into(),
            base_url: base.into(),
            issuer_name: "Example Service Centre".into(),
            employee_no: "E10023".into(),
            salt: "00112233445566778899aabbccddeeff".into(),
            achievement: AchievementFacts {
                scheme_key: "s1-certification".into(),
                level_key: "senior".into(),
                name_zh: "高级客服专员".into(),
                name_en: "Senior customer service specialist".into(),
                description: "Customer service certification".into(),
                criteria: "theory 40 / practical 40 / daily 20, total ≥ 80".into(),
            },
            total: "86.40".into(),
            valid_from: at(2026, 1, 1),
            valid_until: at(2027, 1, 1),
            awarded_date: at(2026, 1, 1),
            status: vec![
                StatusRef {
                    purpose: "revocation".into(),
                    list_url: format!("{base}/status/revocation"),
                    index: 94_567,
                },
                StatusRef {
                    purpose: "suspension".into(),
                    list_url: format!("{base}/status/suspension"),
                    index: 23_452,
                },
            ],
        }
    }

    fn signed_list(key: &IssuerKey, url: &str, purpose: &str, set: &[usize]) -> String {
        let encoded = status_list::encode(set).unwrap();
        let doc = status_list::list_credential(url, purpose, &encoded, &key.did(), at(2026, 1, 1));
        proof::sign(doc, key, at(2026, 1, 1)).unwrap().to_string()
    }

    /// A one-thread HTTP/1.1 server on `listener` answering GETs from `routes`
    /// (path → JSON body); it lives as long as the test process.
    fn serve_on(listener: TcpListener, routes: HashMap<String, String>) {
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request);
                let path = request.split_whitespace().nth(1).unwrap_or("/");
                let (status, body) = match routes.get(path) {
                    Some(body) => ("200 OK", body.as_str()),
                    None => ("404 Not Found", ""),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
    }

    /// A certificate whose status lists a local server publishes, with the bits
    /// `revoked` and `suspended` set.
    fn served(key: &IssuerKey, revoked: &[usize], suspended: &[usize]) -> Value {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut routes = HashMap::new();
        for (purpose, set) in [("revocation", revoked), ("suspension", suspended)] {
            let url = format!("{base}/status/{purpose}");
            routes.insert(
                format!("/status/{purpose}"),
                signed_list(key, &url, purpose, set),
            );
        }
        serve_on(listener, routes);
        credential::issue(&facts(&base), key, at(2026, 1, 1)).unwrap()
    }

    fn line<'a>(text: &'a str, name: &str) -> &'a str {
        text.lines()
            .find(|l| {
                let mut chars = l.trim_start().chars();
                chars.next(); // the mark
                chars.as_str().trim_start().starts_with(name)
            })
            .unwrap_or_else(|| panic!("no {name} line in\n{text}"))
    }

    #[test]
    fn non_json_and_non_objects_are_unusable() {
        assert!(
            parse_credential(b"%PDF-1.7")
                .unwrap_err()
                .contains("not JSON")
        );
        assert!(
            parse_credential(b"[1, 2]")
                .unwrap_err()
                .contains("not a credential")
        );
        assert!(parse_credential(b"\xEF\xBB\xBF{}").is_ok());
    }

    #[tokio::test]
    async fn online_a_clean_certificate_is_valid() {
        let key = IssuerKey::generate();
        let cert = served(&key, &[1, 2, 3], &[4]);
        let report = verify(&cert, at(2026, 6, 1), true).await;
        let text = render_text(&report);
        assert_eq!(exit_code(&report), EXIT_VALID, "{text}");
        assert!(report.status_complete, "{text}");
        assert!(
            text.starts_with("Certificate CS2026001: 高级客服专员 / Senior"),
            "{text}"
        );
        assert!(text.contains(&key.did()));
        for name in [
            "format",
            "signature",
            "issuer",
            "validity",
            "revocation",
            "suspension",
        ] {
            assert!(line(&text, name).starts_with("  ✓"), "{text}");
        }
        assert!(text.contains("VALID: authentic"), "{text}");
    }

    #[tokio::test]
    async fn online_revoked_and_suspended_certificates_fail() {
        let key = IssuerKey::generate();
        let revoked = verify(&served(&key, &[94_567], &[]), at(2026, 6, 1), true).await;
        assert_eq!(revoked.state, State::Revoked);
        assert_eq!(exit_code(&revoked), EXIT_NOT_VALID);
        let text = render_text(&revoked);
        assert!(line(&text, "revocation").starts_with("  ✗"), "{text}");
        assert!(text.contains("NOT VALID: revoked"), "{text}");

        let suspended = verify(&served(&key, &[], &[23_452]), at(2026, 6, 1), true).await;
        assert_eq!(suspended.state, State::Suspended);
        assert_eq!(exit_code(&suspended), EXIT_NOT_VALID);
    }

    #[tokio::test]
    async fn offline_checks_proof_and_dates_only() {
        let key = IssuerKey::generate();
        let cert = served(&key, &[94_567], &[]);
        let report = verify(&cert, at(2026, 6, 1), false).await;
        assert_eq!(exit_code(&report), EXIT_VALID);
        let text = render_text(&report);
        assert!(
            line(&text, "revocation").contains("status unknown (offline)"),
            "{text}"
        );
        assert!(line(&text, "revocation").starts_with("  ?"), "{text}");
        assert!(text.contains("status is unknown"), "{text}");

        let expired = verify(&cert, at(2027, 6, 1), false).await;
        assert_eq!(expired.state, State::Expired);
        assert_eq!(exit_code(&expired), EXIT_NOT_VALID);
        assert_eq!(
            verify(&cert, at(2025, 6, 1), false).await.state,
            State::NotYetValid
        );
    }

    #[tokio::test]
    async fn a_tampered_certificate_fails_without_fetching() {
        let key = IssuerKey::generate();
        let mut cert = served(&key, &[], &[]);
        cert["credentialSubject"]["result"][0]["value"] = json!("99.00");
        let report = verify(&cert, at(2026, 6, 1), true).await;
        assert_eq!(report.state, State::Invalid);
        assert_eq!(exit_code(&report), EXIT_NOT_VALID);
        let text = render_text(&report);
        assert!(line(&text, "signature").starts_with("  ✗"), "{text}");
        assert!(
            text.contains("NOT VALID: the signature does not match"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn unreachable_lists_leave_the_status_unknown() {
        let key = IssuerKey::generate();
        // A port nobody listens on any more.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cert = credential::issue(
            &facts(&format!("http://127.0.0.1:{port}")),
            &key,
            at(2026, 1, 1),
        )
        .unwrap();
        let report = verify(&cert, at(2026, 6, 1), true).await;
        assert_eq!(exit_code(&report), EXIT_VALID);
        assert!(!report.status_complete);
        let text = render_text(&report);
        assert!(
            line(&text, "revocation").contains("could not be fetched"),
            "{text}"
        );

        let tls = credential::issue(&facts("https://127.0.0.1:9"), &key, at(2026, 1, 1)).unwrap();
        let report = verify(&tls, at(2026, 6, 1), true).await;
        assert_eq!(exit_code(&report), EXIT_VALID);
        let text = render_text(&report);
        assert!(
            line(&text, "revocation").contains("https is not supported"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn run_reads_files_and_sets_exit_codes() {
        let dir = std::env::temp_dir().join(format!(
            "skillcert-verify-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let args = |file: &std::path::Path, format| VerifyArgs {
            file: file.to_string_lossy().into_owned(),
            offline: true,
            now: Some(at(2026, 6, 1)),
            format,
        };
        let not_json = dir.join("photo.pdf");
        std::fs::write(&not_json, b"%PDF-1.7").unwrap();
        assert_eq!(
            run(&args(&not_json, Format::Text)).await.unwrap(),
            EXIT_UNUSABLE
        );
        assert_eq!(
            run(&args(&not_json, Format::Json)).await.unwrap(),
            EXIT_UNUSABLE
        );
        let missing = dir.join("missing.json");
        assert_eq!(
            run(&args(&missing, Format::Text)).await.unwrap(),
            EXIT_UNUSABLE
        );

        let key = IssuerKey::generate();
        let cert = credential::issue(&facts("http://127.0.0.1:9"), &key, at(2026, 1, 1)).unwrap();
        let good = dir.join("good.json");
        std::fs::write(&good, serde_json::to_vec_pretty(&cert).unwrap()).unwrap();
        assert_eq!(run(&args(&good, Format::Json)).await.unwrap(), EXIT_VALID);
        let mut altered = cert.clone();
        altered["validUntil"] = json!("2099-01-01T00:00:00Z");
        let bad = dir.join("bad.json");
        std::fs::write(&bad, altered.to_string()).unwrap();
        assert_eq!(
            run(&args(&bad, Format::Text)).await.unwrap(),
            EXIT_NOT_VALID
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn now_must_be_rfc3339() {
        assert_eq!(
            parse_now("2026-06-01T08:00:00+08:00").unwrap(),
            at(2026, 6, 1)
        );
        assert!(parse_now("2026-06-01").is_err());
    }
}

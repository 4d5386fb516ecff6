//! Both languages are complete for every key the code can ask for, and pages in English
//! carry no Chinese except the language switch and data.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use skillcert_app::schemes::Origin;
use skillcert_domain::access::Role;
use skillcert_domain::org::{EmployeeStatus, FieldReason, UnitKind};
use skillcert_domain::scheme::{HrProcedure, SourceKind};
use skillcert_domain::text::TextError;
use skillcert_reports::EMPLOYEE_COLUMNS;
use skillcert_web::i18n::{Lang, has, t as tr};

use crate::helpers::*;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The string literal starting at `s[0] == '"'`, without escapes (keys have none).
fn literal(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(&rest[..end])
}

/// Keys given as literals to `t(`, `tf(`, `ctx.t(`, `ctx.tf(` (and any `.t(`/`.tf(`): the
/// first argument when it is a literal (templates), else the second (`t(lang, "key")`).
fn literal_keys(src: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for name in ["t(", "tf("] {
        let mut from = 0;
        while let Some(pos) = src[from..].find(name) {
            let at = from + pos;
            from = at + name.len();
            if src[..at].chars().next_back().is_some_and(is_ident) {
                continue;
            }
            let args = src[from..].trim_start();
            if let Some(k) = literal(args) {
                keys.push(k.to_string());
                continue;
            }
            // Skip the first argument up to a comma at depth 0.
            let mut depth = 0i32;
            let mut second = None;
            for (i, c) in args.char_indices() {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' if depth == 0 => break,
                    ')' | ']' | '}' => depth -= 1,
                    ',' if depth == 0 => {
                        second = Some(i + 1);
                        break;
                    }
                    '"' | ';' if depth == 0 => break,
                    _ => {}
                }
            }
            if let Some(i) = second
                && let Some(k) = literal(args[i..].trim_start())
            {
                keys.push(k.to_string());
            }
        }
    }
    keys
}

/// String literals that follow `pattern` in the sources (e.g. `Conflict("`).
fn literals_after(src: &str, pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = src[from..].find(pattern) {
        let at = from + pos + pattern.len() - 1;
        from = at + 1;
        if let Some(l) = literal(&src[at..]) {
            out.push(l.to_string());
        }
    }
    out
}

fn missing(keys: &BTreeSet<String>) -> Vec<String> {
    let mut v = Vec::new();
    for k in keys {
        for lang in Lang::ALL {
            if !has(lang, k) {
                v.push(format!("{} {k}", lang.tag()));
            }
        }
    }
    v
}

#[test]
fn the_scanner_finds_literal_keys() {
    let src = r#"{{ ctx.t("a-b") }} t(lang, "c-d") tf(self.lang, "e-f", &[("n", x)]) ctx.tf("g-h", &[]) foo.list("x") t(lang, &format!("error-{}", c)) fn t(lang: Lang, key: &str)"#;
    assert_eq!(literal_keys(src), vec!["a-b", "c-d", "e-f", "g-h"]);
}

#[test]
fn every_literal_key_exists_in_both_languages() {
    let root = crate_dir();
    let mut paths = Vec::new();
    files(&root.join("templates"), "html", &mut paths);
    files(&root.join("src"), "rs", &mut paths);
    assert!(paths.len() > 10, "found the sources");
    let mut keys = BTreeSet::new();
    for p in &paths {
        let src = std::fs::read_to_string(p).unwrap();
        keys.extend(literal_keys(&src));
    }
    assert!(keys.contains("login-title"), "the scanner works: {keys:?}");
    eprintln!("{} literal keys in {} files", keys.len(), paths.len());
    let missing = missing(&keys);
    assert!(missing.is_empty(), "missing keys: {missing:#?}");
}

/// Every string literal of the form `family-rest` whose family (`nav`, `user`, `error`, …)
/// is one the message files use: in Rust code such a literal is a key handed on to `t`
/// indirectly (navigation items, flash messages, sort columns).
fn key_like_literals(src: &str, families: &BTreeSet<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in src.split('"').enumerate() {
        // Odd parts lie between quotes (good enough: keys hold no quotes or escapes).
        if i % 2 == 0 || part.is_empty() {
            continue;
        }
        let well_formed = part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && part.contains('-')
            && !part.starts_with('-')
            && !part.ends_with('-')
            && !part.contains("--");
        if well_formed && families.contains(part.split('-').next().unwrap_or("")) {
            out.push(part.to_string());
        }
    }
    out
}

#[test]
fn key_like_literals_in_rust_sources_exist() {
    let all: Vec<&str> = Lang::ALL
        .iter()
        .flat_map(|l| skillcert_web::i18n::keys(*l))
        .collect();
    let families: BTreeSet<&str> = all.iter().filter_map(|k| k.split('-').next()).collect();
    assert!(families.contains("nav") && families.contains("error"));
    let mut paths = Vec::new();
    files(&crate_dir().join("src"), "rs", &mut paths);
    let mut keys = BTreeSet::new();
    for p in &paths {
        let src = std::fs::read_to_string(p).unwrap();
        keys.extend(key_like_literals(&src, &families));
    }
    assert!(keys.contains("nav-employees"), "{keys:?}");
    let missing = missing(&keys);
    assert!(missing.is_empty(), "missing keys: {missing:#?}");
}

/// Fails to compile when a reason is added, as a reminder to list it below.
fn field_reason_is_listed(r: &FieldReason) -> bool {
    match r {
        FieldReason::Text(TextError::Empty)
        | FieldReason::Text(TextError::TooLong { .. })
        | FieldReason::Text(TextError::TooShort { .. })
        | FieldReason::Text(TextError::BadCharacters)
        | FieldReason::BadDate
        | FieldReason::BadStatus
        | FieldReason::FutureDate
        | FieldReason::NotFound
        | FieldReason::Duplicate
        | FieldReason::Cycle
        | FieldReason::SelfReference
        | FieldReason::Ambiguous
        | FieldReason::Mismatch
        | FieldReason::WrongPassword
        | FieldReason::OutOfScope
        | FieldReason::OtherDepartment
        | FieldReason::NotAllowed
        | FieldReason::BadNumber
        | FieldReason::OutOfRange
        | FieldReason::TooMany
        | FieldReason::OptionCount
        | FieldReason::KeyOutOfRange
        | FieldReason::KeyCount => true,
    }
}

fn all_field_reasons() -> Vec<FieldReason> {
    let v = vec![
        FieldReason::Text(TextError::Empty),
        FieldReason::Text(TextError::TooLong { max: 1 }),
        FieldReason::Text(TextError::TooShort { min: 1 }),
        FieldReason::Text(TextError::BadCharacters),
        FieldReason::BadDate,
        FieldReason::BadStatus,
        FieldReason::FutureDate,
        FieldReason::NotFound,
        FieldReason::Duplicate,
        FieldReason::Cycle,
        FieldReason::SelfReference,
        FieldReason::Ambiguous,
        FieldReason::Mismatch,
        FieldReason::WrongPassword,
        FieldReason::OutOfScope,
        FieldReason::OtherDepartment,
        FieldReason::NotAllowed,
        FieldReason::BadNumber,
        FieldReason::OutOfRange,
        FieldReason::TooMany,
        FieldReason::OptionCount,
        FieldReason::KeyOutOfRange,
        FieldReason::KeyCount,
    ];
    assert!(v.iter().all(field_reason_is_listed));
    v
}

fn error_codes() -> BTreeSet<String> {
    use skillcert_app::AppError;
    let mut codes: BTreeSet<String> = [
        AppError::Validation(Vec::new()),
        AppError::Unauthenticated,
        AppError::BadCredentials,
        AppError::Throttled { minutes: 1 },
        AppError::Forbidden,
        AppError::NotFound,
        AppError::ImportRejected(Box::default()),
        AppError::SchemeInvalid(skillcert_domain::scheme::SchemeErrors(Vec::new())),
        AppError::InputsInvalid(skillcert_domain::scheme::InputErrors(Vec::new())),
        AppError::Internal(anyhow_error()),
        AppError::from(skillcert_store::StoreError::Conflict {
            constraint: String::new(),
        }),
        AppError::from(skillcert_store::StoreError::Reference(String::new())),
    ]
    .iter()
    .map(|e| e.code().to_string())
    .collect();
    for c in [
        "csrf",
        "bad-json",
        "internal",
        "body-too-large",
        "bad-upload",
    ] {
        codes.insert(c.to_string());
    }
    // Refusal codes of the exam services (`Conflict` and `Unprocessable`).
    codes.extend(
        skillcert_app::exams::ERROR_CODES
            .iter()
            .map(|c| c.to_string()),
    );
    codes.extend(skillcert_app::training::error_codes().map(str::to_string));
    // Conflict codes written in the services, and 400 codes written in the web layer.
    let app_src = crate_dir().join("../skillcert-app/src");
    let mut paths = Vec::new();
    files(&app_src, "rs", &mut paths);
    files(&crate_dir().join("src"), "rs", &mut paths);
    for p in paths {
        let src = std::fs::read_to_string(&p).unwrap();
        codes.extend(literals_after(&src, "Conflict(\""));
        codes.extend(literals_after(&src, "BadRequest(\""));
    }
    codes
}

fn anyhow_error() -> anyhow::Error {
    anyhow::anyhow!("x")
}

#[test]
fn every_dynamic_key_exists_in_both_languages() {
    let mut keys = BTreeSet::new();
    for s in EmployeeStatus::ALL {
        keys.insert(format!("status-{}", s.key()));
    }
    for r in Role::ALL {
        keys.insert(format!("role-{}", r.key()));
    }
    let errors = error_codes();
    assert!(
        errors.contains("last-admin") && errors.contains("bad-query"),
        "{errors:?}"
    );
    for c in &errors {
        keys.insert(format!("error-{c}"));
    }
    for r in all_field_reasons() {
        keys.insert(format!("field-{}", r.code()));
    }
    let import_codes = [
        "missing-column",
        "duplicate-column",
        "unknown-column",
        "unnamed-column",
        "duplicate-in-file",
        "file-empty",
        "not-utf8",
        "bad-csv",
        "bad-xlsx",
        "no-sheet",
        "too-many-rows",
        "unknown-format",
        "required",
        "too-long",
        "bad-characters",
        "bad-date",
        "future-date",
        "bad-status",
        "not-found",
        "ambiguous",
        "out-of-scope",
        "other-department",
        "self-reference",
    ];
    for c in import_codes {
        keys.insert(format!("import-issue-{c}"));
    }
    for c in EMPLOYEE_COLUMNS {
        keys.insert(format!("column-{c}"));
    }
    for k in [UnitKind::Window, UnitKind::Team] {
        keys.insert(format!("unit-kind-{}", k.key()));
    }
    for c in scheme_error_codes() {
        keys.insert(format!("scheme-error-{c}"));
    }
    for c in SCHEME_INPUT_CODES {
        keys.insert(format!("input-error-{c}"));
    }
    for s in [
        SourceKind::Exam,
        SourceKind::Panel,
        SourceKind::Attendance,
        SourceKind::Daily,
        SourceKind::Imported,
    ] {
        keys.insert(format!("schemes-source-{}", s.key()));
    }
    for h in [
        HrProcedure::None,
        HrProcedure::Transfer,
        HrProcedure::Termination,
        HrProcedure::TransferOrTermination,
    ] {
        keys.insert(format!("schemes-hr-{}", h.key()));
    }
    for o in [Origin::Preset, Origin::Stored] {
        keys.insert(format!("schemes-origin-{}", o.key()));
    }
    let missing = missing(&keys);
    assert!(missing.is_empty(), "missing keys: {missing:#?}");
}

/// Every code of a scheme document error: the kinds (listed exhaustively below), with the
/// text and number codes they wrap.
fn scheme_error_codes() -> BTreeSet<&'static str> {
    use skillcert_domain::scheme::{NumberError, NumberFormatError, SchemeErrorKind as K};
    let kinds = [
        K::Syntax(String::new()),
        K::Text(TextError::Empty),
        K::Text(TextError::TooLong { max: 1 }),
        K::Text(TextError::TooShort { min: 1 }),
        K::Text(TextError::BadCharacters),
        K::BadKey,
        K::ReservedKey,
        K::VersionZero,
        K::Number(NumberError::Empty),
        K::Number(NumberError::NotANumber),
        K::Number(NumberError::Negative),
        K::Number(NumberError::TooManyDecimals),
        K::Number(NumberError::AboveMax),
        K::PassOutOfRange,
        K::BandOutOfRange,
        K::WeightOutOfRange,
        K::ToleranceOutOfRange,
        K::WeightsNot100 { basis_points: 0 },
        K::NoComponents,
        K::DuplicateComponent,
        K::DuplicateBand,
        K::BandsUnsorted,
        K::BandsOverlap,
        K::DecimalsOutOfRange,
        K::PanelPolicyNotPanel,
        K::PanelTrimTooMany {
            min_marks: 1,
            drops: 1,
        },
        K::DuplicateStep,
        K::WithholdOutOfRange,
        K::ValidityZero,
        K::LeadTooLong,
        K::NumberFormat(NumberFormatError::NoSequence),
        K::UnknownLevel,
    ];
    // Fails to compile when a kind is added, as a reminder to list it above.
    for k in &kinds {
        match k {
            K::Syntax(_)
            | K::Text(_)
            | K::BadKey
            | K::ReservedKey
            | K::VersionZero
            | K::Number(_)
            | K::PassOutOfRange
            | K::BandOutOfRange
            | K::WeightOutOfRange
            | K::ToleranceOutOfRange
            | K::WeightsNot100 { .. }
            | K::NoComponents
            | K::DuplicateComponent
            | K::DuplicateBand
            | K::BandsUnsorted
            | K::BandsOverlap
            | K::DecimalsOutOfRange
            | K::PanelPolicyNotPanel
            | K::PanelTrimTooMany { .. }
            | K::DuplicateStep
            | K::WithholdOutOfRange
            | K::ValidityZero
            | K::LeadTooLong
            | K::NumberFormat(_)
            | K::UnknownLevel => {}
        }
    }
    kinds.iter().map(|k| k.code()).collect()
}

/// Input error codes of the domain and of the what-if file reader.
const SCHEME_INPUT_CODES: [&str; 23] = [
    "attempt-zero",
    "unknown-component",
    "wrong-input",
    "too-few-marks",
    "ragged-items",
    "no-items",
    "item-sum-above-100",
    "required",
    "not-a-number",
    "negative",
    "too-many-decimals",
    "above-100",
    "bad-attempt",
    "unknown-column",
    "duplicate-column",
    "missing-column",
    "duplicate-row",
    "file-empty",
    "not-utf8",
    "bad-csv",
    "bad-xlsx",
    "no-sheet",
    "too-many-rows",
];

/// Chinese characters and punctuation; the ideographic space (U+3000), which pages use to
/// indent department trees, is white space and not counted.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3001}'..='\u{303f}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{ff01}'..='\u{ffef}')
}

/// Every name stored in the database: these may appear in any language.
async fn data_strings(t: &TestApp) -> Vec<String> {
    let mut r = t.app.db.read().await.unwrap();
    let mut c = r.conn();
    use skillcert_store::{org, users};
    let mut v: Vec<String> = Vec::new();
    v.extend(
        org::list_departments(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name),
    );
    v.extend(
        org::list_units(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.name),
    );
    v.extend(
        org::list_positions(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name),
    );
    v.extend(
        org::all_employees(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.name),
    );
    v.extend(
        users::list_users(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.display_name),
    );
    // Exam data: session and paper titles, and the bank's questions.
    v.extend(
        skillcert_store::exams::list_sessions(&mut c, None, 1, 500)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.title),
    );
    v.extend(
        skillcert_store::papers::list(&mut c, true)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.title),
    );
    let bank = skillcert_store::questions::export(&mut c, &Default::default())
        .await
        .unwrap();
    for (_, version) in bank {
        let q = version.question;
        v.push(q.stem.clone());
        v.extend(q.body.options().iter().cloned());
        if let skillcert_domain::exam::question::Body::Short { key_points, .. } = &q.body {
            v.extend(key_points.iter().cloned());
        }
    }
    // Practical assessments: event titles and places, recordings, judges' comments.
    let events = skillcert_store::practical::list_events(
        &mut c,
        &skillcert_store::practical::EventQuery {
            per_page: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Pool names are typed in both languages; the Chinese one is data on the form.
    v.extend(
        skillcert_domain::practical::rules::PanelRules::s4()
            .pools
            .into_iter()
            .map(|p| p.labels.zh_cn),
    );
    // Scenario cards are data too.
    let cards = skillcert_store::scenarios::list(
        &mut c,
        &skillcert_store::scenarios::ScenarioQuery {
            per_page: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    v.extend(cards.items.into_iter().map(|s| s.title));
    for e in events.items {
        v.push(e.title);
        v.push(e.place);
        for s in skillcert_store::practical::subjects(&mut c, e.id)
            .await
            .unwrap()
        {
            v.push(s.label);
        }
        for sheet in skillcert_store::practical::sheets_of_event(&mut c, e.id)
            .await
            .unwrap()
        {
            let marks: skillcert_domain::practical::rubric::SheetMarks =
                serde_json::from_str(&sheet.marks).unwrap();
            v.extend(marks.texts.into_values());
        }
    }
    // Certification rounds: titles, and what applicants, mentors and reviewers typed.
    use skillcert_store::certification as cert;
    let rounds = cert::list_rounds(
        &mut c,
        &cert::RoundQuery {
            per_page: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for r in rounds.items {
        v.push(r.title);
        for a in cert::applications_of_round(&mut c, r.id).await.unwrap() {
            v.push(a.mentor_comment);
            v.push(a.decision_note);
        }
        for a in cert::appeals_of_round(&mut c, r.id).await.unwrap() {
            v.push(a.reason);
            v.push(a.decision_note);
            v.extend(a.item);
        }
    }
    let certificates = cert::list_certificates(
        &mut c,
        &cert::CertificateQuery {
            today: chrono::Utc::now().date_naive(),
            search: None,
            status: None,
            department_ids: None,
            round_id: None,
            page: 1,
            per_page: 0,
        },
    )
    .await
    .unwrap();
    v.extend(
        certificates
            .items
            .into_iter()
            .filter_map(|c| c.revoked_reason),
    );
    // The public verification page shows holders' names masked.
    v.extend(
        org::all_employees(&mut c)
            .await
            .unwrap()
            .into_iter()
            .map(|e| skillcert_domain::certification::status::mask_name(&e.name)),
    );
    drop(r);
    v.extend(crate::training_needs::data_strings(t).await);
    v.extend(crate::training_sessions::data_strings(t).await);
    v.extend(crate::training_records::data_strings(t).await);
    v.extend(crate::training_hours::data_strings(t).await);
    v.sort_by_key(|s| std::cmp::Reverse(s.chars().count()));
    v.dedup();
    v
}

/// The Chinese left on a page once the language switch and data are taken out.
fn stray_chinese(html: &str, data: &[String]) -> Option<String> {
    let mut rest = html.replace(">中文<", "><");
    for d in data {
        rest = rest.replace(d.as_str(), "");
    }
    let at = rest.find(is_cjk)?;
    let start = rest[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(i, _)| i);
    let end = rest[at..]
        .char_indices()
        .nth(40)
        .map_or(rest.len(), |(i, _)| at + i);
    Some(rest[start..end].to_string())
}

/// Every demo round's pages, its appeals, and one certificate of each status.
async fn certification_pages(t: &TestApp) -> Vec<String> {
    use skillcert_store::certification as cert;
    let mut r = t.app.db.read().await.unwrap();
    let mut c = r.conn();
    let mut out = Vec::new();
    let rounds = cert::list_rounds(
        &mut c,
        &cert::RoundQuery {
            per_page: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(rounds.items.len() >= 5, "the demo has its rounds");
    for round in rounds.items {
        out.push(format!("/rounds/{}", round.id));
        out.push(format!("/rounds/{}/results", round.id));
        out.push(format!("/rounds/{}/report", round.id));
        for a in cert::appeals_of_round(&mut c, round.id).await.unwrap() {
            out.push(format!("/appeals/{}", a.id));
        }
    }
    let today = chrono::Utc::now().date_naive();
    for status in [
        "valid",
        "expiring",
        "expired",
        "suspended",
        "revoked",
        "superseded",
    ] {
        let page = cert::list_certificates(
            &mut c,
            &cert::CertificateQuery {
                today,
                search: None,
                status: Some(status.to_string()),
                department_ids: None,
                round_id: None,
                page: 1,
                per_page: 1,
            },
        )
        .await
        .unwrap();
        let number = &page
            .items
            .first()
            .unwrap_or_else(|| panic!("a {status} certificate"))
            .number;
        out.push(format!("/certificates/{number}"));
        out.push(format!("/verify/{number}"));
    }
    out
}

#[tokio::test]
async fn english_pages_hold_no_chinese_but_the_switch_and_data() {
    let t = TestApp::new().await;
    let data = data_strings(&t).await;
    let login = t.get("/login").lang("en").send().await;
    login.expect(StatusCode::OK);
    assert!(login.text().contains(">中文<"), "the switch is there");
    assert_eq!(stray_chinese(&login.text(), &[]), None);

    let s = t.web_login("admin").await;
    let someone = t.employee_in("CSC-01").await;
    let user_id = {
        let mut r = t.app.db.read().await.unwrap();
        skillcert_store::users::find_user_by_username(&mut r.conn(), "supervisor")
            .await
            .unwrap()
            .unwrap()
            .id
    };
    let mut problems = Vec::new();
    let mut paths = vec![
        "/".to_string(),
        "/employees".to_string(),
        "/employees?per_page=500".to_string(),
        format!("/employees/{}", someone.id),
        format!("/employees/{}/edit", someone.id),
        "/employees/new".to_string(),
        "/employees/import".to_string(),
        "/account".to_string(),
        "/departments".to_string(),
        "/departments/new".to_string(),
        "/units".to_string(),
        "/units/new".to_string(),
        "/positions".to_string(),
        "/positions/new".to_string(),
        "/users".to_string(),
        "/users/new".to_string(),
        format!("/users/{}", user_id),
        "/audit".to_string(),
        "/audit?per_page=500".to_string(),
        "/audit/verify".to_string(),
        "/questions".to_string(),
        "/papers".to_string(),
        "/exams".to_string(),
        "/exams/1".to_string(),
        "/exams/2".to_string(),
        "/exams/2/analysis".to_string(),
        "/marking".to_string(),
        "/rubrics".to_string(),
        "/rubrics/s4-call-scoring".to_string(),
        "/scenarios".to_string(),
        "/events".to_string(),
        "/events/new".to_string(),
        "/events/1".to_string(),
        "/events/1/draws/1".to_string(),
        "/events/1/results".to_string(),
        "/events/1/analytics".to_string(),
        "/events/3/analytics".to_string(),
        "/judges/analytics".to_string(),
        "/judging".to_string(),
        "/rounds".to_string(),
        "/rounds/new".to_string(),
        "/rounds/open".to_string(),
        "/appeals".to_string(),
        "/certificates".to_string(),
        "/reevaluation".to_string(),
        "/inbox".to_string(),
        "/my-certification".to_string(),
        "/verify".to_string(),
    ];
    paths.extend(certification_pages(&t).await);
    paths.extend(crate::training_needs::english_pages(&t).await);
    paths.extend(crate::training_sessions::english_pages(&t).await);
    paths.extend(crate::training_records::english_pages(&t).await);
    paths.extend(crate::training_hours::english_pages(&t).await);
    for path in paths {
        let r = t.get(&path).lang("en").session(&s).send().await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.text().contains("<html lang=\"en\""), "{path}");
        if let Some(bit) = stray_chinese(&r.text(), &data) {
            problems.push(format!("{path}: …{bit}…"));
        }
    }
    // The error page and the sign-in page after a failure.
    let r = t.get("/no-such-page").lang("en").session(&s).send().await;
    r.expect(StatusCode::NOT_FOUND);
    if let Some(bit) = stray_chinese(&r.text(), &data) {
        problems.push(format!("404 page: …{bit}…"));
    }
    let pre = t.pre_csrf().await;
    let r = t
        .post("/login")
        .lang("en")
        .cookie("sc_csrf", &pre)
        .form(&[
            ("_csrf", pre.as_str()),
            ("username", "admin"),
            ("password", "nope"),
        ])
        .send()
        .await;
    if let Some(bit) = stray_chinese(&r.text(), &data) {
        problems.push(format!("failed sign-in: …{bit}…"));
    }
    assert!(
        problems.is_empty(),
        "Chinese on English pages:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn the_language_follows_the_request() {
    let t = TestApp::new().await;
    let zh = t.get("/login").lang("zh-CN,zh;q=0.9,en;q=0.8").send().await;
    zh.expect(StatusCode::OK);
    let html = zh.text();
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(title.contains(tr(Lang::ZhCn, "login-title")), "{title}");
    assert!(title.chars().any(is_cjk));
    assert!(html.contains("<html lang=\"zh-CN\""));
    assert!(
        stray_chinese(&html, &[]).is_some(),
        "the detector sees Chinese"
    );

    // No header: Chinese is the default.
    let none = t.get("/login").send().await;
    assert!(none.text().contains("<html lang=\"zh-CN\""));

    // The switch sets a cookie that wins over the header.
    let r = t.get("/lang/en?next=/login").send().await;
    assert!(r.status.is_redirection());
    assert_eq!(r.location().as_deref(), Some("/login"));
    let lang = r.cookie("sc_lang").expect("sc_lang cookie");
    let en = t
        .get("/login")
        .lang("zh-CN")
        .cookie("sc_lang", &lang)
        .send()
        .await;
    let html = en.text();
    let title = &html[html.find("<title>").unwrap()..html.find("</title>").unwrap()];
    assert!(title.contains(tr(Lang::En, "login-title")), "{title}");
    // The switch does not redirect off-site.
    let r = t.get("/lang/en?next=//evil.example/").send().await;
    assert_eq!(r.location().as_deref(), Some("/"));
}

//! Certification schemes: the shipped presets and the versions edited in the product,
//! evaluation of one attempt, and a what-if comparison of two versions over an inputs file.
//!
//! A key names a scheme. The presets are read-only files; editing one stores version 1 of
//! its key (recording the preset it came from), and every later edit stores the next
//! version. The stored version number is authoritative: a stored document is evaluated
//! under the version it was stored as, whatever its `version` line says.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::scheme::{
    Evaluation, Input, InputError, Inputs, Scheme, SchemeErrors, Score, SourceKind, Trim, presets,
};
use skillcert_reports::table::{FileKind, read_table};
use skillcert_store::schemes::{self as store, NewScheme, StoredScheme};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult};

/// Where a version comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Preset,
    Stored,
}

impl Origin {
    pub fn key(self) -> &'static str {
        match self {
            Origin::Preset => "preset",
            Origin::Stored => "stored",
        }
    }
}

/// Which version of a key is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pick {
    /// The latest stored version, or the preset when nothing is stored.
    #[default]
    Latest,
    Preset,
    Stored(i32),
}

impl Pick {
    /// `""`/`latest`, `preset` or a version number; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Pick> {
        match raw.trim() {
            "" | "latest" => Some(Pick::Latest),
            "preset" => Some(Pick::Preset),
            n => n.parse::<i32>().ok().filter(|v| *v >= 1).map(Pick::Stored),
        }
    }

    /// The form `parse` reads back.
    pub fn as_param(self) -> String {
        match self {
            Pick::Latest => "latest".into(),
            Pick::Preset => "preset".into(),
            Pick::Stored(v) => v.to_string(),
        }
    }
}

/// One version of a scheme, parsed.
#[derive(Debug, Clone)]
pub struct Version {
    pub key: String,
    pub origin: Origin,
    /// The stored version number, or the preset's own `version`.
    pub version: u32,
    pub document: String,
    pub scheme: Scheme,
    /// Set for stored versions.
    pub stored: Option<StoredScheme>,
}

impl Version {
    pub fn pick(&self) -> Pick {
        match self.origin {
            Origin::Preset => Pick::Preset,
            Origin::Stored => Pick::Stored(i32::try_from(self.version).unwrap_or(i32::MAX)),
        }
    }
}

/// A line of a version history.
#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub origin: Origin,
    pub version: u32,
    /// `preset` or the version number, as URLs and forms carry it.
    pub param: String,
    pub created_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
}

/// One row of the schemes list.
#[derive(Debug, Clone)]
pub struct Summary {
    pub version: Version,
    /// Number of stored versions of the key.
    pub stored_versions: usize,
}

/// A scheme with its history, for the detail page.
#[derive(Debug, Clone)]
pub struct Detail {
    pub current: Version,
    /// Newest first; the preset, when the key has one, comes last.
    pub versions: Vec<VersionInfo>,
}

fn from_preset(key: &str) -> Option<Version> {
    let document = presets::source(key)?;
    let scheme = presets::get(key)?;
    Some(Version {
        key: key.to_string(),
        origin: Origin::Preset,
        version: scheme.version(),
        document: document.to_string(),
        scheme,
        stored: None,
    })
}

/// Parses a stored row and gives it its stored version number.
fn from_stored(row: StoredScheme) -> AppResult<Version> {
    let corrupt =
        |e: SchemeErrors| AppError::Internal(anyhow::anyhow!("stored scheme {}: {e}", row.id));
    let mut doc = Scheme::parse_toml(&row.document)
        .map_err(corrupt)?
        .to_document();
    let version = u32::try_from(row.version)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("stored scheme {}: version", row.id)))?;
    doc.version = version;
    let scheme = Scheme::from_document(doc).map_err(corrupt)?;
    Ok(Version {
        key: row.key.clone(),
        origin: Origin::Stored,
        version,
        document: row.document.clone(),
        scheme,
        stored: Some(row),
    })
}

/// The presets, then every stored key at its latest version.
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<Summary>> {
    actor.require(Permission::SchemeRead)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let latest = store::list_latest(&mut c).await?;
    let mut out = Vec::new();
    for (key, _) in presets::SOURCES {
        if let Some(v) = from_preset(key) {
            out.push(Summary {
                version: v,
                stored_versions: 0,
            });
        }
    }
    for row in latest {
        let count = usize::try_from(row.version).unwrap_or(0);
        out.push(Summary {
            version: from_stored(row)?,
            stored_versions: count,
        });
    }
    Ok(out)
}

pub(crate) async fn load(
    c: &mut skillcert_store::Conn<'_>,
    key: &str,
    pick: Pick,
) -> AppResult<Version> {
    match pick {
        Pick::Preset => from_preset(key).ok_or(AppError::NotFound),
        Pick::Stored(v) => from_stored(store::get_version(c, key, Some(v)).await?),
        Pick::Latest => match store::get_version(c, key, None).await {
            Ok(row) => from_stored(row),
            Err(skillcert_store::StoreError::NotFound) => {
                from_preset(key).ok_or(AppError::NotFound)
            }
            Err(e) => Err(e.into()),
        },
    }
}

/// One version of a key (the latest by default) with the key's history.
pub async fn get(app: &App, actor: &Actor, key: &str, pick: Pick) -> AppResult<Detail> {
    actor.require(Permission::SchemeRead)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let current = load(&mut c, key, pick).await?;
    let mut versions: Vec<VersionInfo> = store::list_versions(&mut c, key)
        .await?
        .into_iter()
        .map(|s| VersionInfo {
            origin: Origin::Stored,
            version: u32::try_from(s.version).unwrap_or(0),
            param: s.version.to_string(),
            created_at: Some(s.created_at),
            created_by: s.created_by,
        })
        .collect();
    if let Some(p) = presets::get(key) {
        versions.push(VersionInfo {
            origin: Origin::Preset,
            version: p.version(),
            param: "preset".into(),
            created_at: None,
            created_by: None,
        });
    }
    Ok(Detail { current, versions })
}

/// Rewrites the top-level `version = …` line (before the first table) to `version`, or
/// adds one at the top, so that a stored document states the version it is stored as.
pub fn with_version(document: &str, version: u32) -> String {
    let mut out = String::with_capacity(document.len() + 16);
    let mut done = false;
    for line in document.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            done = true;
        }
        let is_version = t
            .strip_prefix("version")
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        if !done && is_version {
            out.push_str(&format!("version = {version}"));
            out.push_str(if line.ends_with("\r\n") {
                "\r\n"
            } else if line.ends_with('\n') {
                "\n"
            } else {
                ""
            });
            done = true;
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Stores `document` as the next version of the key it names, edited from `base` of `key`.
///
/// The document is validated first; its errors come back with their field paths. A key
/// that changes in the document starts (or continues) that other key.
pub async fn save_version(
    app: &App,
    actor: &Actor,
    key: &str,
    base: Pick,
    document: &str,
) -> AppResult<StoredScheme> {
    actor.require(Permission::SchemeManage)?;
    let parsed = Scheme::parse_toml(document).map_err(AppError::SchemeInvalid)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let source = load(&mut c, key, base).await?;
    let new_key = parsed.key().to_string();
    let next = store::max_version(&mut c, &new_key).await?.unwrap_or(0) + 1;
    let text = with_version(document, u32::try_from(next).unwrap_or(1));
    // The text with its version line rewritten must still be the same scheme.
    Scheme::parse_toml(&text).map_err(AppError::SchemeInvalid)?;
    let preset = match &source.stored {
        Some(s) => s.preset.clone(),
        None => Some(source.key.clone()),
    };
    let row = store::insert(
        &mut c,
        &NewScheme {
            key: &new_key,
            version: next,
            document: &text,
            based_on: source.stored.as_ref().map(|s| s.id),
            preset: preset.as_deref(),
            created_by: Some(actor.user_id),
        },
        app.now(),
    )
    .await?;
    audit::created(app, &mut c, &Author::from(actor), "scheme", row.id, &row).await?;
    tx.commit().await?;
    Ok(row)
}

/// Evaluates one attempt under a version of a key; nothing is written.
pub async fn evaluate(
    app: &App,
    actor: &Actor,
    key: &str,
    pick: Pick,
    inputs: &Inputs,
) -> AppResult<(Version, Evaluation)> {
    actor.require(Permission::SchemeRead)?;
    let mut r = app.db.read().await?;
    let v = load(&mut r.conn(), key, pick).await?;
    let e = v.scheme.evaluate(inputs).map_err(AppError::InputsInvalid)?;
    Ok((v, e))
}

// ---------- what-if ----------

/// A problem with one row (or the header, line 1) of an inputs file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    /// The column or component concerned, empty for the row as a whole.
    pub field: String,
    /// A stable code: an input error code, a number error code, or one of `missing-column`,
    /// `unknown-column`, `duplicate-column`, `duplicate-row`, `required`, `bad-attempt`,
    /// and the file codes of `skillcert-reports`.
    pub code: String,
}

/// Pass rate and levels of one version over the rows.
#[derive(Debug, Clone, Serialize)]
pub struct Outcomes {
    pub evaluated: usize,
    pub passed: usize,
    /// Rows without a verdict (incomplete inputs).
    pub incomplete: usize,
    /// In hundredths of a percent, `None` without evaluated rows.
    pub pass_rate: Option<Score>,
    /// Band key (empty for none) → count, in band order then "none".
    pub levels: Vec<(String, usize)>,
}

/// One row whose verdict differs between the two versions.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub line: usize,
    pub employee_no: String,
    pub attempt: u32,
    pub before: RowVerdict,
    pub after: RowVerdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowVerdict {
    pub total: Option<Score>,
    pub passed: Option<bool>,
    pub level: Option<String>,
    pub consequence: Option<String>,
    pub hold: bool,
}

impl RowVerdict {
    fn of(e: &Evaluation) -> RowVerdict {
        RowVerdict {
            total: e.total(),
            passed: e.passed(),
            level: e.level().map(str::to_string),
            consequence: e.consequence().map(|s| s.key.clone()),
            hold: e.hold,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WhatIf {
    pub current: Version,
    pub edited: Version,
    pub rows: usize,
    pub before: Outcomes,
    pub after: Outcomes,
    pub changes: Vec<Change>,
    pub problems: Vec<RowProblem>,
}

/// Compares two versions of a key over an inputs file in the format of
/// `skillcert evaluate` (header `employee_no,attempt,<component keys…>`, panel marks `;`
/// separated, per-item panels `/` between items). Rows that either version cannot
/// evaluate are reported and left out of both sides.
pub async fn what_if(
    app: &App,
    actor: &Actor,
    key: &str,
    current: Pick,
    edited: Pick,
    csv: &[u8],
) -> AppResult<WhatIf> {
    actor.require(Permission::SchemeRead)?;
    let (current, edited) = {
        let mut r = app.db.read().await?;
        let mut c = r.conn();
        (
            load(&mut c, key, current).await?,
            load(&mut c, key, edited).await?,
        )
    };
    let mut problems = Vec::new();
    let table = match read_table(csv, FileKind::Csv) {
        Ok(t) => t,
        Err(e) => {
            problems.push(RowProblem {
                line: 0,
                field: String::new(),
                code: e.code().to_string(),
            });
            return Ok(WhatIf {
                before: outcomes(&current.scheme, &[]),
                after: outcomes(&edited.scheme, &[]),
                current,
                edited,
                rows: 0,
                changes: Vec::new(),
                problems,
            });
        }
    };
    let rows = compare(&current.scheme, &edited.scheme, &table, &mut problems);
    let before: Vec<Evaluation> = rows.iter().map(|r| r.before.clone()).collect();
    let after: Vec<Evaluation> = rows.iter().map(|r| r.after.clone()).collect();
    let changes = rows
        .iter()
        .filter_map(|r| {
            let (b, a) = (RowVerdict::of(&r.before), RowVerdict::of(&r.after));
            (b != a).then(|| Change {
                line: r.line,
                employee_no: r.employee_no.clone(),
                attempt: r.before.attempt,
                before: b,
                after: a,
            })
        })
        .collect();
    Ok(WhatIf {
        before: outcomes(&current.scheme, &before),
        after: outcomes(&edited.scheme, &after),
        rows: table.rows.len(),
        current,
        edited,
        changes,
        problems,
    })
}

struct Compared {
    line: usize,
    employee_no: String,
    before: Evaluation,
    after: Evaluation,
}

fn compare(
    current: &Scheme,
    edited: &Scheme,
    table: &skillcert_reports::table::RawTable,
    problems: &mut Vec<RowProblem>,
) -> Vec<Compared> {
    let problem = |line: usize, field: &str, code: &str| RowProblem {
        line,
        field: field.to_string(),
        code: code.to_string(),
    };
    let mut columns: BTreeMap<String, usize> = BTreeMap::new();
    let known: HashSet<&str> = current
        .components()
        .iter()
        .chain(edited.components())
        .map(|c| c.key.as_str())
        .chain(["employee_no", "attempt"])
        .collect();
    for (i, h) in table.headers.iter().enumerate() {
        let h = h.trim();
        if !known.contains(h) {
            problems.push(problem(1, h, "unknown-column"));
        } else if columns.insert(h.to_string(), i).is_some() {
            problems.push(problem(1, h, "duplicate-column"));
        }
    }
    let mut missing = false;
    for need in ["employee_no", "attempt"] {
        if !columns.contains_key(need) {
            problems.push(problem(1, need, "missing-column"));
            missing = true;
        }
    }
    if missing || !problems.is_empty() {
        return Vec::new();
    }
    let cell = |row: &skillcert_reports::table::RawRow, key: &str| -> Option<String> {
        columns
            .get(key)
            .and_then(|i| row.cells.get(*i))
            .map(|s| s.trim().to_string())
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for row in &table.rows {
        let before = problems.len();
        let employee_no = cell(row, "employee_no").unwrap_or_default();
        if employee_no.is_empty() {
            problems.push(problem(row.line, "employee_no", "required"));
        }
        let attempt = match cell(row, "attempt").unwrap_or_default().parse::<u32>() {
            Ok(a) if a >= 1 => a,
            _ => {
                problems.push(problem(row.line, "attempt", "bad-attempt"));
                1
            }
        };
        if !employee_no.is_empty() && !seen.insert((employee_no.clone(), attempt)) {
            problems.push(problem(row.line, "employee_no", "duplicate-row"));
        }
        let a = inputs_for(current, row, attempt, &cell, problems);
        let b = inputs_for(edited, row, attempt, &cell, problems);
        if problems.len() > before {
            continue;
        }
        match (current.evaluate(&a), edited.evaluate(&b)) {
            (Ok(before), Ok(after)) => out.push(Compared {
                line: row.line,
                employee_no,
                before,
                after,
            }),
            (a, b) => {
                for e in [a.err(), b.err()].into_iter().flatten() {
                    for ie in e.0 {
                        push_once(problems, problem(row.line, &input_field(&ie), ie.code()));
                    }
                }
            }
        }
    }
    out
}

/// Both versions often share a component, so the same problem is found twice.
fn push_once(problems: &mut Vec<RowProblem>, p: RowProblem) {
    if !problems.contains(&p) {
        problems.push(p);
    }
}

/// The component an input error is about, `attempt` for the attempt.
pub fn input_field(e: &InputError) -> String {
    match e {
        InputError::AttemptZero => "attempt".into(),
        InputError::UnknownComponent(c) => c.clone(),
        InputError::WrongKind { component, .. }
        | InputError::TooFewMarks { component, .. }
        | InputError::Panel { component, .. } => component.clone(),
    }
}

fn inputs_for(
    scheme: &Scheme,
    row: &skillcert_reports::table::RawRow,
    attempt: u32,
    cell: &impl Fn(&skillcert_reports::table::RawRow, &str) -> Option<String>,
    problems: &mut Vec<RowProblem>,
) -> Inputs {
    let mut inputs = Inputs::new().attempt(attempt);
    for comp in scheme.components() {
        let Some(raw) = cell(row, &comp.key).filter(|s| !s.is_empty()) else {
            // A missing value leaves the evaluation incomplete rather than failing it.
            continue;
        };
        let mut bad = |code: &str| {
            push_once(
                problems,
                RowProblem {
                    line: row.line,
                    field: comp.key.clone(),
                    code: code.to_string(),
                },
            );
        };
        let mut marks = |text: &str, sep: char| -> Vec<Score> {
            text.split(sep)
                .filter_map(|m| match Score::parse(m) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        bad(e.code());
                        None
                    }
                })
                .collect()
        };
        let input = match (comp.source, comp.panel.as_ref().map(|p| p.trim)) {
            (SourceKind::Panel, Some(Trim::PerItem)) => Input::ItemMarks(
                raw.split(';')
                    .map(|judge| marks(judge, '/'))
                    .collect::<Vec<_>>(),
            ),
            (SourceKind::Panel, _) => Input::Marks(marks(&raw, ';')),
            _ => match Score::parse(&raw) {
                Ok(s) => Input::Score(s),
                Err(e) => {
                    bad(e.code());
                    continue;
                }
            },
        };
        inputs.values.insert(comp.key.clone(), input);
    }
    inputs
}

fn outcomes(scheme: &Scheme, evaluations: &[Evaluation]) -> Outcomes {
    let mut levels: Vec<(String, usize)> = scheme
        .bands()
        .iter()
        .map(|b| (b.key.clone(), 0))
        .chain([(String::new(), 0)])
        .collect();
    let mut passed = 0;
    let mut incomplete = 0;
    for e in evaluations {
        match e.passed() {
            None => incomplete += 1,
            Some(p) => {
                passed += usize::from(p);
                let level = e.level().unwrap_or("");
                if let Some(slot) = levels.iter_mut().find(|(k, _)| k == level) {
                    slot.1 += 1;
                }
            }
        }
    }
    let complete = evaluations.len() - incomplete;
    let pass_rate = (complete > 0)
        .then(|| {
            // Hundredths of a percent, half-up.
            let num = (passed as u64) * 10_000 * 2 + complete as u64;
            let hundredths = num / (2 * complete as u64);
            u32::try_from(hundredths)
                .ok()
                .and_then(|h| Score::from_hundredths(h).ok())
        })
        .flatten();
    Outcomes {
        evaluated: evaluations.len(),
        passed,
        incomplete,
        pass_rate,
        levels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_round_trip() {
        for p in [Pick::Latest, Pick::Preset, Pick::Stored(3)] {
            assert_eq!(Pick::parse(&p.as_param()), Some(p));
        }
        assert_eq!(Pick::parse(""), Some(Pick::Latest));
        assert_eq!(Pick::parse("0"), None);
        assert_eq!(Pick::parse("x"), None);
    }

    #[test]
    fn the_version_line_is_rewritten_only_at_the_top_level() {
        let doc = "key = \"k\"\nversion = 1\n[[components]]\nversion = 9\n";
        assert_eq!(
            with_version(doc, 4),
            "key = \"k\"\nversion = 4\n[[components]]\nversion = 9\n"
        );
        assert_eq!(with_version("key = 1", 2), "key = 1");
    }

    fn table(csv: &str) -> skillcert_reports::table::RawTable {
        read_table(csv.as_bytes(), FileKind::Csv).unwrap()
    }

    #[test]
    fn a_stricter_pass_line_changes_the_verdicts_between_the_lines() {
        let current = presets::get("s1-certification").unwrap();
        let src = presets::source("s1-certification")
            .unwrap()
            .replace("pass_line = 60", "pass_line = 70");
        let edited = Scheme::parse_toml(&src).unwrap();
        let t = table(
            "\u{feff}employee_no,attempt,theory,practical,daily\n\
             E1,1,85,85,85\nE2,1,65,65,65\nE3,1,50,50,50\nE4,1,,,\n",
        );
        let mut problems = Vec::new();
        let rows = compare(&current, &edited, &t, &mut problems);
        assert_eq!(problems, vec![]);
        assert_eq!(rows.len(), 4);
        let before: Vec<Evaluation> = rows.iter().map(|r| r.before.clone()).collect();
        let after: Vec<Evaluation> = rows.iter().map(|r| r.after.clone()).collect();
        let b = outcomes(&current, &before);
        let a = outcomes(&edited, &after);
        assert_eq!((b.passed, b.incomplete), (2, 1));
        assert_eq!(b.pass_rate.map(|s| s.to_string()), Some("66.67".into()));
        assert_eq!(a.pass_rate.map(|s| s.to_string()), Some("33.33".into()));
        let changed: Vec<&str> = rows
            .iter()
            .filter(|r| RowVerdict::of(&r.before) != RowVerdict::of(&r.after))
            .map(|r| r.employee_no.as_str())
            .collect();
        assert_eq!(changed, ["E2"]);
    }

    #[test]
    fn bad_rows_are_reported_with_their_lines() {
        let s = presets::get("s4-routine-assessment").unwrap();
        let t = table(
            "employee_no,attempt,attendance,inspection,onsite\n\
             E1,1,100,95,90;91;92;93;94;95;96\n\
             E2,1,100,95,90;91\n\
             E1,1,100,x,90;91;92;93;94;95;96\n",
        );
        let mut problems = Vec::new();
        let rows = compare(&s, &s, &t, &mut problems);
        assert_eq!(rows.len(), 1);
        let got: Vec<(usize, &str, &str)> = problems
            .iter()
            .map(|p| (p.line, p.field.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (3, "onsite", "too-few-marks"),
                (4, "employee_no", "duplicate-row"),
                (4, "inspection", "not-a-number"),
            ]
        );
        let mut problems = Vec::new();
        compare(&s, &s, &table("employee_no,onsite,extra\n"), &mut problems);
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes, ["unknown-column", "missing-column"]);
    }
}

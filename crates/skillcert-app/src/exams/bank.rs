//! The question bank and papers: questions of four types kept as immutable versions (an
//! edit adds a version, so an attempt keeps showing what its candidate saw), archiving,
//! CSV/XLSX import and export, and papers built from fixed questions and draw rules.
//!
//! Everything here needs [`Permission::QuestionBank`]: questions carry their keys, so no
//! candidate may read them through these services.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::answer::MultiplePolicy;
use skillcert_domain::exam::paper::{DEFAULT_TOTAL, MAX_ITEMS, PaperError, PaperSpec, Part};
use skillcert_domain::exam::question::{
    Body, Difficulty, Question, QuestionInput, QuestionType, letter,
};
use skillcert_domain::exam::skills::Skill;
use skillcert_domain::org::{FieldError, FieldReason};
use skillcert_domain::text::{Code, TextError, clean};
use skillcert_reports::questions::{duplicate_question_codes, map_question_rows};
use skillcert_reports::table::{FileKind, read_table};
use skillcert_store::papers::{self as paper_store, Paper};
use skillcert_store::questions::{self as store, QuestionQuery, QuestionRow, QuestionVersion};
use skillcert_store::{Conn, Page, StoreError};

use crate::audit::{self, Author, entry};
use crate::error::on_conflict;
use crate::import::{FieldChange, ImportReport, RowIssue};
use crate::{Actor, App, AppError, AppResult};

/// The longest paper title.
pub const TITLE_MAX: usize = 128;
/// The largest paper total and part points, in hundredths (1000 points).
pub const POINTS_MAX: u32 = 100_000;

// ---------- points ----------

/// Hundredths of a point, shown and serialised as the shortest exact decimal (`2`, `2.5`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Points(pub u64);

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (int, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => write!(f, "{int}"),
            _ if frac % 10 == 0 => write!(f, "{int}.{}", frac / 10),
            _ => write!(f, "{int}.{frac:02}"),
        }
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_multiple_of(100) {
            s.serialize_u64(self.0 / 100)
        } else {
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

/// Parses points typed by a person (`2`, `2.5`, `0.25`) into hundredths: more than 0, at
/// most two decimals, at most [`POINTS_MAX`].
pub fn parse_points(raw: &str) -> Result<u32, FieldReason> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldReason::Text(TextError::Empty));
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty())
        || !digits(int)
        || !digits(frac)
        || frac.len() > 2
        || int.len() > 6
    {
        return Err(FieldReason::BadNumber);
    }
    let whole: u32 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| FieldReason::BadNumber)?
    };
    let mut cents: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| FieldReason::BadNumber)?
    };
    if frac.len() == 1 {
        cents *= 10;
    }
    let h = whole.saturating_mul(100).saturating_add(cents);
    if h == 0 {
        return Err(FieldReason::BadNumber);
    }
    if h > POINTS_MAX {
        return Err(FieldReason::OutOfRange);
    }
    Ok(h)
}

/// Reads a JSON string, number or boolean (or a form value) as the text a person would have
/// typed, so that `"points": 2` and `"points": "2"` mean the same; `null` is empty.
pub fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(format!("{v}"))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
    }
    d.deserialize_any(Text)
}

// ---------- questions ----------

/// A question with its current version and every version, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionDetail {
    #[serde(flatten)]
    pub row: QuestionRow,
    pub current: QuestionVersion,
    /// Every version, newest first (the current one included).
    pub history: Vec<QuestionVersion>,
}

/// What the audit log records of a question version.
#[derive(Debug, Serialize)]
struct QuestionAudit<'a> {
    code: &'a str,
    version: i32,
    question: &'a Question,
}

/// The competency model the tags come from.
pub async fn list_skills(app: &App, actor: &Actor) -> AppResult<Vec<Skill>> {
    actor.require(Permission::QuestionBank)?;
    let mut r = app.db.read().await?;
    Ok(store::skills(&mut r.conn()).await?)
}

/// One page of the bank.
pub async fn list_questions(
    app: &App,
    actor: &Actor,
    q: &QuestionQuery,
) -> AppResult<Page<QuestionRow>> {
    actor.require(Permission::QuestionBank)?;
    let mut r = app.db.read().await?;
    Ok(store::list(&mut r.conn(), q).await?)
}

async fn detail(c: &mut Conn<'_>, id: i64) -> AppResult<QuestionDetail> {
    let row = store::get(c, id).await?;
    let current = store::current(c, id).await?;
    let history = store::history(c, id).await?;
    Ok(QuestionDetail {
        row,
        current,
        history,
    })
}

/// A question with its key, its current version and its history.
pub async fn get_question(app: &App, actor: &Actor, id: i64) -> AppResult<QuestionDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut r = app.db.read().await?;
    detail(&mut r.conn(), id).await
}

async fn skill_codes(c: &mut Conn<'_>) -> AppResult<HashSet<String>> {
    Ok(store::skills(c)
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect())
}

/// Adds a question as version 1. `code` is the given code, or `None` (or blank) for a
/// generated one (`Q000123`).
pub async fn create_question(
    app: &App,
    actor: &Actor,
    code: Option<&str>,
    input: &QuestionInput,
) -> AppResult<QuestionDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let skills = skill_codes(&mut c).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let code = match code.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match Code::parse(raw) {
            Ok(code) => {
                if store::code_exists(&mut c, code.as_str()).await? {
                    errors.push(FieldError::new("code", FieldReason::Duplicate));
                }
                Some(code.as_str().to_string())
            }
            Err(e) => {
                errors.push(FieldError::new("code", e));
                None
            }
        },
    };
    let question = match input.validate(&|t| skills.contains(t)) {
        Ok(q) => Some(q),
        Err(es) => {
            errors.extend(es);
            None
        }
    };
    let Some(question) = question.filter(|_| errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let code = match code {
        Some(code) => code,
        None => store::next_code(&mut c).await?,
    };
    let (id, _) = store::insert(&mut c, &code, &question, Some(actor.user_id), app.now())
        .await
        .map_err(on_conflict("code"))?;
    let after = QuestionAudit {
        code: &code,
        version: 1,
        question: &question,
    };
    audit::created(app, &mut c, &Author::from(actor), "question", id, &after).await?;
    let d = detail(&mut c, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// Saves `input` as the next version of question `id`. Earlier versions stay as they were:
/// attempts keep pointing at the version their candidate saw.
pub async fn update_question(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &QuestionInput,
) -> AppResult<QuestionDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before_row = store::get(&mut c, id).await?;
    let before = store::current(&mut c, id).await?;
    let skills = skill_codes(&mut c).await?;
    let question = input.validate(&|t| skills.contains(t))?;
    let after_row =
        store::add_version(&mut c, id, &question, Some(actor.user_id), app.now()).await?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "question",
        id,
        &QuestionAudit {
            code: &before_row.code,
            version: before.version,
            question: &before.question,
        },
        &QuestionAudit {
            code: &after_row.code,
            version: after_row.version,
            question: &question,
        },
    )
    .await?;
    let d = detail(&mut c, id).await?;
    tx.commit().await?;
    Ok(d)
}

/// Archives (`true`) or restores (`false`) a question. Archived questions stay readable and
/// keep their history but are not drawn into new papers.
pub async fn set_archived(
    app: &App,
    actor: &Actor,
    id: i64,
    archived: bool,
) -> AppResult<QuestionRow> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get(&mut c, id).await?;
    if before.archived == archived {
        return Ok(before);
    }
    store::set_archived(&mut c, id, archived, app.now()).await?;
    let after = store::get(&mut c, id).await?;
    let action = if archived {
        "question.archive"
    } else {
        "question.restore"
    };
    audit::record(
        app,
        &mut c,
        &Author::from(actor),
        action,
        "question",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Every question matching `q` (all pages) at its current version, as `(code, input)` pairs
/// ready for a file that imports again unchanged.
pub async fn export_questions(
    app: &App,
    actor: &Actor,
    q: &QuestionQuery,
) -> AppResult<Vec<(String, QuestionInput)>> {
    actor.require(Permission::QuestionBank)?;
    let mut r = app.db.read().await?;
    Ok(store::export(&mut r.conn(), q)
        .await?
        .into_iter()
        .map(|(row, v)| (row.code, QuestionInput::from_question(&v.question)))
        .collect())
}

// ---------- import ----------

/// A question an import changed, with the fields that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdatedQuestion {
    pub line: usize,
    pub code: String,
    /// The version the import adds (or would add, in a dry run).
    pub version: i32,
    pub changes: Vec<FieldChange>,
}

/// What a question import did, or would do (dry run). A refused file is
/// [`AppError::ImportRejected`] with the issues, as for employees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QuestionImportReport {
    pub rows: usize,
    /// Codes of the new questions.
    pub created: Vec<String>,
    pub updated: Vec<UpdatedQuestion>,
    pub unchanged: usize,
    pub issues: Vec<RowIssue>,
    pub dry_run: bool,
}

/// Every code an import issue of this module can have (the file-level ones of
/// `skillcert_reports::table` and the header ones of the mapper come on top).
pub const IMPORT_ISSUE_CODES: &[&str] = &[
    "duplicate-code-in-file",
    "option-gap",
    "required",
    "too-long",
    "bad-characters",
    "not-found",
    "not-allowed",
    "bad-number",
    "out-of-range",
    "too-many",
    "option-count",
    "key-out-of-range",
    "key-count",
];

fn row_issue(line: usize, column: &str, code: &str, detail: Option<String>) -> RowIssue {
    RowIssue {
        line,
        column: Some(column.to_string()),
        code: code.to_string(),
        detail,
    }
}

/// The issue of one field error of a row, quoting what the message needs.
fn field_issue(
    line: usize,
    e: &FieldError,
    input: &QuestionInput,
    skills: &HashSet<String>,
) -> RowIssue {
    let code = e.reason.code();
    let detail = match (e.field, code) {
        (_, "too-long" | "too-short") => e.reason.limit().map(|l| l.to_string()),
        ("tags", "not-found") => input
            .tags
            .split(|c: char| matches!(c, ';' | ',' | '，' | '；') || c.is_whitespace())
            .map(str::trim)
            .find(|t| !t.is_empty() && !skills.contains(*t))
            .map(str::to_string),
        ("type", "not-allowed") => Some(input.qtype.trim().to_string()),
        ("key", "not-allowed" | "key-out-of-range") => Some(input.key.trim().to_string()),
        _ => None,
    };
    // A blank option before a given one is a gap, which "required" would not explain.
    let code = if e.field == "options" && code == "required" {
        "option-gap"
    } else {
        code
    };
    row_issue(line, e.field, code, detail)
}

/// A row with line breaks inside its text cells (Alt+Enter in Excel) turned into spaces, as
/// the form does: stems, options and explanations are single lines. Key points keep theirs,
/// one point per line.
fn one_line_cells(input: &QuestionInput) -> QuestionInput {
    let flat = |s: &str| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    QuestionInput {
        stem: flat(&input.stem),
        options: input.options.iter().map(|o| flat(o)).collect(),
        explanation: flat(&input.explanation),
        model_answer: flat(&input.model_answer),
        ..input.clone()
    }
}

/// The fields of `after` that differ from `before`, as a person reads them.
fn question_changes(before: &Question, after: &Question) -> Vec<FieldChange> {
    let b = QuestionInput::from_question(before);
    let a = QuestionInput::from_question(after);
    let mut out = Vec::new();
    let mut push = |field: &'static str, before: String, after: String| {
        if before != after {
            out.push(FieldChange {
                field,
                before,
                after,
            });
        }
    };
    push("type", b.qtype, a.qtype);
    push("stem", b.stem, a.stem);
    push("options", b.options.join(" | "), a.options.join(" | "));
    push("key", b.key, a.key);
    push("points", b.points, a.points);
    push("tags", b.tags, a.tags);
    push("difficulty", b.difficulty, a.difficulty);
    push("explanation", b.explanation, a.explanation);
    push("key_points", b.key_points, a.key_points);
    push("model_answer", b.model_answer, a.model_answer);
    out
}

/// Imports questions from a CSV or XLSX file, one per row. Every row is checked first (with
/// the same rules as the form); if any is wrong nothing is written and every problem is
/// reported. A row whose code exists updates that question as a new version, unless nothing
/// changed; a row without a code gets a generated one. With `dry_run` nothing is written.
pub async fn import_questions(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<QuestionImportReport> {
    actor.require(Permission::QuestionBank)?;
    let reject = |issues: Vec<RowIssue>, rows: usize| {
        AppError::ImportRejected(Box::new(ImportReport {
            rows,
            issues,
            dry_run,
            ..ImportReport::default()
        }))
    };
    let file_issue = |code: &str, detail: Option<String>| RowIssue {
        line: 0,
        column: None,
        code: code.to_string(),
        detail,
    };
    if bytes.is_empty() {
        return Err(reject(vec![file_issue("file-empty", None)], 0));
    }
    let Some(kind) = FileKind::detect(file_name, bytes) else {
        return Err(reject(vec![file_issue("unknown-format", None)], 0));
    };
    let table = read_table(bytes, kind)
        .map_err(|e| reject(vec![file_issue(e.code(), Some(e.to_string()))], 0))?;
    let rows = map_question_rows(table)
        .map_err(|issues| reject(issues.into_iter().map(RowIssue::from).collect(), 0))?;
    let n = rows.len();

    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let skills = skill_codes(&mut c).await?;
    let given: Vec<String> = rows
        .iter()
        .filter(|r| !r.code.is_empty())
        .map(|r| r.code.clone())
        .collect();
    let existing: HashMap<String, QuestionRow> = store::by_codes(&mut c, &given)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();

    let mut issues: Vec<RowIssue> = duplicate_question_codes(&rows)
        .into_iter()
        .map(RowIssue::from)
        .collect();
    let mut valid: Vec<(usize, String, Question)> = Vec::with_capacity(n);
    for row in &rows {
        let before = issues.len();
        if !row.code.is_empty()
            && let Err(e) = Code::parse(&row.code)
        {
            issues.push(field_issue(
                row.line,
                &FieldError::new("code", e),
                &row.input,
                &skills,
            ));
        }
        let input = one_line_cells(&row.input);
        match input.validate(&|t| skills.contains(t)) {
            Ok(q) if issues.len() == before => valid.push((row.line, row.code.clone(), q)),
            Ok(_) => {}
            Err(errs) => {
                for e in &errs {
                    issues.push(field_issue(row.line, e, &input, &skills));
                }
            }
        }
    }
    if !issues.is_empty() {
        issues.sort_by_key(|i| i.line);
        return Err(reject(issues, n));
    }

    let mut report = QuestionImportReport {
        rows: n,
        dry_run,
        ..QuestionImportReport::default()
    };
    let unnamed = valid.iter().filter(|(_, code, _)| code.is_empty()).count();
    let mut fresh = store::next_codes(&mut c, unnamed, &given)
        .await?
        .into_iter();
    let mut new_rows: Vec<(String, Question)> = Vec::new();
    let mut changed: Vec<(QuestionRow, QuestionVersion, Question)> = Vec::new();
    for (line, code, q) in valid {
        match existing.get(&code) {
            Some(row) => {
                let current = store::current(&mut c, row.id).await?;
                let changes = question_changes(&current.question, &q);
                if changes.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.updated.push(UpdatedQuestion {
                        line,
                        code: code.clone(),
                        version: row.version + 1,
                        changes,
                    });
                    changed.push((row.clone(), current, q));
                }
            }
            None => {
                let code = if code.is_empty() {
                    fresh.next().ok_or_else(|| {
                        AppError::Internal(anyhow::anyhow!("too few generated question codes"))
                    })?
                } else {
                    code
                };
                report.created.push(code.clone());
                new_rows.push((code, q));
            }
        }
    }
    if dry_run {
        return Ok(report);
    }

    let now = app.now();
    let author = Author::from(actor);
    let by = Some(actor.user_id);
    let mut audits = Vec::with_capacity(new_rows.len() + changed.len() + 1);
    for (code, q) in &new_rows {
        let (id, _) = store::insert(&mut c, code, q, by, now)
            .await
            .map_err(on_conflict("code"))?;
        audits.push(entry(
            app,
            &author,
            "question.import_create",
            "question",
            Some(id.to_string()),
            None::<&()>,
            Some(&QuestionAudit {
                code,
                version: 1,
                question: q,
            }),
        ));
    }
    for (row, current, q) in &changed {
        let after = store::add_version(&mut c, row.id, q, by, now).await?;
        audits.push(entry(
            app,
            &author,
            "question.import_update",
            "question",
            Some(row.id.to_string()),
            Some(&QuestionAudit {
                code: &row.code,
                version: current.version,
                question: &current.question,
            }),
            Some(&QuestionAudit {
                code: &row.code,
                version: after.version,
                question: q,
            }),
        ));
    }
    #[derive(Serialize)]
    struct Summary<'a> {
        file: &'a str,
        rows: usize,
        created: usize,
        updated: usize,
        unchanged: usize,
    }
    audits.push(entry(
        app,
        &author,
        "question.import",
        "import",
        None,
        None::<&()>,
        Some(&Summary {
            file: file_name,
            rows: n,
            created: report.created.len(),
            updated: report.updated.len(),
            unchanged: report.unchanged,
        }),
    ));
    skillcert_store::audit::append(&mut c, audits).await?;
    tx.commit().await?;
    Ok(report)
}

// ---------- papers ----------

/// A paper as typed in the form or sent to the API: every value text, parts in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct PaperInput {
    /// Letters, digits, `-` and `_`; fixed once the paper exists.
    pub code: String,
    pub title: String,
    /// The declared total in points; empty means 100.
    #[serde(deserialize_with = "lenient_text")]
    pub total: String,
    /// `all_or_nothing` (empty) or `partial`: how multiple-choice answers score.
    pub policy: String,
    pub shuffle_questions: bool,
    pub shuffle_options: bool,
    pub archived: bool,
    pub parts: Vec<PartInput>,
}

/// One line of a paper: a fixed question by code, or a rule drawing `count` questions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct PartInput {
    /// `fixed` or `rule`; empty means `fixed` when a question is named, else `rule`.
    pub kind: String,
    /// Fixed: the question's code.
    pub question: String,
    /// Rule: the type drawn.
    pub qtype: String,
    /// Rule, optional: a skill code the drawn questions carry.
    pub tag: String,
    /// Rule, optional: 1 to 5.
    #[serde(deserialize_with = "lenient_text")]
    pub difficulty: String,
    /// Rule: how many questions are drawn.
    #[serde(deserialize_with = "lenient_text")]
    pub count: String,
    /// Points of each question; for a fixed question empty means its own points.
    #[serde(deserialize_with = "lenient_text")]
    pub points: String,
}

impl PartInput {
    /// Whether the line is blank (forms carry spare blank lines).
    pub fn is_blank(&self) -> bool {
        [
            &self.question,
            &self.qtype,
            &self.tag,
            &self.difficulty,
            &self.count,
            &self.points,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }

    fn is_fixed(&self) -> bool {
        match self.kind.trim() {
            "fixed" => true,
            "rule" => false,
            _ => !self.question.trim().is_empty(),
        }
    }
}

/// One problem of a paper. `field` is `code`, `title`, `total`, `policy`, `parts`,
/// `parts[i]` or `parts[i].<name>` (`i` counts from 0 over the parts sent); `code` is a field
/// reason (`required`, `bad-number`, …) or a paper check (`paper-total-mismatch`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperIssue {
    pub field: String,
    pub code: String,
    /// What the message quotes: `part` (from 1), `question`, `needed`, `available`, `sum`,
    /// `total`, `limit`.
    pub args: BTreeMap<String, String>,
}

impl PaperIssue {
    fn new(field: impl Into<String>, code: &str) -> Self {
        PaperIssue {
            field: field.into(),
            code: code.to_string(),
            args: BTreeMap::new(),
        }
    }

    fn reason(field: impl Into<String>, reason: &FieldReason) -> Self {
        let mut i = PaperIssue::new(field, reason.code());
        if let Some(l) = reason.limit() {
            i.args.insert("limit".into(), l.to_string());
        }
        i
    }

    fn arg(mut self, k: &str, v: impl ToString) -> Self {
        self.args.insert(k.to_string(), v.to_string());
        self
    }

    /// The message key: `paper-error-<check>` for paper checks and unknown questions or
    /// tags (whose messages quote them), `field-<reason>` otherwise.
    pub fn message_key(&self) -> String {
        if let Some(rest) = self.code.strip_prefix("paper-") {
            return format!("paper-error-{rest}");
        }
        if self.code == "not-found" {
            if self.field.ends_with(".question") {
                return "paper-error-question-not-found".into();
            }
            if self.field.ends_with(".tag") {
                return "paper-error-tag-not-found".into();
            }
        }
        format!("field-{}", self.code)
    }

    /// Every paper check code, for the translation tests.
    pub const CHECK_CODES: &'static [&'static str] = &[
        "paper-empty",
        "paper-too-many-items",
        "paper-unknown-question",
        "paper-duplicate-question",
        "paper-empty-rule",
        "paper-not-enough-questions",
        "paper-total-mismatch",
    ];
}

/// Why a paper could not be saved or drawn.
#[derive(Debug)]
pub enum PaperFailure {
    /// Not allowed, not found, or a failure of the system.
    App(AppError),
    /// The paper is wrong; every problem is listed.
    Invalid(Vec<PaperIssue>),
}

impl From<AppError> for PaperFailure {
    fn from(e: AppError) -> Self {
        PaperFailure::App(e)
    }
}

impl From<StoreError> for PaperFailure {
    fn from(e: StoreError) -> Self {
        PaperFailure::App(e.into())
    }
}

pub type PaperResult<T> = Result<T, PaperFailure>;

/// One part of a paper as shown: fixed questions with their code and stem.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub kind: &'static str,
    pub question_id: Option<i64>,
    pub question_code: Option<String>,
    pub question_stem: Option<String>,
    pub qtype: Option<QuestionType>,
    pub tag: Option<String>,
    pub difficulty: Option<u8>,
    /// Questions the part puts on the paper.
    pub count: u32,
    /// Points of each question (a fixed question's own points when the paper gives none).
    pub points: Points,
    pub subtotal: Points,
}

/// A paper with its parts resolved and checked against today's bank.
#[derive(Debug, Clone, Serialize)]
pub struct PaperDetail {
    #[serde(flatten)]
    pub paper: Paper,
    pub parts: Vec<PartView>,
    /// Questions on each drawn paper.
    pub items: u64,
    pub declared_total: Points,
    /// What the parts add up to.
    pub sum: Points,
    /// Why the paper cannot be drawn today (questions archived since it was saved, …);
    /// empty when it can.
    pub problems: Vec<PaperIssue>,
}

/// Every paper, newest first.
pub async fn list_papers(
    app: &App,
    actor: &Actor,
    include_archived: bool,
) -> AppResult<Vec<Paper>> {
    actor.require(Permission::QuestionBank)?;
    let mut r = app.db.read().await?;
    Ok(paper_store::list(&mut r.conn(), include_archived).await?)
}

fn paper_issues(errors: Vec<PaperError>, code_of: &HashMap<i64, String>) -> Vec<PaperIssue> {
    let question = |id: i64| {
        code_of
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    };
    errors
        .into_iter()
        .map(|e| {
            let code = e.code();
            match e {
                PaperError::Empty => PaperIssue::new("parts", code),
                PaperError::TooManyItems => PaperIssue::new("parts", code).arg("limit", MAX_ITEMS),
                PaperError::UnknownQuestion { part, question_id }
                | PaperError::DuplicateQuestion { part, question_id } => {
                    PaperIssue::new(format!("parts[{}]", part - 1), code)
                        .arg("part", part)
                        .arg("question", question(question_id))
                }
                PaperError::EmptyRule { part } => {
                    PaperIssue::new(format!("parts[{}]", part - 1), code).arg("part", part)
                }
                PaperError::NotEnoughQuestions {
                    part,
                    needed,
                    available,
                } => PaperIssue::new(format!("parts[{}]", part - 1), code)
                    .arg("part", part)
                    .arg("needed", needed)
                    .arg("available", available),
                PaperError::TotalMismatch { sum, total } => PaperIssue::new("total", code)
                    .arg("sum", Points(sum))
                    .arg("total", Points(u64::from(total))),
            }
        })
        .collect()
}

/// Codes of the questions a spec names, by id.
async fn codes_of(c: &mut Conn<'_>, spec: &PaperSpec) -> AppResult<HashMap<i64, QuestionRow>> {
    let ids: Vec<i64> = spec
        .parts
        .iter()
        .filter_map(|p| match p {
            Part::Fixed { question_id, .. } => Some(*question_id),
            Part::Rule { .. } => None,
        })
        .collect();
    Ok(store::by_ids(c, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

/// The checked spec of `input`, or every problem with it.
async fn parse_paper(
    c: &mut Conn<'_>,
    input: &PaperInput,
) -> PaperResult<(String, PaperSpec, HashMap<i64, String>)> {
    let mut issues = Vec::new();
    let title = match clean(&input.title, TITLE_MAX) {
        Ok(t) => t,
        Err(e) => {
            issues.push(PaperIssue::reason("title", &FieldReason::Text(e)));
            String::new()
        }
    };
    let total = if input.total.trim().is_empty() {
        DEFAULT_TOTAL
    } else {
        parse_points(&input.total).unwrap_or_else(|r| {
            issues.push(PaperIssue::reason("total", &r));
            DEFAULT_TOTAL
        })
    };
    let policy = if input.policy.trim().is_empty() {
        MultiplePolicy::AllOrNothing
    } else {
        MultiplePolicy::parse(&input.policy).unwrap_or_else(|| {
            issues.push(PaperIssue::reason("policy", &FieldReason::NotAllowed));
            MultiplePolicy::AllOrNothing
        })
    };
    let skills = skill_codes(c).await?;
    let named: Vec<String> = input
        .parts
        .iter()
        .filter(|p| p.is_fixed())
        .map(|p| p.question.trim().to_string())
        .filter(|q| !q.is_empty())
        .collect();
    let by_code: HashMap<String, QuestionRow> = store::by_codes(c, &named)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    let mut parts = Vec::with_capacity(input.parts.len());
    for (i, p) in input.parts.iter().enumerate() {
        let field = |name: &str| format!("parts[{i}].{name}");
        let before = issues.len();
        if !matches!(p.kind.trim(), "" | "fixed" | "rule") {
            issues.push(PaperIssue::reason(field("kind"), &FieldReason::NotAllowed));
            continue;
        }
        if p.is_fixed() {
            let code = p.question.trim();
            let question = if code.is_empty() {
                issues.push(PaperIssue::reason(
                    field("question"),
                    &FieldReason::Text(TextError::Empty),
                ));
                None
            } else {
                match by_code.get(code) {
                    Some(q) => Some(q.id),
                    None => {
                        issues.push(
                            PaperIssue::reason(field("question"), &FieldReason::NotFound)
                                .arg("question", code),
                        );
                        None
                    }
                }
            };
            let points = if p.points.trim().is_empty() {
                None
            } else {
                match parse_points(&p.points) {
                    Ok(h) => Some(h),
                    Err(r) => {
                        issues.push(PaperIssue::reason(field("points"), &r));
                        None
                    }
                }
            };
            if let (Some(question_id), true) = (question, issues.len() == before) {
                parts.push(Part::Fixed {
                    question_id,
                    points,
                });
            }
        } else {
            let qtype = match QuestionType::parse(&p.qtype) {
                Some(t) => Some(t),
                None => {
                    let reason = if p.qtype.trim().is_empty() {
                        FieldReason::Text(TextError::Empty)
                    } else {
                        FieldReason::NotAllowed
                    };
                    issues.push(PaperIssue::reason(field("qtype"), &reason));
                    None
                }
            };
            let tag = match p.tag.trim() {
                "" => None,
                t if skills.contains(t) => Some(t.to_string()),
                t => {
                    issues.push(
                        PaperIssue::reason(field("tag"), &FieldReason::NotFound).arg("tag", t),
                    );
                    None
                }
            };
            let difficulty = match p.difficulty.trim() {
                "" => None,
                d => match d.parse::<u8>().ok().and_then(Difficulty::new) {
                    Some(d) => Some(d),
                    None => {
                        issues.push(PaperIssue::reason(
                            field("difficulty"),
                            &FieldReason::OutOfRange,
                        ));
                        None
                    }
                },
            };
            let count = match p.count.trim() {
                "" => {
                    issues.push(PaperIssue::reason(
                        field("count"),
                        &FieldReason::Text(TextError::Empty),
                    ));
                    None
                }
                n => match n.parse::<u32>() {
                    Ok(n) if (1..=MAX_ITEMS as u32).contains(&n) => Some(n),
                    _ => {
                        issues.push(PaperIssue::reason(field("count"), &FieldReason::BadNumber));
                        None
                    }
                },
            };
            let points = match parse_points(&p.points) {
                Ok(h) => Some(h),
                Err(r) => {
                    issues.push(PaperIssue::reason(field("points"), &r));
                    None
                }
            };
            if let (Some(qtype), Some(count), Some(points), true) =
                (qtype, count, points, issues.len() == before)
            {
                parts.push(Part::Rule {
                    qtype,
                    tag,
                    difficulty,
                    count,
                    points,
                });
            }
        }
    }
    if !issues.is_empty() {
        return Err(PaperFailure::Invalid(issues));
    }
    let spec = PaperSpec {
        total,
        policy,
        shuffle_questions: input.shuffle_questions,
        shuffle_options: input.shuffle_options,
        parts,
    };
    let code_of: HashMap<i64, String> = by_code.into_values().map(|r| (r.id, r.code)).collect();
    let pool = store::pool(c).await?;
    spec.check(&pool)
        .map_err(|es| PaperFailure::Invalid(paper_issues(es, &code_of)))?;
    Ok((title, spec, code_of))
}

async fn paper_detail(c: &mut Conn<'_>, paper: Paper) -> AppResult<PaperDetail> {
    let rows = codes_of(c, &paper.spec).await?;
    let mut parts = Vec::with_capacity(paper.spec.parts.len());
    let mut items: u64 = 0;
    let mut sum: u64 = 0;
    for p in &paper.spec.parts {
        match p {
            Part::Fixed {
                question_id,
                points,
            } => {
                let row = rows.get(question_id);
                let each =
                    u64::from(points.unwrap_or_else(|| row.map_or(0, |r| r.points.max(0) as u32)));
                items += 1;
                sum += each;
                parts.push(PartView {
                    kind: "fixed",
                    question_id: Some(*question_id),
                    question_code: row.map(|r| r.code.clone()),
                    question_stem: row.map(|r| r.stem.clone()),
                    qtype: row.and_then(|r| QuestionType::parse(&r.qtype)),
                    tag: None,
                    difficulty: row.map(|r| r.difficulty.clamp(0, 5) as u8),
                    count: 1,
                    points: Points(each),
                    subtotal: Points(each),
                });
            }
            Part::Rule {
                qtype,
                tag,
                difficulty,
                count,
                points,
            } => {
                let subtotal = u64::from(*count) * u64::from(*points);
                items += u64::from(*count);
                sum += subtotal;
                parts.push(PartView {
                    kind: "rule",
                    question_id: None,
                    question_code: None,
                    question_stem: None,
                    qtype: Some(*qtype),
                    tag: tag.clone(),
                    difficulty: difficulty.map(Difficulty::level),
                    count: *count,
                    points: Points(u64::from(*points)),
                    subtotal: Points(subtotal),
                });
            }
        }
    }
    let pool = store::pool(c).await?;
    let code_of: HashMap<i64, String> = rows.into_values().map(|r| (r.id, r.code)).collect();
    let problems = match paper.spec.check(&pool) {
        Ok(()) => Vec::new(),
        Err(es) => paper_issues(es, &code_of),
    };
    Ok(PaperDetail {
        declared_total: Points(u64::from(paper.spec.total)),
        paper,
        parts,
        items,
        sum: Points(sum),
        problems,
    })
}

/// A paper with its parts, its sum and whether today's bank can still draw it.
pub async fn get_paper(app: &App, actor: &Actor, id: i64) -> AppResult<PaperDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let paper = paper_store::get(&mut c, id).await?;
    paper_detail(&mut c, paper).await
}

/// The form input that reproduces a stored paper (for the edit form).
pub async fn paper_input(app: &App, actor: &Actor, id: i64) -> AppResult<PaperInput> {
    let d = get_paper(app, actor, id).await?;
    let spec = &d.paper.spec;
    let parts = spec
        .parts
        .iter()
        .zip(&d.parts)
        .map(|(p, v)| match p {
            Part::Fixed { points, .. } => PartInput {
                kind: "fixed".into(),
                question: v.question_code.clone().unwrap_or_default(),
                points: points
                    .map(|h| Points(u64::from(h)).to_string())
                    .unwrap_or_default(),
                ..PartInput::default()
            },
            Part::Rule {
                qtype,
                tag,
                difficulty,
                count,
                points,
            } => PartInput {
                kind: "rule".into(),
                qtype: qtype.key().into(),
                tag: tag.clone().unwrap_or_default(),
                difficulty: difficulty
                    .map(|d| d.level().to_string())
                    .unwrap_or_default(),
                count: count.to_string(),
                points: Points(u64::from(*points)).to_string(),
                ..PartInput::default()
            },
        })
        .collect();
    Ok(PaperInput {
        code: d.paper.code.clone(),
        title: d.paper.title.clone(),
        total: Points(u64::from(spec.total)).to_string(),
        policy: spec.policy.key().into(),
        shuffle_questions: spec.shuffle_questions,
        shuffle_options: spec.shuffle_options,
        archived: d.paper.archived,
        parts,
    })
}

/// Saves a new paper after checking it against the bank: its parts must exist, rules must
/// find enough questions, and the parts must add up to the declared total.
pub async fn create_paper(
    app: &App,
    actor: &Actor,
    input: &PaperInput,
) -> PaperResult<PaperDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let code = match Code::parse(&input.code) {
        Ok(code) => match paper_store::get_by_code(&mut c, code.as_str()).await {
            Ok(_) => Err(PaperIssue::reason("code", &FieldReason::Duplicate)),
            Err(StoreError::NotFound) => Ok(code),
            Err(e) => return Err(e.into()),
        },
        Err(e) => Err(PaperIssue::reason("code", &FieldReason::Text(e))),
    };
    // Every problem at once: a bad code does not hide the problems of the parts.
    let (code, title, spec) = match (code, parse_paper(&mut c, input).await) {
        (Ok(code), Ok((title, spec, _))) => (code, title, spec),
        (Err(i), Ok(_)) => return Err(PaperFailure::Invalid(vec![i])),
        (Err(i), Err(PaperFailure::Invalid(mut is))) => {
            is.insert(0, i);
            return Err(PaperFailure::Invalid(is));
        }
        (_, Err(e)) => return Err(e),
    };
    let paper = paper_store::insert(&mut c, code.as_str(), &title, &spec, app.now())
        .await
        .map_err(|e| PaperFailure::App(on_conflict("code")(e)))?;
    let paper = if input.archived {
        paper_store::update(&mut c, paper.id, &title, &spec, true, app.now()).await?
    } else {
        paper
    };
    audit::created(app, &mut c, &Author::from(actor), "paper", paper.id, &paper).await?;
    let d = paper_detail(&mut c, paper).await?;
    tx.commit().await?;
    Ok(d)
}

/// Changes a paper's title, parts, total, policy, shuffling or archived flag (its code stays).
/// Exam sessions already published keep the paper as it was when they were published.
pub async fn update_paper(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PaperInput,
) -> PaperResult<PaperDetail> {
    actor.require(Permission::QuestionBank)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = paper_store::get(&mut c, id).await?;
    let (title, spec, _) = parse_paper(&mut c, input).await?;
    let after = paper_store::update(&mut c, id, &title, &spec, input.archived, app.now()).await?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "paper",
        id,
        &before,
        &after,
    )
    .await?;
    let d = paper_detail(&mut c, after).await?;
    tx.commit().await?;
    Ok(d)
}

/// One option of a previewed question, in the order the candidate would see it.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewOption {
    /// The letter shown (`A` for the first option shown).
    pub letter: String,
    /// The option's letter in the bank.
    pub original: String,
    pub text: String,
    pub correct: bool,
}

/// One question of a previewed paper.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewItem {
    /// From 1.
    pub position: usize,
    pub question_id: i64,
    pub version_id: i64,
    pub version: i32,
    pub code: String,
    pub qtype: QuestionType,
    pub stem: String,
    pub points: Points,
    pub options: Vec<PreviewOption>,
    /// The key in the letters shown (`T`/`F` for true/false, empty for short answers).
    pub key: String,
    pub key_points: Vec<String>,
}

/// A paper drawn once, as one candidate would get it.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub paper_id: i64,
    pub code: String,
    pub title: String,
    /// Draw again with this seed to get the same paper.
    pub seed: u64,
    pub total: Points,
    pub items: Vec<PreviewItem>,
}

/// Draws paper `id` from today's bank with `seed` (a random one when `None`).
pub async fn preview_paper(
    app: &App,
    actor: &Actor,
    id: i64,
    seed: Option<u64>,
) -> PaperResult<Preview> {
    actor.require(Permission::QuestionBank)?;
    // Below 2^53 so that JavaScript clients read the seed exactly.
    let seed = seed.unwrap_or_else(|| rand::random::<u64>() >> 11);
    let mut r = app.db.read().await.map_err(AppError::from)?;
    let mut c = r.conn();
    let paper = paper_store::get(&mut c, id).await?;
    let pool = store::pool(&mut c).await?;
    let drawn = match paper.spec.draw(&pool, seed) {
        Ok(d) => d,
        Err(e) => {
            let rows = codes_of(&mut c, &paper.spec).await?;
            let code_of = rows.into_values().map(|r| (r.id, r.code)).collect();
            return Err(PaperFailure::Invalid(paper_issues(vec![e], &code_of)));
        }
    };
    let version_ids: Vec<i64> = drawn.iter().map(|d| d.version_id).collect();
    let versions: HashMap<i64, QuestionVersion> = store::versions(&mut c, &version_ids)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let ids: Vec<i64> = drawn.iter().map(|d| d.question_id).collect();
    let codes: HashMap<i64, String> = store::by_ids(&mut c, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r.code))
        .collect();
    let mut items = Vec::with_capacity(drawn.len());
    let mut total: u64 = 0;
    for (i, d) in drawn.iter().enumerate() {
        let v = versions.get(&d.version_id).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "question version {} vanished",
                d.version_id
            ))
        })?;
        let q = &v.question;
        let correct = |original: u8| match &q.body {
            Body::Single { key, .. } => *key == original,
            Body::Multiple { key, .. } => key.contains(&original),
            _ => false,
        };
        let texts = q.body.options();
        let options: Vec<PreviewOption> = d
            .order
            .iter()
            .enumerate()
            .filter_map(|(shown, original)| {
                texts.get(usize::from(*original)).map(|text| PreviewOption {
                    letter: letter(shown as u8).to_string(),
                    original: letter(*original).to_string(),
                    text: text.clone(),
                    correct: correct(*original),
                })
            })
            .collect();
        let key = match &q.body {
            Body::Single { .. } | Body::Multiple { .. } => options
                .iter()
                .filter(|o| o.correct)
                .map(|o| o.letter.as_str())
                .collect(),
            other => other.key_text(),
        };
        let key_points = match &q.body {
            Body::Short { key_points, .. } => key_points.clone(),
            _ => Vec::new(),
        };
        total += u64::from(d.points);
        items.push(PreviewItem {
            position: i + 1,
            question_id: d.question_id,
            version_id: d.version_id,
            version: v.version,
            code: codes.get(&d.question_id).cloned().unwrap_or_default(),
            qtype: q.body.qtype(),
            stem: q.stem.clone(),
            points: Points(u64::from(d.points)),
            options,
            key,
            key_points,
        });
    }
    Ok(Preview {
        paper_id: paper.id,
        code: paper.code,
        title: paper.title,
        seed,
        total: Points(total),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_and_print_exactly() {
        assert_eq!(parse_points("2"), Ok(200));
        assert_eq!(parse_points(" 2.5 "), Ok(250));
        assert_eq!(parse_points("0.25"), Ok(25));
        assert_eq!(parse_points(".5"), Ok(50));
        assert_eq!(parse_points("1000"), Ok(100_000));
        assert_eq!(parse_points("1000.01"), Err(FieldReason::OutOfRange));
        assert_eq!(parse_points("0"), Err(FieldReason::BadNumber));
        assert_eq!(parse_points("-1"), Err(FieldReason::BadNumber));
        assert_eq!(parse_points("1.234"), Err(FieldReason::BadNumber));
        assert_eq!(parse_points("1e2"), Err(FieldReason::BadNumber));
        assert_eq!(parse_points("."), Err(FieldReason::BadNumber));
        assert_eq!(parse_points(""), Err(FieldReason::Text(TextError::Empty)));
        for (h, s) in [
            (200, "2"),
            (250, "2.5"),
            (225, "2.25"),
            (5, "0.05"),
            (10_000, "100"),
        ] {
            assert_eq!(Points(h).to_string(), s);
        }
        assert_eq!(serde_json::to_string(&Points(250)).unwrap(), "2.5");
        assert_eq!(serde_json::to_string(&Points(300)).unwrap(), "3");
    }

    #[test]
    fn paper_inputs_read_numbers_or_text() {
        let p: PaperInput = serde_json::from_str(
            r#"{"code": "P1", "title": "t", "total": 100, "parts": [{"qtype": "single", "count": 20, "points": 2.5}, {"question": "Q1", "points": null}]}"#,
        )
        .unwrap();
        assert_eq!(p.total, "100");
        assert_eq!(p.parts[0].count, "20");
        assert_eq!(p.parts[0].points, "2.5");
        assert!(!p.parts[0].is_fixed());
        assert!(p.parts[1].is_fixed());
        assert_eq!(p.parts[1].points, "");
        assert!(PartInput::default().is_blank());
    }

    #[test]
    fn issues_name_their_message_keys() {
        let es = vec![
            PaperError::TotalMismatch {
                sum: 9_000,
                total: 10_000,
            },
            PaperError::NotEnoughQuestions {
                part: 3,
                needed: 5,
                available: 2,
            },
        ];
        let issues = paper_issues(es, &HashMap::new());
        assert_eq!(issues[0].field, "total");
        assert_eq!(issues[0].message_key(), "paper-error-total-mismatch");
        assert_eq!(issues[0].args["sum"], "90");
        assert_eq!(issues[1].field, "parts[2]");
        assert_eq!(issues[1].args["part"], "3");
        assert_eq!(
            PaperIssue::reason("title", &FieldReason::Text(TextError::Empty)).message_key(),
            "field-required"
        );
    }
}

//! What the staff pages of exams need besides [`super::sessions`], [`super::marking`] and
//! [`super::results`]: the choices of the session form, a paged and searchable result list,
//! a session's context (its paper, audience names, overrides, and why a draft's paper would
//! not publish), the sessions with answers to mark, markers' names, and offline score lines
//! read from text or from an uploaded file, checked line by line.

use std::collections::HashMap;

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::exam::paper::PaperError;
use skillcert_domain::org::FieldReason;
use skillcert_domain::scheme::Score;
use skillcert_domain::text::TextError;
use skillcert_reports::{FileKind, RawTable, read_table};
use skillcert_store::exam_reports::{self as reports, MarkingSession, OverrideRow, ResultQuery};
use skillcert_store::exams::{self as store, ResultRow};
use skillcert_store::{Page, org, papers, questions};

use super::sessions::{OfflineScore, SessionView};
use crate::{Actor, App, AppResult};

/// A paper offered in the session form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperChoice {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// The declared total in hundredths.
    pub total: u32,
    pub archived: bool,
}

/// A department offered as audience, in tree order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentChoice {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub depth: usize,
}

/// What the session form offers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionChoices {
    pub papers: Vec<PaperChoice>,
    pub departments: Vec<DepartmentChoice>,
}

fn paper_choice(p: &papers::Paper) -> PaperChoice {
    PaperChoice {
        id: p.id,
        code: p.code.clone(),
        title: p.title.clone(),
        total: p.spec.total,
        archived: p.archived,
    }
}

/// Departments in tree order (each parent before its children, siblings by code).
fn tree_order(all: &[org::Department]) -> Vec<DepartmentChoice> {
    fn walk(
        all: &[org::Department],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<DepartmentChoice>,
    ) {
        for d in all.iter().filter(|d| d.parent_id == parent) {
            if out.iter().any(|o| o.id == d.id) || depth > all.len() {
                continue;
            }
            out.push(DepartmentChoice {
                id: d.id,
                code: d.code.clone(),
                name: d.name.clone(),
                depth,
            });
            walk(all, Some(d.id), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(all.len());
    walk(all, None, 0, &mut out);
    out
}

/// The papers (not archived, unless `keep` is archived and already chosen) and departments
/// of the session form.
pub async fn choices(app: &App, actor: &Actor, keep: Option<i64>) -> AppResult<SessionChoices> {
    actor.require(Permission::ExamManage)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let papers = papers::list(c, true)
        .await?
        .iter()
        .filter(|p| !p.archived || Some(p.id) == keep)
        .map(paper_choice)
        .collect();
    let departments = tree_order(&org::list_departments(c).await?);
    Ok(SessionChoices {
        papers,
        departments,
    })
}

/// One page of a session's results, limited to the departments the viewer may see.
pub async fn results(
    app: &App,
    actor: &Actor,
    session_id: i64,
    mut q: ResultQuery,
) -> AppResult<Page<ResultRow>> {
    q.departments = actor.department_filter(Permission::ExamResults)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    store::get_session(c, session_id).await?;
    Ok(reports::results_page(c, session_id, &q).await?)
}

/// What the session page shows around the session itself.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SessionContext {
    pub paper: Option<PaperChoice>,
    /// Names of the audience departments.
    pub departments: Vec<String>,
    /// Why the paper would not publish now (drafts only; empty when it would).
    pub paper_problems: Vec<PaperError>,
    /// Overrides of candidates the viewer manages (empty for viewers who manage none).
    pub overrides: Vec<OverrideRow>,
}

pub async fn context(app: &App, actor: &Actor, view: &SessionView) -> AppResult<SessionContext> {
    actor.require(Permission::ExamResults)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let mut out = SessionContext::default();
    if let Some(pid) = view.row.paper_id {
        match papers::get(c, pid).await {
            Ok(p) => {
                out.paper = Some(paper_choice(&p));
                if view.row.status == "draft"
                    && let Err(problems) = p.spec.check(&questions::pool(c).await?)
                {
                    out.paper_problems = problems;
                }
            }
            Err(skillcert_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let names: HashMap<i64, String> = org::list_departments(c)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    out.departments = view
        .departments
        .iter()
        .filter_map(|d| names.get(d).cloned())
        .collect();
    if actor.can(Permission::ExamManage) {
        let scope = actor.scope(Permission::ExamManage);
        out.overrides = reports::overrides(c, view.row.id)
            .await?
            .into_iter()
            .filter(|o| scope.covers(o.department_id))
            .collect();
    }
    Ok(out)
}

/// Sessions with answers waiting for markers, for the marking queue's filter.
pub async fn marking_sessions(app: &App, actor: &Actor) -> AppResult<Vec<MarkingSession>> {
    actor.require(Permission::ExamMark)?;
    let mut r = app.db.read().await?;
    Ok(reports::marking_sessions(&mut r.conn()).await?)
}

/// Display names of markers by user id (for the third marker, who sees earlier marks).
pub async fn marker_names(
    app: &App,
    actor: &Actor,
    ids: &[i64],
) -> AppResult<HashMap<i64, String>> {
    actor.require(Permission::ExamMark)?;
    let mut r = app.db.read().await?;
    Ok(reports::user_names(&mut r.conn(), ids)
        .await?
        .into_iter()
        .collect())
}

// ---------- offline scores ----------

/// An offline score with the line it came from (1-based, as in the text or the file).
#[derive(Debug, Clone, Serialize)]
pub struct OfflineLine {
    pub line: usize,
    pub row: OfflineScore,
}

/// Why a line of offline scores cannot be recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfflineProblem {
    pub line: usize,
    /// `employee_no` or `score`.
    pub field: &'static str,
    /// The offending value.
    pub value: String,
    #[serde(skip)]
    pub reason: FieldReason,
}

const NO_HEADERS: [&str; 6] = [
    "employee_no",
    "employee no",
    "工号",
    "员工编号",
    "员工工号",
    "no",
];
const SCORE_HEADERS: [&str; 5] = ["score", "成绩", "分数", "得分", "考试成绩"];

fn is_header(cell: &str, names: &[&str]) -> bool {
    let c = cell.trim().trim_start_matches('\u{feff}').to_lowercase();
    names.iter().any(|n| *n == c)
}

/// Reads `employee_no,score` lines (commas, tabs, semicolons or spaces between); blank lines
/// and a header line are skipped.
pub fn parse_offline_text(text: &str) -> Vec<OfflineLine> {
    let mut out = Vec::new();
    let mut seen_data = false;
    for (i, raw) in text.lines().enumerate() {
        let fields: Vec<&str> = raw
            .split([',', '，', ';', '\t', ' ', '\u{3000}'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if fields.is_empty() {
            continue;
        }
        if !seen_data
            && is_header(fields[0], &NO_HEADERS)
            && fields.get(1).is_none_or(|f| is_header(f, &SCORE_HEADERS))
        {
            seen_data = true;
            continue;
        }
        seen_data = true;
        out.push(OfflineLine {
            line: i + 1,
            row: OfflineScore {
                employee_no: fields[0].to_string(),
                score: fields.get(1).map(|s| s.to_string()).unwrap_or_default(),
            },
        });
    }
    out
}

/// Reads an uploaded CSV or XLSX of offline scores: columns named like `employee_no`/`工号`
/// and `score`/`成绩`, or, without such headers, the first two columns (then the first row
/// is data too). A file that cannot be read gives the code of an import problem
/// (`unknown-format`, `file-empty`, `not-utf8`, `bad-csv`, …).
pub fn parse_offline_file(name: &str, bytes: &[u8]) -> Result<Vec<OfflineLine>, &'static str> {
    let kind = FileKind::detect(name, bytes).ok_or("unknown-format")?;
    let table = read_table(bytes, kind).map_err(|e| e.code())?;
    Ok(offline_lines_of(&table))
}

fn offline_lines_of(table: &RawTable) -> Vec<OfflineLine> {
    let no_col = table.headers.iter().position(|h| is_header(h, &NO_HEADERS));
    let score_col = table
        .headers
        .iter()
        .position(|h| is_header(h, &SCORE_HEADERS));
    let mut out = Vec::new();
    let (no_col, score_col) = match (no_col, score_col) {
        (Some(n), Some(s)) => (n, s),
        _ => {
            // No recognised headers: the header row is the first data row.
            if table.headers.iter().any(|h| !h.trim().is_empty()) {
                out.push(OfflineLine {
                    line: table
                        .rows
                        .first()
                        .map_or(1, |r| r.line.saturating_sub(1).max(1)),
                    row: OfflineScore {
                        employee_no: table.headers.first().cloned().unwrap_or_default(),
                        score: table.headers.get(1).cloned().unwrap_or_default(),
                    },
                });
            }
            (0, 1)
        }
    };
    for r in &table.rows {
        out.push(OfflineLine {
            line: r.line,
            row: OfflineScore {
                employee_no: r.cells.get(no_col).cloned().unwrap_or_default(),
                score: r.cells.get(score_col).cloned().unwrap_or_default(),
            },
        });
    }
    out
}

/// Checks offline score lines before they are recorded: every employee number must exist
/// and appear once, every score must be a number from 0 to 100 with at most two decimals.
pub async fn check_offline(
    app: &App,
    actor: &Actor,
    lines: &[OfflineLine],
) -> AppResult<Vec<OfflineProblem>> {
    actor.require(Permission::ExamManage)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for l in lines {
        let no = l.row.employee_no.trim();
        let mut problem = |field: &'static str, value: &str, reason: FieldReason| {
            problems.push(OfflineProblem {
                line: l.line,
                field,
                value: value.to_string(),
                reason,
            })
        };
        if no.is_empty() {
            problem("employee_no", no, FieldReason::Text(TextError::Empty));
        } else if seen.insert(no.to_string(), l.line).is_some() {
            problem("employee_no", no, FieldReason::Duplicate);
        } else if org::find_employee_by_no(c, no).await?.is_none() {
            problem("employee_no", no, FieldReason::NotFound);
        }
        let score = l.row.score.trim();
        if score.is_empty() {
            problem("score", score, FieldReason::Text(TextError::Empty));
        } else if Score::parse(score).is_err() {
            problem("score", score, FieldReason::BadNumber);
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_text_skips_blank_and_header_lines() {
        let lines = parse_offline_text("工号,成绩\n\nE001,85\r\nE002\t90.5\nE003 ，  7\nE004\n");
        let got: Vec<(usize, &str, &str)> = lines
            .iter()
            .map(|l| (l.line, l.row.employee_no.as_str(), l.row.score.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "E001", "85"),
                (4, "E002", "90.5"),
                (5, "E003", "7"),
                (6, "E004", "")
            ]
        );
    }

    #[test]
    fn offline_files_with_or_without_headers() {
        let with =
            parse_offline_file("s.csv", "姓名,工号,成绩\n张三,E001,85\n".as_bytes()).unwrap();
        assert_eq!(with.len(), 1);
        assert_eq!(with[0].row.employee_no, "E001");
        assert_eq!(with[0].row.score, "85");
        assert_eq!(with[0].line, 2);
        let without = parse_offline_file("s.csv", b"E001,85\nE002,70\n").unwrap();
        let got: Vec<(usize, &str)> = without
            .iter()
            .map(|l| (l.line, l.row.employee_no.as_str()))
            .collect();
        assert_eq!(got, vec![(1, "E001"), (2, "E002")]);
    }

    #[test]
    fn departments_come_in_tree_order() {
        let d = |id: i64, code: &str, parent: Option<i64>| org::Department {
            id,
            code: code.into(),
            name: code.into(),
            parent_id: parent,
            created_at: chrono::DateTime::default(),
            updated_at: chrono::DateTime::default(),
        };
        let all = vec![d(3, "B-1", Some(2)), d(1, "A", None), d(2, "B", None)];
        let ordered = tree_order(&all);
        let order: Vec<(&str, usize)> =
            ordered.iter().map(|c| (c.code.as_str(), c.depth)).collect();
        // list_departments gives code order; the walk keeps it among siblings.
        assert_eq!(order, vec![("A", 0), ("B", 0), ("B-1", 1)]);
    }
}

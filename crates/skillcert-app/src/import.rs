//! Importing employees from CSV or XLSX.
//!
//! The whole file is checked before anything is written: if any row is bad, nothing changes
//! and every bad row and column is reported. Employee numbers are the key, so importing the
//! same file again updates instead of duplicating, and the report says what changed.

use std::collections::HashMap;

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::org::{EmployeeDraft, EmployeeFields};
use skillcert_reports::employees::{
    EmployeeImportRow, ImportIssue, duplicate_employee_numbers, map_employee_rows,
};
use skillcert_reports::table::{FileKind, read_table};
use skillcert_store::org as store;

use crate::audit::{Author, entry};
use crate::{Actor, App, AppError, AppResult};

/// One problem of an import, located by row (1-based as in the file; 0 for the whole file)
/// and column key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub line: usize,
    pub column: Option<String>,
    pub code: String,
    pub detail: Option<String>,
}

impl From<ImportIssue> for RowIssue {
    fn from(i: ImportIssue) -> Self {
        RowIssue {
            line: i.line,
            column: i.column.map(str::to_string),
            code: i.code.to_string(),
            detail: i.detail,
        }
    }
}

/// A field whose value an import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdatedRow {
    pub line: usize,
    pub employee_no: String,
    pub changes: Vec<FieldChange>,
}

/// What an import did, or would do (dry run), or why it was refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created: Vec<String>,
    pub updated: Vec<UpdatedRow>,
    pub unchanged: usize,
    pub issues: Vec<RowIssue>,
    pub dry_run: bool,
}

/// Lookup of a reference typed in a file: by code first, then by a unique name.
struct Lookup {
    by_code: HashMap<String, i64>,
    by_name: HashMap<String, Vec<i64>>,
    code_of: HashMap<i64, String>,
}

impl Lookup {
    fn new(items: impl Iterator<Item = (i64, String, String)>) -> Self {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        let mut code_of = HashMap::new();
        for (id, code, name) in items {
            code_of.insert(id, code.clone());
            by_code.insert(code, id);
            by_name.entry(name).or_default().push(id);
        }
        Lookup {
            by_code,
            by_name,
            code_of,
        }
    }

    fn find(&self, raw: &str) -> Result<i64, &'static str> {
        if let Some(id) = self.by_code.get(raw) {
            return Ok(*id);
        }
        match self.by_name.get(raw).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(_) => Err("ambiguous"),
            None => Err("not-found"),
        }
    }
}

fn issue(line: usize, column: &str, code: &str, detail: Option<String>) -> RowIssue {
    RowIssue {
        line,
        column: Some(column.to_string()),
        code: code.to_string(),
        detail,
    }
}

/// Imports employees from `bytes`. With `dry_run` the file is checked and the report tells what
/// would change, but nothing is written.
pub async fn import_employees(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    actor.require(Permission::EmployeeImport)?;
    let write_scope = actor.scope(Permission::OrgWrite);
    let reject = |issues: Vec<RowIssue>, rows: usize| {
        AppError::ImportRejected(Box::new(ImportReport {
            rows,
            issues,
            dry_run,
            ..ImportReport::default()
        }))
    };
    let Some(kind) = FileKind::detect(file_name, bytes) else {
        return Err(reject(
            vec![RowIssue {
                line: 0,
                column: None,
                code: "unknown-format".into(),
                detail: None,
            }],
            0,
        ));
    };
    let table = read_table(bytes, kind).map_err(|e| {
        reject(
            vec![RowIssue {
                line: 0,
                column: None,
                code: e.code().into(),
                detail: Some(e.to_string()),
            }],
            0,
        )
    })?;
    let rows: Vec<EmployeeImportRow> = map_employee_rows(table)
        .map_err(|issues| reject(issues.into_iter().map(RowIssue::from).collect(), 0))?;
    let n = rows.len();

    // Everything the rows may refer to, read in one consistent transaction with the writes.
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let departments = Lookup::new(
        store::list_departments(&mut c)
            .await?
            .into_iter()
            .map(|d| (d.id, d.code, d.name)),
    );
    let positions = Lookup::new(
        store::list_positions(&mut c)
            .await?
            .into_iter()
            .map(|p| (p.id, p.code, p.name)),
    );
    let units_all = store::list_units(&mut c).await?;
    let unit_department: HashMap<i64, i64> =
        units_all.iter().map(|u| (u.id, u.department_id)).collect();
    let units = Lookup::new(units_all.into_iter().map(|u| (u.id, u.code, u.name)));
    let existing: HashMap<String, store::Employee> = store::all_employees(&mut c)
        .await?
        .into_iter()
        .map(|e| (e.employee_no.clone(), e))
        .collect();
    let no_of_id: HashMap<i64, &str> = existing
        .values()
        .map(|e| (e.id, e.employee_no.as_str()))
        .collect();
    let in_file: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.employee_no.as_str(), i))
        .collect();

    let today = app.today();
    // Every bad row is reported, so a repeated number does not hide the other problems.
    let mut issues: Vec<RowIssue> = duplicate_employee_numbers(&rows)
        .into_iter()
        .map(RowIssue::from)
        .collect();
    // Drafts without supervisor, and the supervisor number each row names.
    let mut drafts: Vec<(usize, EmployeeDraft, Option<String>)> = Vec::with_capacity(n);
    for row in &rows {
        let line = row.line;
        let before = issues.len();
        let fields = EmployeeFields {
            employee_no: row.employee_no.clone(),
            name: row.name.clone(),
            hire_date: row.hire_date.clone(),
            status: row.status.clone(),
        };
        let basics = match fields.parse(today) {
            Ok(b) => Some(b),
            Err(errs) => {
                for e in errs {
                    issues.push(issue(
                        line,
                        e.field,
                        e.reason.code(),
                        e.reason.limit().map(|l| l.to_string()),
                    ));
                }
                None
            }
        };
        let department_id = if row.department.is_empty() {
            issues.push(issue(line, "department", "required", None));
            None
        } else {
            match departments.find(&row.department) {
                Ok(d) => {
                    if !write_scope.covers(d) {
                        issues.push(issue(
                            line,
                            "department",
                            "out-of-scope",
                            Some(row.department.clone()),
                        ));
                    }
                    Some(d)
                }
                Err(code) => {
                    issues.push(issue(
                        line,
                        "department",
                        code,
                        Some(row.department.clone()),
                    ));
                    None
                }
            }
        };
        let position_id = if row.position.is_empty() {
            None
        } else {
            match positions.find(&row.position) {
                Ok(p) => Some(p),
                Err(code) => {
                    issues.push(issue(line, "position", code, Some(row.position.clone())));
                    None
                }
            }
        };
        let unit_id = if row.unit.is_empty() {
            None
        } else {
            match units.find(&row.unit) {
                Ok(u) => {
                    if department_id.is_some_and(|d| unit_department.get(&u) != Some(&d)) {
                        issues.push(issue(
                            line,
                            "unit",
                            "other-department",
                            Some(row.unit.clone()),
                        ));
                    }
                    Some(u)
                }
                Err(code) => {
                    issues.push(issue(line, "unit", code, Some(row.unit.clone())));
                    None
                }
            }
        };
        let supervisor = match row.supervisor_no.as_str() {
            "" => None,
            s if s == row.employee_no => {
                issues.push(issue(line, "supervisor_no", "self-reference", None));
                None
            }
            s if existing.contains_key(s) || in_file.contains_key(s) => Some(s.to_string()),
            s => {
                issues.push(issue(
                    line,
                    "supervisor_no",
                    "not-found",
                    Some(s.to_string()),
                ));
                None
            }
        };
        if let Some(old) = existing.get(&row.employee_no)
            && !write_scope.covers(old.department_id)
        {
            issues.push(issue(
                line,
                "employee_no",
                "out-of-scope",
                Some(row.employee_no.clone()),
            ));
        }
        if issues.len() == before
            && let (Some(b), Some(department_id)) = (basics, department_id)
        {
            drafts.push((
                line,
                EmployeeDraft {
                    employee_no: b.employee_no,
                    name: b.name,
                    department_id,
                    position_id,
                    unit_id,
                    supervisor_id: None,
                    hire_date: b.hire_date,
                    status: b.status,
                },
                supervisor,
            ));
        }
    }
    if !issues.is_empty() {
        issues.sort_by_key(|i| i.line);
        return Err(reject(issues, n));
    }

    // Classify rows as new, changed or unchanged.
    let mut report = ImportReport {
        rows: n,
        dry_run,
        ..ImportReport::default()
    };
    let mut new_rows: Vec<(EmployeeDraft, Option<String>)> = Vec::new();
    let mut changed: Vec<(i64, store::Employee, EmployeeDraft, Option<String>)> = Vec::new();
    for (line, draft, sup_no) in drafts {
        match existing.get(draft.employee_no.as_str()) {
            None => {
                report.created.push(draft.employee_no.to_string());
                new_rows.push((draft, sup_no));
            }
            Some(old) => {
                let old_sup_no = old
                    .supervisor_id
                    .and_then(|sid| no_of_id.get(&sid))
                    .map(|no| no.to_string());
                let changes = diff(
                    old,
                    &draft,
                    &old_sup_no,
                    &sup_no,
                    &departments,
                    &positions,
                    &units,
                );
                if changes.is_empty() {
                    report.unchanged += 1;
                } else {
                    report.updated.push(UpdatedRow {
                        line,
                        employee_no: draft.employee_no.to_string(),
                        changes,
                    });
                    changed.push((old.id, old.clone(), draft, sup_no));
                }
            }
        }
    }
    if dry_run {
        return Ok(report);
    }

    let now = app.now();
    let author = Author::from(actor);
    let new_drafts: Vec<EmployeeDraft> = new_rows.iter().map(|(d, _)| d.clone()).collect();
    let new_ids = store::insert_employees_bulk(&mut c, &new_drafts, now).await?;
    let hires: Vec<_> = new_ids
        .iter()
        .zip(&new_drafts)
        .map(|(id, d)| (*id, d.status))
        .collect();
    crate::training::links::onboard(app, &mut c, &author, &hires).await?;
    let mut id_of: HashMap<String, i64> =
        existing.iter().map(|(no, e)| (no.clone(), e.id)).collect();
    for (d, id) in new_drafts.iter().zip(&new_ids) {
        id_of.insert(d.employee_no.to_string(), *id);
    }
    let sup_id = |no: &Option<String>| no.as_ref().and_then(|n| id_of.get(n).copied());
    let mut audits = Vec::with_capacity(new_rows.len() + changed.len() + 1);
    let mut supervisor_pairs = Vec::new();
    for ((draft, sup_no), id) in new_rows.iter().zip(&new_ids) {
        let mut after = draft.clone();
        after.supervisor_id = sup_id(sup_no);
        if after.supervisor_id.is_some() {
            supervisor_pairs.push((*id, after.supervisor_id));
        }
        audits.push(entry(
            app,
            &author,
            "employee.import_create",
            "employee",
            Some(id.to_string()),
            None::<&()>,
            Some(&after),
        ));
    }
    let mut updates = Vec::with_capacity(changed.len());
    for (id, old, mut draft, sup_no) in changed {
        draft.supervisor_id = sup_id(&sup_no);
        audits.push(entry(
            app,
            &author,
            "employee.import_update",
            "employee",
            Some(id.to_string()),
            Some(&old),
            Some(&draft),
        ));
        updates.push((id, draft));
    }
    store::update_employees_bulk(&mut c, &updates, now).await?;
    store::set_supervisors(&mut c, &supervisor_pairs).await?;
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
        "employee.import",
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

fn name_of(lookup: &Lookup, id: Option<i64>) -> String {
    id.and_then(|id| lookup.code_of.get(&id).cloned())
        .unwrap_or_default()
}

/// The fields an import would change, with values as a person reads them (codes, not ids).
fn diff(
    old: &store::Employee,
    new: &EmployeeDraft,
    old_sup: &Option<String>,
    new_sup: &Option<String>,
    departments: &Lookup,
    positions: &Lookup,
    units: &Lookup,
) -> Vec<FieldChange> {
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
    push("name", old.name.clone(), new.name.clone());
    push(
        "department",
        name_of(departments, Some(old.department_id)),
        name_of(departments, Some(new.department_id)),
    );
    push(
        "position",
        name_of(positions, old.position_id),
        name_of(positions, new.position_id),
    );
    push(
        "unit",
        name_of(units, old.unit_id),
        name_of(units, new.unit_id),
    );
    push(
        "supervisor_no",
        old_sup.clone().unwrap_or_default(),
        new_sup.clone().unwrap_or_default(),
    );
    push(
        "hire_date",
        old.hire_date.to_string(),
        new.hire_date.to_string(),
    );
    push("status", old.status.clone(), new.status.key().to_string());
    out
}

//! The organisation: departments (a tree), service windows and teams, positions, employees.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::text::{Code, TextError, clean, clean_optional};

/// Where an employee stands. Stored as the text of [`EmployeeStatus::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployeeStatus {
    Probation,
    Active,
    OffDutyTraining,
    Transferred,
    Left,
}

impl EmployeeStatus {
    pub const ALL: [EmployeeStatus; 5] = [
        EmployeeStatus::Probation,
        EmployeeStatus::Active,
        EmployeeStatus::OffDutyTraining,
        EmployeeStatus::Transferred,
        EmployeeStatus::Left,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EmployeeStatus::Probation => "probation",
            EmployeeStatus::Active => "active",
            EmployeeStatus::OffDutyTraining => "off_duty_training",
            EmployeeStatus::Transferred => "transferred",
            EmployeeStatus::Left => "left",
        }
    }

    /// The Chinese label, also accepted on import so that HR can type what they see.
    pub fn label_zh(self) -> &'static str {
        match self {
            EmployeeStatus::Probation => "试用期",
            EmployeeStatus::Active => "在岗",
            EmployeeStatus::OffDutyTraining => "脱岗培训",
            EmployeeStatus::Transferred => "调岗",
            EmployeeStatus::Left => "离职",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            EmployeeStatus::Probation => "Probation",
            EmployeeStatus::Active => "Active",
            EmployeeStatus::OffDutyTraining => "Off-duty training",
            EmployeeStatus::Transferred => "Transferred",
            EmployeeStatus::Left => "Left",
        }
    }

    /// Accepts the key, the English label or the Chinese label, ignoring case and spaces.
    pub fn parse(raw: &str) -> Option<Self> {
        let norm: String = raw
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c == ' ' || c == '-' { '_' } else { c })
            .collect();
        Self::ALL.into_iter().find(|s| {
            norm == s.key()
                || norm == s.label_en().to_lowercase().replace([' ', '-'], "_")
                || raw.trim() == s.label_zh()
        })
    }
}

/// Why an organisation record was refused, field by field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The field's key as used in forms, API bodies and import columns.
    pub field: &'static str,
    pub reason: FieldReason,
}

/// The reason a field is wrong; `code()` is stable and becomes a translation key.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldReason {
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("is not a date in the form YYYY-MM-DD")]
    BadDate,
    #[error("is not a known employee status")]
    BadStatus,
    #[error("lies in the future")]
    FutureDate,
    #[error("was not found")]
    NotFound,
    #[error("is already taken")]
    Duplicate,
    #[error("would make a department its own ancestor")]
    Cycle,
    #[error("cannot be the employee themself")]
    SelfReference,
    #[error("is ambiguous")]
    Ambiguous,
    #[error("does not match")]
    Mismatch,
    #[error("is not the current password")]
    WrongPassword,
    #[error("is outside the departments you may change")]
    OutOfScope,
    #[error("belongs to another department")]
    OtherDepartment,
    #[error("has a value that is not allowed")]
    NotAllowed,
    #[error("is not a valid number")]
    BadNumber,
    #[error("is out of range")]
    OutOfRange,
    #[error("has too many entries")]
    TooMany,
    #[error("has the wrong number of options")]
    OptionCount,
    #[error("names an option that does not exist")]
    KeyOutOfRange,
    #[error("must name exactly one option")]
    KeyCount,
}

impl FieldReason {
    /// A number the message quotes (a length limit), if any.
    pub fn limit(&self) -> Option<usize> {
        match self {
            FieldReason::Text(t) => t.limit(),
            _ => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            FieldReason::Text(t) => t.code(),
            FieldReason::BadDate => "bad-date",
            FieldReason::BadStatus => "bad-status",
            FieldReason::FutureDate => "future-date",
            FieldReason::NotFound => "not-found",
            FieldReason::Duplicate => "duplicate",
            FieldReason::Cycle => "cycle",
            FieldReason::SelfReference => "self-reference",
            FieldReason::Ambiguous => "ambiguous",
            FieldReason::Mismatch => "mismatch",
            FieldReason::WrongPassword => "wrong-password",
            FieldReason::OutOfScope => "out-of-scope",
            FieldReason::OtherDepartment => "other-department",
            FieldReason::NotAllowed => "not-allowed",
            FieldReason::BadNumber => "bad-number",
            FieldReason::OutOfRange => "out-of-range",
            FieldReason::TooMany => "too-many",
            FieldReason::OptionCount => "option-count",
            FieldReason::KeyOutOfRange => "key-out-of-range",
            FieldReason::KeyCount => "key-count",
        }
    }
}

impl FieldError {
    pub fn new(field: &'static str, reason: impl Into<FieldReason>) -> Self {
        FieldError {
            field,
            reason: reason.into(),
        }
    }
}

/// Collects every field error of a form instead of stopping at the first.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    pub fn check<T, E: Into<FieldReason>>(
        &mut self,
        field: &'static str,
        r: Result<T, E>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(FieldError::new(field, e));
                None
            }
        }
    }

    pub fn push(&mut self, field: &'static str, reason: FieldReason) {
        self.errors.push(FieldError::new(field, reason));
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

pub const NAME_MAX: usize = 64;
pub const DEPARTMENT_NAME_MAX: usize = 64;

/// Parses a date typed by a person: `2024-03-01`, `2024/3/1` or `2024.03.01`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, FieldReason> {
    let s = raw.trim().replace(['/', '.'], "-");
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| FieldReason::BadDate)
}

/// A department as typed in a form; references are by id once resolved by the app layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentDraft {
    pub code: Code,
    pub name: String,
    pub parent_id: Option<i64>,
}

impl DepartmentDraft {
    pub fn parse(code: &str, name: &str, parent_id: Option<i64>) -> Result<Self, Vec<FieldError>> {
        let mut c = Checker::default();
        let code = c.check("code", Code::parse(code));
        let name = c.check("name", clean(name, DEPARTMENT_NAME_MAX));
        let v = match (code, name) {
            (Some(code), Some(name)) => Some(DepartmentDraft {
                code,
                name,
                parent_id,
            }),
            _ => None,
        };
        c.finish(v)
    }
}

/// Whether a service window is a counter facing customers or a team behind the phones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Window,
    Team,
}

impl UnitKind {
    pub fn key(self) -> &'static str {
        match self {
            UnitKind::Window => "window",
            UnitKind::Team => "team",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "window" => Some(UnitKind::Window),
            "team" => Some(UnitKind::Team),
            _ => None,
        }
    }
}

/// A service window or team; it belongs to one department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDraft {
    pub code: Code,
    pub name: String,
    pub kind: UnitKind,
    pub department_id: i64,
}

impl UnitDraft {
    pub fn parse(
        code: &str,
        name: &str,
        kind: &str,
        department_id: Option<i64>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut c = Checker::default();
        let code = c.check("code", Code::parse(code));
        let name = c.check("name", clean(name, DEPARTMENT_NAME_MAX));
        let kind = UnitKind::parse(kind);
        if kind.is_none() {
            c.push("kind", FieldReason::Text(TextError::Empty));
        }
        if department_id.is_none() {
            c.push("department_id", FieldReason::Text(TextError::Empty));
        }
        let v = match (code, name, kind, department_id) {
            (Some(code), Some(name), Some(kind), Some(department_id)) => Some(UnitDraft {
                code,
                name,
                kind,
                department_id,
            }),
            _ => None,
        };
        c.finish(v)
    }
}

/// A position (job title) such as "customer service agent".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionDraft {
    pub code: Code,
    pub name: String,
}

impl PositionDraft {
    pub fn parse(code: &str, name: &str) -> Result<Self, Vec<FieldError>> {
        let mut c = Checker::default();
        let code = c.check("code", Code::parse(code));
        let name = c.check("name", clean(name, DEPARTMENT_NAME_MAX));
        let v = match (code, name) {
            (Some(code), Some(name)) => Some(PositionDraft { code, name }),
            _ => None,
        };
        c.finish(v)
    }
}

/// An employee with references already resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeDraft {
    pub employee_no: Code,
    pub name: String,
    pub department_id: i64,
    pub position_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub supervisor_id: Option<i64>,
    pub hire_date: NaiveDate,
    pub status: EmployeeStatus,
}

/// The text fields of an employee as typed in a form or a file, before references are resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeFields {
    pub employee_no: String,
    pub name: String,
    pub hire_date: String,
    pub status: String,
}

/// The parsed, reference-free part of an employee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeBasics {
    pub employee_no: Code,
    pub name: String,
    pub hire_date: NaiveDate,
    pub status: EmployeeStatus,
}

impl EmployeeFields {
    /// Checks every field and reports all problems at once. `today` bounds the hire date.
    pub fn parse(&self, today: NaiveDate) -> Result<EmployeeBasics, Vec<FieldError>> {
        let mut c = Checker::default();
        let employee_no = c.check("employee_no", Code::parse(&self.employee_no));
        let name = c.check("name", clean(&self.name, NAME_MAX));
        let hire_date = match clean_optional(&self.hire_date, 20) {
            Ok(None) => {
                c.push("hire_date", FieldReason::Text(TextError::Empty));
                None
            }
            Ok(Some(s)) => match parse_date(&s) {
                Ok(d) if d > today => {
                    c.push("hire_date", FieldReason::FutureDate);
                    None
                }
                Ok(d) => Some(d),
                Err(e) => {
                    c.push("hire_date", e);
                    None
                }
            },
            Err(e) => {
                c.push("hire_date", e.into());
                None
            }
        };
        let status = if self.status.trim().is_empty() {
            Some(EmployeeStatus::Active)
        } else {
            let s = EmployeeStatus::parse(&self.status);
            if s.is_none() {
                c.push("status", FieldReason::BadStatus);
            }
            s
        };
        let v = match (employee_no, name, hire_date, status) {
            (Some(employee_no), Some(name), Some(hire_date), Some(status)) => {
                Some(EmployeeBasics {
                    employee_no,
                    name,
                    hire_date,
                    status,
                })
            }
            _ => None,
        };
        c.finish(v)
    }
}

/// Checks that moving `dept` under `new_parent` keeps the department tree a tree.
/// `parent_of` answers the current parent of any department.
pub fn creates_cycle(
    dept: i64,
    new_parent: Option<i64>,
    parent_of: impl Fn(i64) -> Option<i64>,
) -> bool {
    let mut cur = new_parent;
    let mut steps = 0usize;
    while let Some(p) = cur {
        if p == dept {
            return true;
        }
        steps += 1;
        if steps > 10_000 {
            // A corrupted tree: refuse rather than loop.
            return true;
        }
        cur = parent_of(p);
    }
    false
}

/// Every department in the subtree rooted at each of `roots`, roots included.
pub fn subtree(roots: &[i64], parents: &[(i64, Option<i64>)]) -> Vec<i64> {
    let mut out: Vec<i64> = roots.to_vec();
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        for (id, parent) in parents {
            if *parent == Some(cur) && !out.contains(id) {
                out.push(*id);
            }
        }
        i += 1;
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).expect("date")
    }

    #[test]
    fn status_parses_keys_and_labels_in_both_languages() {
        for s in EmployeeStatus::ALL {
            assert_eq!(EmployeeStatus::parse(s.key()), Some(s));
            assert_eq!(EmployeeStatus::parse(s.label_zh()), Some(s));
            assert_eq!(EmployeeStatus::parse(s.label_en()), Some(s));
        }
        assert_eq!(
            EmployeeStatus::parse("Off-Duty Training"),
            Some(EmployeeStatus::OffDutyTraining)
        );
        assert_eq!(EmployeeStatus::parse("retired"), None);
    }

    #[test]
    fn employee_fields_report_every_problem() {
        let f = EmployeeFields {
            employee_no: "E 1".into(),
            name: "".into(),
            hire_date: "2030-01-01".into(),
            status: "retired".into(),
        };
        let errs = f.parse(today()).expect_err("bad");
        let fields: Vec<_> = errs.iter().map(|e| (e.field, e.reason.code())).collect();
        assert_eq!(
            fields,
            vec![
                ("employee_no", "bad-characters"),
                ("name", "required"),
                ("hire_date", "future-date"),
                ("status", "bad-status")
            ]
        );
    }

    #[test]
    fn employee_fields_accept_common_date_forms_and_default_status() {
        let f = EmployeeFields {
            employee_no: "E0001".into(),
            name: " 王芳 ".into(),
            hire_date: "2024/3/1".into(),
            status: "".into(),
        };
        let b = f.parse(today()).expect("good");
        assert_eq!(b.name, "王芳");
        assert_eq!(
            b.hire_date,
            NaiveDate::from_ymd_opt(2024, 3, 1).expect("date")
        );
        assert_eq!(b.status, EmployeeStatus::Active);
    }

    #[test]
    fn department_moves_may_not_create_cycles() {
        // 1 <- 2 <- 3
        let parent = |d: i64| match d {
            2 => Some(1),
            3 => Some(2),
            _ => None,
        };
        assert!(creates_cycle(1, Some(3), parent));
        assert!(creates_cycle(2, Some(2), parent));
        assert!(!creates_cycle(3, Some(1), parent));
        assert!(!creates_cycle(1, None, parent));
    }

    #[test]
    fn subtree_collects_descendants() {
        let parents = [
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, None),
            (5, Some(4)),
        ];
        assert_eq!(subtree(&[1], &parents), vec![1, 2, 3]);
        assert_eq!(subtree(&[2, 4], &parents), vec![2, 3, 4, 5]);
    }
}

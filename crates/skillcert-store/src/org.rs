//! Departments, service windows/teams, positions and employees.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use skillcert_domain::org::{
    DepartmentDraft, EmployeeDraft, EmployeeStatus, PositionDraft, UnitDraft, UnitKind,
};
use sqlx::{FromRow, QueryBuilder};

use crate::{Conn, Dir, Page, StoreError, on};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Department {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub department_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Unit {
    pub fn kind(&self) -> UnitKind {
        UnitKind::parse(&self.kind).unwrap_or(UnitKind::Team)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Position {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An employee as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct Employee {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub position_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub supervisor_id: Option<i64>,
    pub hire_date: NaiveDate,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Employee {
    pub fn status(&self) -> Result<EmployeeStatus, StoreError> {
        EmployeeStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("employee status {}", self.status)))
    }

    /// The fields an import compares, in the form the draft has them.
    pub fn as_draft(&self) -> Option<EmployeeDraft> {
        Some(EmployeeDraft {
            employee_no: skillcert_domain::text::Code::parse(&self.employee_no).ok()?,
            name: self.name.clone(),
            department_id: self.department_id,
            position_id: self.position_id,
            unit_id: self.unit_id,
            supervisor_id: self.supervisor_id,
            hire_date: self.hire_date,
            status: self.status().ok()?,
        })
    }
}

/// An employee with the names of what it refers to, for lists and detail pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct EmployeeView {
    pub id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department_name: String,
    pub position_id: Option<i64>,
    pub position_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub supervisor_id: Option<i64>,
    pub supervisor_name: Option<String>,
    pub supervisor_no: Option<String>,
    pub hire_date: NaiveDate,
    pub status: String,
    pub updated_at: DateTime<Utc>,
}

macro_rules! employee_view_cols {
    () => {
        "e.id, e.employee_no, e.name, e.department_id, d.name AS department_name, \
     e.position_id, p.name AS position_name, e.unit_id, u.name AS unit_name, \
     e.supervisor_id, s.name AS supervisor_name, s.employee_no AS supervisor_no, \
     e.hire_date, e.status, e.updated_at"
    };
}

macro_rules! employee_view_from {
    () => {
        " FROM employees e JOIN departments d ON d.id = e.department_id \
     LEFT JOIN positions p ON p.id = e.position_id \
     LEFT JOIN units u ON u.id = e.unit_id \
     LEFT JOIN employees s ON s.id = e.supervisor_id"
    };
}

macro_rules! employee_view {
    () => {
        concat!("SELECT ", employee_view_cols!(), employee_view_from!())
    };
}

/// A row of a listing page with the number of all matching rows.
#[derive(FromRow)]
struct PagedEmployee {
    #[sqlx(flatten)]
    view: EmployeeView,
    total: i64,
}

// ---------- departments ----------

pub async fn list_departments(c: &mut Conn<'_>) -> Result<Vec<Department>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Department>(
        "SELECT id, code, name, parent_id, created_at, updated_at FROM departments ORDER BY code"
    )
    .fetch_all(&mut *c)
    .await)?)
}

/// `(id, parent id)` of every department: the tree that scopes grants.
pub async fn department_parents(c: &mut Conn<'_>) -> Result<Vec<(i64, Option<i64>)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT id, parent_id FROM departments ORDER BY id"
    )
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn get_department(c: &mut Conn<'_>, id: i64) -> Result<Department, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Department>(
        "SELECT id, code, name, parent_id, created_at, updated_at FROM departments WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn insert_department(
    c: &mut Conn<'_>,
    d: &DepartmentDraft,
    now: DateTime<Utc>,
) -> Result<Department, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Department>(
        "INSERT INTO departments (code, name, parent_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id, code, name, parent_id, created_at, updated_at"
    )
    .bind(d.code.as_str())
    .bind(&d.name)
    .bind(d.parent_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn update_department(
    c: &mut Conn<'_>,
    id: i64,
    d: &DepartmentDraft,
    now: DateTime<Utc>,
) -> Result<Department, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, Department>(
        "UPDATE departments SET code = $2, name = $3, parent_id = $4, updated_at = $5 WHERE id = $1 \
         RETURNING id, code, name, parent_id, created_at, updated_at"
    )
    .bind(id)
    .bind(d.code.as_str())
    .bind(&d.name)
    .bind(d.parent_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await
    })?)
}

/// Employees per department (direct members only), for the tree page.
pub async fn department_headcounts(c: &mut Conn<'_>) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT department_id, COUNT(*) FROM employees GROUP BY department_id"
    )
    .fetch_all(&mut *c)
    .await)?)
}

// ---------- units ----------

pub async fn list_units(c: &mut Conn<'_>) -> Result<Vec<Unit>, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, Unit>(
        "SELECT id, code, name, kind, department_id, created_at, updated_at FROM units ORDER BY code"
    )
    .fetch_all(&mut *c)
    .await
    })?)
}

pub async fn get_unit(c: &mut Conn<'_>, id: i64) -> Result<Unit, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, Unit>(
        "SELECT id, code, name, kind, department_id, created_at, updated_at FROM units WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await
    })?)
}

pub async fn insert_unit(
    c: &mut Conn<'_>,
    u: &UnitDraft,
    now: DateTime<Utc>,
) -> Result<Unit, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Unit>(
        "INSERT INTO units (code, name, kind, department_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         RETURNING id, code, name, kind, department_id, created_at, updated_at"
    )
    .bind(u.code.as_str())
    .bind(&u.name)
    .bind(u.kind.key())
    .bind(u.department_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn update_unit(
    c: &mut Conn<'_>,
    id: i64,
    u: &UnitDraft,
    now: DateTime<Utc>,
) -> Result<Unit, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Unit>(
        "UPDATE units SET code = $2, name = $3, kind = $4, department_id = $5, updated_at = $6 \
         WHERE id = $1 RETURNING id, code, name, kind, department_id, created_at, updated_at"
    )
    .bind(id)
    .bind(u.code.as_str())
    .bind(&u.name)
    .bind(u.kind.key())
    .bind(u.department_id)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

// ---------- positions ----------

pub async fn list_positions(c: &mut Conn<'_>) -> Result<Vec<Position>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Position>(
        "SELECT id, code, name, created_at, updated_at FROM positions ORDER BY code"
    )
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn get_position(c: &mut Conn<'_>, id: i64) -> Result<Position, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Position>(
        "SELECT id, code, name, created_at, updated_at FROM positions WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn insert_position(
    c: &mut Conn<'_>,
    p: &PositionDraft,
    now: DateTime<Utc>,
) -> Result<Position, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Position>(
        "INSERT INTO positions (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
         RETURNING id, code, name, created_at, updated_at"
    )
    .bind(p.code.as_str())
    .bind(&p.name)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn update_position(
    c: &mut Conn<'_>,
    id: i64,
    p: &PositionDraft,
    now: DateTime<Utc>,
) -> Result<Position, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Position>(
        "UPDATE positions SET code = $2, name = $3, updated_at = $4 WHERE id = $1 \
         RETURNING id, code, name, created_at, updated_at"
    )
    .bind(id)
    .bind(p.code.as_str())
    .bind(&p.name)
    .bind(now)
    .fetch_one(&mut *c)
    .await)?)
}

// ---------- employees ----------

macro_rules! employee_cols {
    () => {
        "id, employee_no, name, department_id, position_id, unit_id, supervisor_id, hire_date, status, created_at, updated_at"
    };
}

pub async fn get_employee(c: &mut Conn<'_>, id: i64) -> Result<Employee, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Employee>(concat!(
        "SELECT ",
        employee_cols!(),
        " FROM employees WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn get_employee_view(c: &mut Conn<'_>, id: i64) -> Result<EmployeeView, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, EmployeeView>(concat!(
        employee_view!(),
        " WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await)?)
}

pub async fn find_employee_by_no(
    c: &mut Conn<'_>,
    employee_no: &str,
) -> Result<Option<Employee>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Employee>(concat!(
        "SELECT ",
        employee_cols!(),
        " FROM employees WHERE employee_no = $1"
    ))
    .bind(employee_no)
    .fetch_optional(&mut *c)
    .await)?)
}

/// Every employee, for imports that compare a whole file against the register.
pub async fn all_employees(c: &mut Conn<'_>) -> Result<Vec<Employee>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, Employee>(concat!(
        "SELECT ",
        employee_cols!(),
        " FROM employees"
    ))
    .fetch_all(&mut *c)
    .await)?)
}

pub async fn insert_employee(
    c: &mut Conn<'_>,
    e: &EmployeeDraft,
    now: DateTime<Utc>,
) -> Result<Employee, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, Employee>(concat!(
        "INSERT INTO employees (employee_no, name, department_id, position_id, unit_id, supervisor_id, \
         hire_date, status, search, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $9, $9) \
         RETURNING ",
        employee_cols!()
    ))
        .bind(e.employee_no.as_str())
        .bind(&e.name)
        .bind(e.department_id)
        .bind(e.position_id)
        .bind(e.unit_id)
        .bind(e.supervisor_id)
        .bind(e.hire_date)
        .bind(e.status.key())
        .bind(now)
        .bind(search_key(e))
        .fetch_one(&mut *c)
        .await
    })?)
}

/// What the text search of the employee list matches against.
fn search_key(e: &EmployeeDraft) -> String {
    format!("{} {}", e.employee_no.as_str(), e.name).to_lowercase()
}

pub async fn update_employee(
    c: &mut Conn<'_>,
    id: i64,
    e: &EmployeeDraft,
    now: DateTime<Utc>,
) -> Result<Employee, StoreError> {
    Ok(on!(c, |c| {
        sqlx::query_as::<_, Employee>(concat!(
        "UPDATE employees SET employee_no = $2, name = $3, department_id = $4, position_id = $5, \
         unit_id = $6, supervisor_id = $7, hire_date = $8, status = $9, updated_at = $10, search = $11 \
         WHERE id = $1 RETURNING ",
        employee_cols!()
    ))
    .bind(id)
    .bind(e.employee_no.as_str())
    .bind(&e.name)
    .bind(e.department_id)
    .bind(e.position_id)
    .bind(e.unit_id)
    .bind(e.supervisor_id)
    .bind(e.hire_date)
    .bind(e.status.key())
    .bind(now)
    .bind(search_key(e))
    .fetch_one(&mut *c)
    .await
    })?)
}

/// Inserts many employees in multi-row statements and returns their ids in input order.
/// Supervisors are left unset here (they may refer to rows of the same batch): set them
/// afterwards with [`set_supervisors`].
pub async fn insert_employees_bulk(
    c: &mut Conn<'_>,
    rows: &[EmployeeDraft],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    // 10 parameters a row; stay well under SQLite's 32766 bound parameters a statement.
    const CHUNK: usize = 500;
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let chunk_ids: Vec<i64> = on!(c, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO employees (employee_no, name, department_id, position_id, unit_id, \
                 hire_date, status, search, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.employee_no.as_str().to_string())
                    .push_bind(e.name.clone())
                    .push_bind(e.department_id)
                    .push_bind(e.position_id)
                    .push_bind(e.unit_id)
                    .push_bind(e.hire_date)
                    .push_bind(e.status.key())
                    .push_bind(search_key(e))
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id");
            qb.build_query_scalar::<i64>().fetch_all(&mut *c).await
        })?;
        // RETURNING order follows VALUES order on both backends for a plain multi-row insert;
        // verify the count so a surprise cannot mis-assign ids silently.
        if chunk_ids.len() != chunk.len() {
            return Err(StoreError::Corrupt("bulk insert returned fewer ids".into()));
        }
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Updates many employees, one statement each: a re-import changes few rows, so batching
/// (as [`insert_employees_bulk`] and [`set_supervisors`] do) would not pay for itself here.
pub async fn update_employees_bulk(
    c: &mut Conn<'_>,
    rows: &[(i64, EmployeeDraft)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for (id, e) in rows {
        update_employee(c, *id, e, now).await?;
    }
    Ok(())
}

/// Sets `supervisor_id` for many employees: `(employee id, supervisor id)`, a few hundred
/// rows per statement (`UPDATE … FROM (VALUES …)`, which both backends accept; their VALUES
/// columns are both named `column1`, `column2`).
pub async fn set_supervisors(
    c: &mut Conn<'_>,
    pairs: &[(i64, Option<i64>)],
) -> Result<(), StoreError> {
    for chunk in pairs.chunks(500) {
        on!(c, |c| {
            let mut qb = QueryBuilder::new("UPDATE employees SET supervisor_id = v.column2 FROM (");
            qb.push_values(chunk, |mut b, (id, sup)| {
                b.push_bind(*id).push_bind(*sup);
            });
            qb.push(") AS v WHERE employees.id = v.column1");
            qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// What the employee list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EmployeeSort {
    #[default]
    EmployeeNo,
    Name,
    Department,
    HireDate,
    Status,
}

impl EmployeeSort {
    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "employee_no" => EmployeeSort::EmployeeNo,
            "name" => EmployeeSort::Name,
            "department" => EmployeeSort::Department,
            "hire_date" => EmployeeSort::HireDate,
            "status" => EmployeeSort::Status,
            _ => return None,
        })
    }

    pub fn key(self) -> &'static str {
        match self {
            EmployeeSort::EmployeeNo => "employee_no",
            EmployeeSort::Name => "name",
            EmployeeSort::Department => "department",
            EmployeeSort::HireDate => "hire_date",
            EmployeeSort::Status => "status",
        }
    }

    fn column(self) -> &'static str {
        match self {
            EmployeeSort::EmployeeNo => "e.employee_no",
            EmployeeSort::Name => "e.name",
            EmployeeSort::Department => "d.code",
            EmployeeSort::HireDate => "e.hire_date",
            EmployeeSort::Status => "e.status",
        }
    }
}

/// Filters of the employee list. `departments` is the caller's visible set (already
/// intersected with any department filter); `None` means no restriction.
#[derive(Debug, Clone, Default)]
pub struct EmployeeQuery {
    pub q: Option<String>,
    pub departments: Option<Vec<i64>>,
    pub status: Option<EmployeeStatus>,
    pub position_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub supervisor_id: Option<i64>,
    pub sort: EmployeeSort,
    pub dir: Dir,
    pub page: i64,
    pub per_page: i64,
}

/// Appends the WHERE clause of an employee listing; a macro so that one text serves the
/// `QueryBuilder` of either backend.
macro_rules! push_employee_filters {
    ($qb:expr, $q:expr) => {{
        let qb = &mut $qb;
        let q: &EmployeeQuery = $q;
        qb.push(" WHERE 1=1");
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            qb.push(" AND e.search LIKE ");
            qb.push_bind(pattern);
            qb.push(" ESCAPE '\\'");
        }
        if let Some(ds) = &q.departments {
            if ds.is_empty() {
                qb.push(" AND 1=0");
            } else {
                qb.push(" AND e.department_id IN (");
                let mut sep = qb.separated(", ");
                for d in ds {
                    sep.push_bind(*d);
                }
                qb.push(")");
            }
        }
        if let Some(s) = q.status {
            qb.push(" AND e.status = ");
            qb.push_bind(s.key());
        }
        if let Some(p) = q.position_id {
            qb.push(" AND e.position_id = ");
            qb.push_bind(p);
        }
        if let Some(u) = q.unit_id {
            qb.push(" AND e.unit_id = ");
            qb.push_bind(u);
        }
        if let Some(s) = q.supervisor_id {
            qb.push(" AND e.supervisor_id = ");
            qb.push_bind(s);
        }
    }};
}

/// Escapes `%`, `_` and `\` so a search for "50%" finds the text "50%".
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

pub async fn list_employees(
    c: &mut Conn<'_>,
    q: &EmployeeQuery,
) -> Result<Page<EmployeeView>, StoreError> {
    let per_page = q.per_page.clamp(1, 500);
    let page = q.page.max(1);
    let offset = (page - 1) * per_page;
    let rows: Vec<PagedEmployee> = on!(c, |c| {
        // The page's ids and the total in one pass over the (covering) index, then the details
        // of just those rows.
        let order = format!("{} {}, e.id ASC", q.sort.column(), q.dir.sql());
        let mut list = QueryBuilder::new(concat!(
            "SELECT page.total, ",
            employee_view_cols!(),
            employee_view_from!(),
            " JOIN (SELECT e.id, COUNT(*) OVER () AS total FROM employees e"
        ));
        if q.sort == EmployeeSort::Department {
            list.push(" JOIN departments d ON d.id = e.department_id");
        }
        push_employee_filters!(list, q);
        list.push(format!(
            " ORDER BY {order} LIMIT {per_page} OFFSET {offset}) page ON page.id = e.id ORDER BY {order}"
        ));
        list.build_query_as().fetch_all(&mut *c).await
    })?;
    let total = match rows.first() {
        Some(r) => r.total,
        // Past the last page (or nothing matches): count separately.
        None => on!(c, |c| {
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM employees e");
            push_employee_filters!(count, q);
            count.build_query_scalar::<i64>().fetch_one(&mut *c).await
        })?,
    };
    let items = rows.into_iter().map(|r| r.view).collect();
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// Employees by status within an optional set of departments, for the dashboard.
pub async fn count_by_status(
    c: &mut Conn<'_>,
    departments: Option<&[i64]>,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new("SELECT status, COUNT(*) FROM employees");
        if let Some(ds) = departments {
            if ds.is_empty() {
                qb.push(" WHERE 1=0");
            } else {
                qb.push(" WHERE department_id IN (");
                let mut sep = qb.separated(", ");
                for d in ds {
                    sep.push_bind(*d);
                }
                qb.push(")");
            }
        }
        qb.push(" GROUP BY status ORDER BY status");
        qb.build_query_as::<(String, i64)>()
            .fetch_all(&mut *c)
            .await
    })?)
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
        assert_eq!(escape_like("王芳"), "王芳");
    }
}

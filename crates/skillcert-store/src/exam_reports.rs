//! Read-only queries behind the staff pages of exams: a paged, searchable result list, the
//! overrides of a session, the sessions whose answers wait for markers, and marker names.

use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::exams::ResultRow;
use crate::org::escape_like;
use crate::{Conn, Dir, Page, StoreError, on};

/// What a result list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResultSort {
    #[default]
    EmployeeNo,
    Name,
    Status,
    Score,
    Submitted,
}

impl ResultSort {
    pub const ALL: [ResultSort; 5] = [
        ResultSort::EmployeeNo,
        ResultSort::Name,
        ResultSort::Status,
        ResultSort::Score,
        ResultSort::Submitted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ResultSort::EmployeeNo => "employee_no",
            ResultSort::Name => "name",
            ResultSort::Status => "status",
            ResultSort::Score => "score",
            ResultSort::Submitted => "submitted",
        }
    }

    pub fn parse(raw: &str) -> Option<ResultSort> {
        Self::ALL.into_iter().find(|s| s.key() == raw.trim())
    }

    fn column(self) -> &'static str {
        match self {
            ResultSort::EmployeeNo => "e.employee_no",
            ResultSort::Name => "e.name",
            ResultSort::Status => "t.status",
            ResultSort::Score => "t.score",
            ResultSort::Submitted => "t.submitted_at_ms",
        }
    }
}

/// Filters, order and page of a session's result list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResultQuery {
    /// Part of an employee number or name.
    pub q: Option<String>,
    /// An attempt status (`open`, `submitted`, `graded`).
    pub status: Option<String>,
    /// `Some(true)` passed only, `Some(false)` failed only.
    pub passed: Option<bool>,
    /// Limits the list to employees of these departments; `None` means everywhere.
    pub departments: Option<Vec<i64>>,
    pub sort: ResultSort,
    pub dir: Dir,
    pub page: i64,
    pub per_page: i64,
}

macro_rules! result_cols {
    () => {
        "SELECT t.id AS attempt_id, t.employee_id, e.employee_no, e.name, e.department_id, \
         t.number, t.status, t.started_at_ms, t.submitted_at_ms, t.closed_by, t.max_score, \
         t.score, t.passed"
    };
}

/// Appends the `WHERE` of a result list to a query builder (of either backend).
macro_rules! push_result_filters {
    ($qb:expr, $session_id:expr, $q:expr) => {{
        let qb = &mut $qb;
        let q: &ResultQuery = $q;
        qb.push(" WHERE t.session_id = ");
        qb.push_bind($session_id);
        if let Some(text) = q.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            qb.push(" AND e.search LIKE ");
            qb.push_bind(pattern);
            qb.push(" ESCAPE '\\'");
        }
        if let Some(s) = q.status.as_deref().filter(|s| !s.is_empty()) {
            qb.push(" AND t.status = ");
            qb.push_bind(s.to_string());
        }
        if let Some(p) = q.passed {
            qb.push(" AND t.passed = ");
            qb.push_bind(p);
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
    }};
}

/// One page of a session's attempts with their candidates.
pub async fn results_page(
    c: &mut Conn<'_>,
    session_id: i64,
    q: &ResultQuery,
) -> Result<Page<ResultRow>, StoreError> {
    let per_page = q.per_page.clamp(1, 500);
    let page = q.page.max(1);
    let offset = (page - 1) * per_page;
    // Unscored attempts sort after scored ones whichever the direction.
    let order = format!(
        "CASE WHEN {col} IS NULL THEN 1 ELSE 0 END, {col} {dir}, e.employee_no ASC, t.number ASC, t.id ASC",
        col = q.sort.column(),
        dir = q.dir.sql()
    );
    let items: Vec<ResultRow> = on!(c, |c| {
        let mut qb = QueryBuilder::new(concat!(
            result_cols!(),
            " FROM exam_attempts t JOIN employees e ON e.id = t.employee_id"
        ));
        push_result_filters!(qb, session_id, q);
        qb.push(format!(
            " ORDER BY {order} LIMIT {per_page} OFFSET {offset}"
        ));
        qb.build_query_as::<ResultRow>().fetch_all(&mut *c).await
    })?;
    let total: i64 = on!(c, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) FROM exam_attempts t JOIN employees e ON e.id = t.employee_id",
        );
        push_result_filters!(qb, session_id, q);
        qb.build_query_scalar::<i64>().fetch_one(&mut *c).await
    })?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// A candidate's override as listed on the session page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct OverrideRow {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub extra_minutes: i32,
    pub extra_attempts: i32,
}

/// Every override of a session, by employee number.
pub async fn overrides(c: &mut Conn<'_>, session_id: i64) -> Result<Vec<OverrideRow>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, OverrideRow>(
        "SELECT o.employee_id, e.employee_no, e.name, e.department_id, o.extra_minutes, \
         o.extra_attempts FROM exam_overrides o JOIN employees e ON e.id = o.employee_id \
         WHERE o.session_id = $1 ORDER BY e.employee_no"
    )
    .bind(session_id)
    .fetch_all(&mut *c)
    .await)?)
}

/// A session with short answers waiting for markers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct MarkingSession {
    pub id: i64,
    pub code: String,
    pub title: String,
    /// Answers still waiting for a (further) mark.
    pub pending: i64,
}

/// Sessions with answers awaiting marks, oldest opening first.
pub async fn marking_sessions(c: &mut Conn<'_>) -> Result<Vec<MarkingSession>, StoreError> {
    Ok(on!(c, |c| sqlx::query_as::<_, MarkingSession>(
        "SELECT s.id, s.code, s.title, COUNT(*) AS pending FROM exam_answers a \
         JOIN exam_attempts t ON t.id = a.attempt_id JOIN exam_sessions s ON s.id = t.session_id \
         WHERE a.needs_marking GROUP BY s.id, s.code, s.title, s.opens_at_ms \
         ORDER BY s.opens_at_ms, s.id"
    )
    .fetch_all(&mut *c)
    .await)?)
}

/// Display names of users, for showing who marked.
pub async fn user_names(c: &mut Conn<'_>, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(on!(c, |c| {
        let mut qb = QueryBuilder::new("SELECT id, display_name FROM users WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY id");
        qb.build_query_as::<(i64, String)>()
            .fetch_all(&mut *c)
            .await
    })?)
}

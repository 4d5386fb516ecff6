//! Departments, service windows/teams, positions and employees.

use serde::{Deserialize, Serialize};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::org::{
    DepartmentDraft, EmployeeDraft, EmployeeFields, FieldError, FieldReason, PositionDraft,
    UnitDraft, creates_cycle,
};
use skillcert_store::org::{
    self as store, Department, Employee, EmployeeQuery, EmployeeView, Position, Unit,
};
use skillcert_store::{Conn, Page};

use crate::audit::{self, Author};
use crate::error::on_conflict;
use crate::{Actor, App, AppError, AppResult};

// ---------- departments ----------

/// A department with what the tree page shows.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentNode {
    #[serde(flatten)]
    pub department: Department,
    pub depth: usize,
    pub headcount: i64,
    /// Whether the viewer may change it.
    pub writable: bool,
}

/// The departments the actor may see, in tree order (each parent before its children), with
/// their head-counts.
pub async fn department_tree(app: &App, actor: &Actor) -> AppResult<Vec<DepartmentNode>> {
    tree(app, actor, true).await
}

/// The same tree without head-counts (which cost a pass over all employees), for choices.
pub async fn department_choices(app: &App, actor: &Actor) -> AppResult<Vec<DepartmentNode>> {
    tree(app, actor, false).await
}

async fn tree(app: &App, actor: &Actor, with_counts: bool) -> AppResult<Vec<DepartmentNode>> {
    let read = actor.require(Permission::OrgRead)?;
    let write = actor.scope(Permission::OrgWrite);
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let all = store::list_departments(&mut c).await?;
    let counts: std::collections::HashMap<i64, i64> = if with_counts {
        // Each department counts everyone in its subtree, as its employee list shows them.
        let direct: std::collections::HashMap<i64, i64> = store::department_headcounts(&mut c)
            .await?
            .into_iter()
            .collect();
        let parents: Vec<(i64, Option<i64>)> = all.iter().map(|d| (d.id, d.parent_id)).collect();
        all.iter()
            .map(|d| {
                let n = skillcert_domain::org::subtree(&[d.id], &parents)
                    .iter()
                    .map(|id| direct.get(id).copied().unwrap_or(0))
                    .sum();
                (d.id, n)
            })
            .collect()
    } else {
        Default::default()
    };
    let mut out = Vec::with_capacity(all.len());
    fn walk(
        parent: Option<i64>,
        depth: usize,
        all: &[Department],
        read: &Scope,
        write: &Scope,
        counts: &std::collections::HashMap<i64, i64>,
        out: &mut Vec<DepartmentNode>,
    ) {
        for d in all.iter().filter(|d| d.parent_id == parent) {
            let visible = read.covers(d.id);
            if visible {
                out.push(DepartmentNode {
                    department: d.clone(),
                    depth,
                    headcount: counts.get(&d.id).copied().unwrap_or(0),
                    writable: write.covers(d.id),
                });
            }
            walk(
                Some(d.id),
                depth + usize::from(visible),
                all,
                read,
                write,
                counts,
                out,
            );
        }
    }
    walk(None, 0, &all, &read, &write, &counts, &mut out);
    Ok(out)
}

pub async fn get_department(app: &App, actor: &Actor, id: i64) -> AppResult<Department> {
    let mut r = app.db.read().await?;
    let d = store::get_department(&mut r.conn(), id).await?;
    actor.require_in(Permission::OrgRead, d.id)?;
    Ok(d)
}

/// The form or API body of a department.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DepartmentInput {
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
}

fn require_parent_scope(actor: &Actor, parent: Option<i64>) -> AppResult<()> {
    match parent {
        Some(p) => actor.require_in(Permission::OrgWrite, p),
        None if actor.scope(Permission::OrgWrite) == Scope::All => Ok(()),
        None => Err(AppError::Forbidden),
    }
}

pub async fn create_department(
    app: &App,
    actor: &Actor,
    input: &DepartmentInput,
) -> AppResult<Department> {
    actor.require(Permission::OrgWrite)?;
    let draft = DepartmentDraft::parse(&input.code, &input.name, input.parent_id)?;
    require_parent_scope(actor, draft.parent_id)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if let Some(p) = draft.parent_id {
        exists_department(&mut c, "parent_id", p).await?;
    }
    let d = store::insert_department(&mut c, &draft, app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::created(app, &mut c, &Author::from(actor), "department", d.id, &d).await?;
    tx.commit().await?;
    Ok(d)
}

pub async fn update_department(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &DepartmentInput,
) -> AppResult<Department> {
    // Authorization first: someone who may not change this department learns nothing from
    // validation messages.
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get_department(&mut c, id).await?;
    actor.require_in(Permission::OrgWrite, id)?;
    let draft = DepartmentDraft::parse(&input.code, &input.name, input.parent_id)?;
    if draft.parent_id != before.parent_id {
        require_parent_scope(actor, draft.parent_id)?;
    }
    if let Some(p) = draft.parent_id {
        exists_department(&mut c, "parent_id", p).await?;
    }
    let tree = crate::auth::department_tree(&mut c).await?;
    let parent_of = |d: i64| tree.iter().find(|(id, _)| *id == d).and_then(|(_, p)| *p);
    if creates_cycle(id, draft.parent_id, parent_of) {
        return Err(AppError::field("parent_id", FieldReason::Cycle));
    }
    let after = store::update_department(&mut c, id, &draft, app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "department",
        id,
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn exists_department(c: &mut Conn<'_>, field: &'static str, id: i64) -> AppResult<()> {
    match store::get_department(c, id).await {
        Ok(_) => Ok(()),
        Err(skillcert_store::StoreError::NotFound) => {
            Err(AppError::field(field, FieldReason::NotFound))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- units (service windows and teams) ----------

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub department_id: Option<i64>,
}

pub async fn list_units(app: &App, actor: &Actor) -> AppResult<Vec<Unit>> {
    let scope = actor.require(Permission::OrgRead)?;
    let mut r = app.db.read().await?;
    Ok(store::list_units(&mut r.conn())
        .await?
        .into_iter()
        .filter(|u| scope.covers(u.department_id))
        .collect())
}

pub async fn get_unit(app: &App, actor: &Actor, id: i64) -> AppResult<Unit> {
    let mut r = app.db.read().await?;
    let u = store::get_unit(&mut r.conn(), id).await?;
    actor.require_in(Permission::OrgRead, u.department_id)?;
    Ok(u)
}

pub async fn create_unit(app: &App, actor: &Actor, input: &UnitInput) -> AppResult<Unit> {
    actor.require(Permission::OrgWrite)?;
    let draft = UnitDraft::parse(&input.code, &input.name, &input.kind, input.department_id)?;
    actor.require_in(Permission::OrgWrite, draft.department_id)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    exists_department(&mut c, "department_id", draft.department_id).await?;
    let u = store::insert_unit(&mut c, &draft, app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::created(app, &mut c, &Author::from(actor), "unit", u.id, &u).await?;
    tx.commit().await?;
    Ok(u)
}

pub async fn update_unit(app: &App, actor: &Actor, id: i64, input: &UnitInput) -> AppResult<Unit> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get_unit(&mut c, id).await?;
    actor.require_in(Permission::OrgWrite, before.department_id)?;
    let draft = UnitDraft::parse(&input.code, &input.name, &input.kind, input.department_id)?;
    actor.require_in(Permission::OrgWrite, draft.department_id)?;
    exists_department(&mut c, "department_id", draft.department_id).await?;
    let after = store::update_unit(&mut c, id, &draft, app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "unit",
        id,
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------- positions ----------

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PositionInput {
    pub code: String,
    pub name: String,
}

pub async fn list_positions(app: &App, actor: &Actor) -> AppResult<Vec<Position>> {
    actor.require(Permission::OrgRead)?;
    let mut r = app.db.read().await?;
    Ok(store::list_positions(&mut r.conn()).await?)
}

pub async fn get_position(app: &App, actor: &Actor, id: i64) -> AppResult<Position> {
    actor.require(Permission::OrgRead)?;
    let mut r = app.db.read().await?;
    Ok(store::get_position(&mut r.conn(), id).await?)
}

/// Positions are company-wide, so changing them needs a company-wide grant.
fn require_global_write(actor: &Actor) -> AppResult<()> {
    if actor.require(Permission::OrgWrite)? == Scope::All {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn create_position(
    app: &App,
    actor: &Actor,
    input: &PositionInput,
) -> AppResult<Position> {
    require_global_write(actor)?;
    let draft = PositionDraft::parse(&input.code, &input.name)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = store::insert_position(&mut c, &draft, app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::created(app, &mut c, &Author::from(actor), "position", p.id, &p).await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_position(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PositionInput,
) -> AppResult<Position> {
    require_global_write(actor)?;
    let draft = PositionDraft::parse(&input.code, &input.name)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get_position(&mut c, id).await?;
    let after = store::update_position(&mut c, id, &draft, app.now())
        .await
        .map_err(on_conflict("code"))?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "position",
        id,
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------- employees ----------

/// The form or API body of an employee. The supervisor is named by employee number, as HR
/// knows them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct EmployeeInput {
    pub employee_no: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub position_id: Option<i64>,
    pub unit_id: Option<i64>,
    #[serde(default)]
    pub supervisor_no: String,
    pub hire_date: String,
    #[serde(default)]
    pub status: String,
}

pub async fn list_employees(
    app: &App,
    actor: &Actor,
    mut q: EmployeeQuery,
    department: Option<i64>,
) -> AppResult<Page<EmployeeView>> {
    let visible = actor.department_filter(Permission::OrgRead)?;
    // A department filter means the department and everything below it, within what is visible.
    let wanted = department.map(|d| skillcert_domain::org::subtree(&[d], &actor.tree));
    q.departments = match (visible, wanted) {
        (None, w) => w,
        (Some(v), None) => Some(v),
        (Some(v), Some(w)) => Some(w.into_iter().filter(|d| v.contains(d)).collect()),
    };
    let mut r = app.db.read().await?;
    Ok(store::list_employees(&mut r.conn(), &q).await?)
}

pub async fn get_employee(app: &App, actor: &Actor, id: i64) -> AppResult<EmployeeView> {
    let mut r = app.db.read().await?;
    let e = store::get_employee_view(&mut r.conn(), id).await?;
    if actor.employee_id != Some(id) {
        actor.require_in(Permission::OrgRead, e.department_id)?;
    }
    Ok(e)
}

/// Checks an employee form against stored references; all problems are reported together.
async fn resolve_employee(
    app: &App,
    c: &mut Conn<'_>,
    input: &EmployeeInput,
    self_id: Option<i64>,
) -> AppResult<EmployeeDraft> {
    let fields = EmployeeFields {
        employee_no: input.employee_no.clone(),
        name: input.name.clone(),
        hire_date: input.hire_date.clone(),
        status: input.status.clone(),
    };
    let mut errors: Vec<FieldError> = Vec::new();
    let basics = match fields.parse(app.today()) {
        Ok(b) => Some(b),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let department_id = match input.department_id {
        None => {
            errors.push(FieldError::new(
                "department_id",
                FieldReason::Text(skillcert_domain::text::TextError::Empty),
            ));
            None
        }
        Some(d) => match store::get_department(c, d).await {
            Ok(_) => Some(d),
            Err(skillcert_store::StoreError::NotFound) => {
                errors.push(FieldError::new("department_id", FieldReason::NotFound));
                None
            }
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(p) = input.position_id
        && let Err(e) = store::get_position(c, p).await
    {
        match e {
            skillcert_store::StoreError::NotFound => {
                errors.push(FieldError::new("position_id", FieldReason::NotFound))
            }
            e => return Err(e.into()),
        }
    }
    if let Some(u) = input.unit_id {
        match store::get_unit(c, u).await {
            Ok(unit) => {
                if department_id.is_some_and(|d| d != unit.department_id) {
                    errors.push(FieldError::new("unit_id", FieldReason::OtherDepartment));
                }
            }
            Err(skillcert_store::StoreError::NotFound) => {
                errors.push(FieldError::new("unit_id", FieldReason::NotFound))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let supervisor_id = match input.supervisor_no.trim() {
        "" => None,
        no => match store::find_employee_by_no(c, no).await? {
            Some(s) if Some(s.id) == self_id => {
                errors.push(FieldError::new("supervisor_no", FieldReason::SelfReference));
                None
            }
            Some(s) => Some(s.id),
            None => {
                errors.push(FieldError::new("supervisor_no", FieldReason::NotFound));
                None
            }
        },
    };
    match (basics, department_id) {
        (Some(b), Some(department_id)) if errors.is_empty() => Ok(EmployeeDraft {
            employee_no: b.employee_no,
            name: b.name,
            department_id,
            position_id: input.position_id,
            unit_id: input.unit_id,
            supervisor_id,
            hire_date: b.hire_date,
            status: b.status,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

pub async fn create_employee(
    app: &App,
    actor: &Actor,
    input: &EmployeeInput,
) -> AppResult<Employee> {
    actor.require(Permission::OrgWrite)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let draft = resolve_employee(app, &mut c, input, None).await?;
    if !actor
        .scope(Permission::OrgWrite)
        .covers(draft.department_id)
    {
        return Err(AppError::field("department_id", FieldReason::OutOfScope));
    }
    let e = store::insert_employee(&mut c, &draft, app.now())
        .await
        .map_err(on_conflict("employee_no"))?;
    audit::created(app, &mut c, &Author::from(actor), "employee", e.id, &e).await?;
    crate::training::links::onboard(app, &mut c, &Author::from(actor), &[(e.id, draft.status)])
        .await?;
    tx.commit().await?;
    Ok(e)
}

pub async fn update_employee(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &EmployeeInput,
) -> AppResult<Employee> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let before = store::get_employee(&mut c, id).await?;
    actor.require_in(Permission::OrgWrite, before.department_id)?;
    let draft = resolve_employee(app, &mut c, input, Some(id)).await?;
    if !actor
        .scope(Permission::OrgWrite)
        .covers(draft.department_id)
    {
        return Err(AppError::field("department_id", FieldReason::OutOfScope));
    }
    let after = store::update_employee(&mut c, id, &draft, app.now())
        .await
        .map_err(on_conflict("employee_no"))?;
    audit::updated(
        app,
        &mut c,
        &Author::from(actor),
        "employee",
        id,
        &before,
        &after,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Everything a form needs to offer choices, within the actor's scope.
#[derive(Debug, Clone, Serialize)]
pub struct Choices {
    pub departments: Vec<DepartmentNode>,
    pub units: Vec<Unit>,
    pub positions: Vec<Position>,
}

pub async fn choices(app: &App, actor: &Actor) -> AppResult<Choices> {
    Ok(Choices {
        departments: department_choices(app, actor).await?,
        units: list_units(app, actor).await?,
        positions: list_positions(app, actor).await?,
    })
}

//! Loading the demo organisation into an empty database.

use std::collections::HashMap;

use skillcert_domain::access::Grant;
pub use skillcert_domain::demo::DEMO_PASSWORD;
use skillcert_domain::demo::{DemoOrg, generate};
use skillcert_domain::org::{DepartmentDraft, EmployeeDraft, PositionDraft, UnitDraft};
use skillcert_domain::text::Code;
use skillcert_store::audit::append;
use skillcert_store::{org, users};

use crate::audit::{Author, entry};
use crate::users::{UserInput, create_unchecked};
use crate::{App, AppError, AppResult};

/// A demo login to print for the person who started the demo.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub password: &'static str,
    pub role: &'static str,
}

/// Whether the database already holds data (then the demo is not loaded again).
pub async fn has_data(app: &App) -> AppResult<bool> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    Ok(users::count_users(&mut c).await? > 0 || !org::list_departments(&mut c).await?.is_empty())
}

fn code(s: &str) -> AppResult<Code> {
    Code::parse(s).map_err(|e| AppError::Internal(anyhow::anyhow!("demo code {s}: {e}")))
}

/// Loads the demo organisation and one account per role, in one transaction.
/// Returns `None` when the database already holds data.
pub async fn load(app: &App, seed: u64) -> AppResult<Option<Vec<DemoLogin>>> {
    if has_data(app).await? {
        return Ok(None);
    }
    let demo: DemoOrg = generate(seed, app.today());
    let author = Author::system("demo");
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let mut audits = Vec::new();

    let mut dept: HashMap<String, i64> = HashMap::new();
    for d in &demo.departments {
        let parent_id = d.parent_code.as_ref().and_then(|p| dept.get(p).copied());
        let draft = DepartmentDraft {
            code: code(&d.code)?,
            name: d.name.clone(),
            parent_id,
        };
        let row = org::insert_department(&mut c, &draft, now).await?;
        audits.push(entry(
            app,
            &author,
            "department.create",
            "department",
            Some(row.id.to_string()),
            None::<&()>,
            Some(&row),
        ));
        dept.insert(d.code.clone(), row.id);
    }
    let mut unit: HashMap<String, i64> = HashMap::new();
    for u in &demo.units {
        let department_id = *dept
            .get(&u.department_code)
            .ok_or_else(|| anyhow::anyhow!("demo unit department {}", u.department_code))?;
        let draft = UnitDraft {
            code: code(&u.code)?,
            name: u.name.clone(),
            kind: u.kind,
            department_id,
        };
        let row = org::insert_unit(&mut c, &draft, now).await?;
        audits.push(entry(
            app,
            &author,
            "unit.create",
            "unit",
            Some(row.id.to_string()),
            None::<&()>,
            Some(&row),
        ));
        unit.insert(u.code.clone(), row.id);
    }
    let mut position: HashMap<String, i64> = HashMap::new();
    for p in &demo.positions {
        let draft = PositionDraft {
            code: code(&p.code)?,
            name: p.name.clone(),
        };
        let row = org::insert_position(&mut c, &draft, now).await?;
        audits.push(entry(
            app,
            &author,
            "position.create",
            "position",
            Some(row.id.to_string()),
            None::<&()>,
            Some(&row),
        ));
        position.insert(p.code.clone(), row.id);
    }
    let mut drafts = Vec::with_capacity(demo.employees.len());
    for e in &demo.employees {
        drafts.push(EmployeeDraft {
            employee_no: code(&e.employee_no)?,
            name: e.name.clone(),
            department_id: *dept
                .get(&e.department_code)
                .ok_or_else(|| anyhow::anyhow!("demo employee department {}", e.department_code))?,
            position_id: position.get(&e.position_code).copied(),
            unit_id: e.unit_code.as_ref().and_then(|u| unit.get(u).copied()),
            supervisor_id: None,
            hire_date: e.hire_date,
            status: e.status,
        });
    }
    let ids = org::insert_employees_bulk(&mut c, &drafts, now).await?;
    let id_of: HashMap<&str, i64> = demo
        .employees
        .iter()
        .map(|e| e.employee_no.as_str())
        .zip(ids.iter().copied())
        .collect();
    let mut pairs = Vec::new();
    for ((e, d), id) in demo.employees.iter().zip(drafts.iter_mut()).zip(&ids) {
        d.supervisor_id = e
            .supervisor_no
            .as_deref()
            .and_then(|s| id_of.get(s).copied());
        if d.supervisor_id.is_some() {
            pairs.push((*id, d.supervisor_id));
        }
        audits.push(entry(
            app,
            &author,
            "employee.create",
            "employee",
            Some(id.to_string()),
            None::<&()>,
            Some(&*d),
        ));
    }
    org::set_supervisors(&mut c, &pairs).await?;
    append(&mut c, audits).await?;

    let mut logins = Vec::new();
    for a in &demo.accounts {
        let input = UserInput {
            username: a.username.clone(),
            display_name: a
                .employee_no
                .as_ref()
                .and_then(|no| demo.employees.iter().find(|e| &e.employee_no == no))
                .map(|e| e.name.clone())
                .unwrap_or_else(|| a.display.to_string()),
            password: DEMO_PASSWORD.into(),
            employee_no: a.employee_no.clone().unwrap_or_default(),
            role: String::new(),
            department_id: None,
        };
        let user = create_unchecked(app, &mut c, &author, &input).await?;
        let department_id = a
            .department_code
            .as_ref()
            .and_then(|d| dept.get(d).copied());
        let g = users::insert_grant(
            &mut c,
            user.id,
            Grant {
                role: a.role,
                department_id,
            },
            now,
        )
        .await?;
        append(
            &mut c,
            vec![entry(
                app,
                &author,
                "grant.create",
                "user",
                Some(user.id.to_string()),
                None::<&()>,
                Some(&g),
            )],
        )
        .await?;
        logins.push(DemoLogin {
            username: a.username.clone(),
            password: DEMO_PASSWORD,
            role: a.display,
        });
    }
    crate::demo_exams::load(app, &mut c, &author).await?;
    crate::demo_practical::load(app, &mut c, &author, &demo).await?;
    tx.commit().await?;
    // Rounds run through the services, each in its own transactions.
    crate::demo_certification::load(app, &demo).await?;
    crate::demo_training::load(app, &demo).await?;
    Ok(Some(logins))
}

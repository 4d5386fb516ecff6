//! Retake consequences as recorded (seed-rules §4.5) and the employee's return to duty.
//! skillcert records and reports them; it does not run payroll.

use skillcert_domain::access::{Permission, Scope};
use skillcert_store::Conn;
use skillcert_store::certification::{self as store, ConsequenceRow};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Consequences in the actor's scope, newest first; optionally of one round.
pub async fn list(
    app: &App,
    actor: &Actor,
    round_id: Option<i64>,
) -> AppResult<Vec<ConsequenceRow>> {
    let scope = if actor.can(Permission::CertificationManage) {
        Scope::All
    } else {
        actor.require(Permission::CertificationResults)?
    };
    let mut r = app.db.read().await?;
    Ok(store::consequences(&mut r.conn(), round_id, None)
        .await?
        .into_iter()
        .filter(|k| matches!(scope, Scope::All) || scope.covers(k.department_id))
        .collect())
}

/// Puts the employee back to the status they had before the off-duty training.
pub(crate) async fn return_to_duty(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    k: &ConsequenceRow,
    why: &str,
) -> AppResult<bool> {
    let Some(now_status) = &k.status_now else {
        return Ok(false);
    };
    if !store::mark_returned(c, k.id, app.today()).await? {
        return Ok(false);
    }
    let reason = format!("{} · {why}", k.round_code);
    if store::change_employee_status(
        c,
        k.employee_id,
        now_status,
        &k.status_before,
        &reason,
        Some(k.id),
        author.user_id,
        app.now(),
    )
    .await?
    {
        audit::record(
            app,
            c,
            author,
            "employee.status",
            "employee",
            k.employee_id,
            Some(&serde_json::json!({"status": now_status})),
            Some(&serde_json::json!({"status": k.status_before, "reason": reason})),
        )
        .await?;
    }
    audit::record(
        app,
        c,
        author,
        "consequence.return",
        "consequence",
        k.id,
        None::<&()>,
        Some(&serde_json::json!({"returned_on": app.today(), "why": why})),
    )
    .await?;
    Ok(true)
}

/// A manager records the return to duty (e.g. the off-duty training is done).
pub async fn return_by(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::CertificationManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let k = store::get_consequence(c, id).await?;
    if !return_to_duty(app, c, &Author::from(actor), &k, "manual").await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "consequence-returned",
        )]));
    }
    tx.commit().await?;
    Ok(())
}

/// Passing a later round returns an employee from off-duty training.
pub(crate) async fn return_on_pass(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    employee_id: i64,
) -> AppResult<()> {
    for k in store::consequences(c, None, Some(employee_id)).await? {
        if k.returned_on.is_none() && k.status_now.is_some() {
            return_to_duty(app, c, author, &k, "passed").await?;
        }
    }
    Ok(())
}

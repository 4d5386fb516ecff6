//! The numbers on the start page, limited to what the viewer may see.

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_store::audit::{self as audit_store, AuditQuery, AuditRow};
use skillcert_store::{org, users};

use crate::{Actor, App, AppResult};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Dashboard {
    /// `(status key, count)` of employees in scope; empty when the viewer may not see them.
    pub employees_by_status: Vec<(String, i64)>,
    pub employees_total: i64,
    pub departments: i64,
    pub units: i64,
    pub positions: i64,
    /// Admins only.
    pub users: Option<i64>,
    pub audit_records: Option<i64>,
    pub recent_changes: Vec<AuditRow>,
}

pub async fn load(app: &App, actor: &Actor) -> AppResult<Dashboard> {
    actor.require(Permission::Dashboard)?;
    let mut d = Dashboard::default();
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    if actor.can(Permission::OrgRead) {
        let scope = actor.scope(Permission::OrgRead);
        let filter = actor.department_filter(Permission::OrgRead)?;
        d.employees_by_status = org::count_by_status(&mut c, filter.as_deref()).await?;
        d.employees_total = d.employees_by_status.iter().map(|(_, n)| n).sum();
        d.departments = org::list_departments(&mut c)
            .await?
            .iter()
            .filter(|x| scope.covers(x.id))
            .count() as i64;
        d.units = org::list_units(&mut c)
            .await?
            .iter()
            .filter(|u| scope.covers(u.department_id))
            .count() as i64;
        d.positions = org::list_positions(&mut c).await?.len() as i64;
    }
    if actor.can(Permission::AuditRead) {
        d.users = Some(users::count_users(&mut c).await?);
        d.audit_records = Some(audit_store::count(&mut c).await?);
        d.recent_changes = audit_store::list(
            &mut c,
            &AuditQuery {
                page: 1,
                per_page: 8,
                ..AuditQuery::default()
            },
        )
        .await?
        .items;
    }
    Ok(d)
}

//! Certificates: issued from a passed result with a gapless number per scheme and year,
//! signed as an Open Badges 3.0 credential; suspended while an appeal is pending, revoked
//! with a reason, superseded by re-evaluation; verified publicly by number.

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use serde::Serialize;
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::certification::{CertificateFlags, CertificateStatus, mask_name};
use skillcert_domain::scheme::{Labels, Lang, Scheme};
use skillcert_domain::text::clean;
use skillcert_store::certification::{
    self as store, CertificateQuery, CertificateRow, NewCertificate, ResultRow, TaskRow,
};
use skillcert_store::{Conn, Page};

use super::{Round, inbox};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

pub const REASON_MAX: usize = 200;

/// The status of a stored certificate on `today`.
pub fn status_of(row: &CertificateRow, today: NaiveDate) -> CertificateStatus {
    CertificateStatus::on(
        today,
        row.valid_until,
        row.reevaluation_due,
        CertificateFlags {
            revoked: row.revoked_at.is_some(),
            superseded: row.superseded_by.is_some(),
            suspended: row.suspended,
        },
    )
}

/// A certificate with its status today and its level's names.
#[derive(Debug, Clone, Serialize)]
pub struct Certificate {
    #[serde(flatten)]
    pub row: CertificateRow,
    pub status: CertificateStatus,
    pub level: Labels,
    pub scheme: Labels,
}

/// The level's and scheme's names from the round's frozen scheme, else the key.
fn labels_of(scheme: Option<&Scheme>, row: &CertificateRow) -> (Labels, Labels) {
    let level = scheme
        .and_then(|s| s.bands().iter().find(|b| b.key == row.level_key))
        .map(|b| b.labels.clone())
        .unwrap_or_else(|| Labels::new(&row.level_key, &row.level_key));
    let name = scheme
        .map(|s| s.labels().clone())
        .unwrap_or_else(|| Labels::new(&row.scheme_key, &row.scheme_key));
    (level, name)
}

async fn enrich(app: &App, c: &mut Conn<'_>, row: CertificateRow) -> AppResult<Certificate> {
    let mut out = enrich_all(app, c, vec![row]).await?;
    out.pop()
        .ok_or_else(|| anyhow::anyhow!("enriching one certificate gave none").into())
}

/// Status and names of certificates; each round's frozen scheme is read once, however many
/// of its certificates the page holds.
async fn enrich_all(
    app: &App,
    c: &mut Conn<'_>,
    rows: Vec<CertificateRow>,
) -> AppResult<Vec<Certificate>> {
    let today = app.today();
    let mut schemes: std::collections::BTreeMap<i64, Scheme> = std::collections::BTreeMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let scheme = match row.round_id {
            Some(id) => {
                if let std::collections::btree_map::Entry::Vacant(e) = schemes.entry(id) {
                    e.insert(Round::decode(store::get_round(c, id).await?)?.scheme);
                }
                schemes.get(&id).cloned()
            }
            None => skillcert_domain::scheme::presets::get(&row.scheme_key),
        };
        let (level, name) = labels_of(scheme.as_ref(), &row);
        out.push(Certificate {
            status: status_of(&row, today),
            row,
            level,
            scheme: name,
        });
    }
    Ok(out)
}

/// A status-list position not yet taken by any certificate (drawn at random, as Bitstring
/// Status List recommends, so positions reveal nothing about issue order).
async fn free_index(c: &mut Conn<'_>, taken: &[i32]) -> AppResult<i32> {
    for _ in 0..64 {
        let i = rand::thread_rng().gen_range(0..skillcert_credential::status_list::LIST_LENGTH);
        let i = i32::try_from(i).unwrap_or(0);
        if !taken.contains(&i) && !store::status_index_taken(c, i).await? {
            return Ok(i);
        }
    }
    Err(anyhow::anyhow!("no free status-list position after 64 draws").into())
}

/// Everything needed to issue, whatever triggered it.
pub(crate) struct Issue<'a> {
    pub round: &'a Round,
    pub result: &'a ResultRow,
    pub level_key: &'a str,
}

/// Issues a certificate for a passed result, in the caller's transaction. A current
/// certificate of the same scheme held by the employee is superseded by it (re-evaluation),
/// keeping its first award date.
pub(crate) async fn issue(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    it: Issue<'_>,
) -> AppResult<i64> {
    let policy = it.round.scheme.certificate().ok_or_else(|| {
        anyhow::anyhow!("scheme {} issues no certificates", it.round.row.scheme_key)
    })?;
    let today = app.today();
    let year = today.year();
    let seq = store::next_sequence(c, &it.round.row.scheme_key, year).await?;
    let number = policy
        .number_format
        .format(year, u32::try_from(seq).unwrap_or(0));
    let valid_until = policy
        .valid_until(today)
        .ok_or_else(|| anyhow::anyhow!("validity beyond the calendar"))?;
    let due = policy.reevaluation_due(today).unwrap_or(valid_until);
    let predecessors: Vec<CertificateRow> =
        store::certificates_of_employee(c, it.result.employee_id)
            .await?
            .into_iter()
            .filter(|p| p.scheme_key == it.round.row.scheme_key && status_of(p, today).is_current())
            .collect();
    let awarded_on = predecessors
        .iter()
        .map(|p| p.awarded_on)
        .min()
        .unwrap_or(today);
    let revocation_index = free_index(c, &[]).await?;
    let suspension_index = free_index(c, &[revocation_index]).await?;
    let employee = skillcert_store::org::get_employee(c, it.result.employee_id).await?;
    let level = it
        .round
        .scheme
        .bands()
        .iter()
        .find(|b| b.key == it.level_key)
        .map(|b| b.labels.clone())
        .unwrap_or_else(|| Labels::new(it.level_key, it.level_key));
    let credential = app.issuer.credential(&super::issuer::Facts {
        number: &number,
        employee_no: &employee.employee_no,
        scheme: &it.round.scheme,
        level_key: it.level_key,
        level: &level,
        total: it.result.total,
        issued_on: today,
        valid_until,
        awarded_on,
        revocation_index,
        suspension_index,
        now: app.now(),
    })?;
    let id = store::insert_certificate(
        c,
        &NewCertificate {
            number: number.clone(),
            scheme_key: it.round.row.scheme_key.clone(),
            seq_year: year,
            seq,
            round_id: Some(it.round.row.id),
            result_id: Some(it.result.id),
            employee_id: it.result.employee_id,
            level_key: it.level_key.to_string(),
            total: it.result.total,
            issued_on: today,
            valid_until,
            reevaluation_due: due,
            awarded_on,
            revocation_index,
            suspension_index,
            credential,
        },
        app.now(),
    )
    .await?;
    audit::record(
        app,
        c,
        author,
        "certificate.issue",
        "certificate",
        &number,
        None::<&()>,
        Some(&serde_json::json!({
            "number": number, "employee_id": it.result.employee_id, "level": it.level_key,
            "round_id": it.round.row.id, "result_id": it.result.id,
            "issued_on": today, "valid_until": valid_until,
        })),
    )
    .await?;
    for p in predecessors {
        if store::supersede(c, p.id, id).await? {
            store::close_task(c, p.id, "passed", Some(id), app.now()).await?;
            audit::record(
                app,
                c,
                author,
                "certificate.supersede",
                "certificate",
                &p.number,
                None::<&()>,
                Some(&serde_json::json!({"superseded_by": number})),
            )
            .await?;
        }
    }
    inbox::notify_employee(
        app,
        c,
        it.result.employee_id,
        "inbox-certificate-issued",
        &serde_json::json!({"number": number, "valid_until": valid_until.to_string()}),
        &format!("/certificates/{number}"),
        false,
    )
    .await?;
    Ok(id)
}

/// Issues the certificate of a passed result with an awarded level.
pub(crate) async fn issue_for_result(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    round: &Round,
    result: &ResultRow,
) -> AppResult<()> {
    if let Some(level) = result.awarded_level.as_deref()
        && result.passed
    {
        issue(
            app,
            c,
            author,
            Issue {
                round,
                result,
                level_key: level,
            },
        )
        .await?;
    }
    Ok(())
}

/// Suspends (appeal filed) or reinstates (appeal upheld) the certificates of a result.
pub(crate) async fn suspend_for_result(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    result: &ResultRow,
    suspend: bool,
) -> AppResult<()> {
    for cert in store::certificates_of_result(c, result.round_id, result.employee_id).await? {
        if cert.revoked_at.is_some() || cert.superseded_by.is_some() || cert.suspended == suspend {
            continue;
        }
        store::set_suspended(c, cert.id, suspend).await?;
        audit::record(
            app,
            c,
            author,
            if suspend {
                "certificate.suspend"
            } else {
                "certificate.reinstate"
            },
            "certificate",
            &cert.number,
            Some(&serde_json::json!({"suspended": cert.suspended})),
            Some(&serde_json::json!({"suspended": suspend})),
        )
        .await?;
    }
    Ok(())
}

/// After a re-score: certificates of the old revision are revoked when the outcome changed
/// (and reinstated when it did not); a certificate is issued for the new outcome when the
/// round already issues.
pub(crate) async fn replace_after_rescore(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    round: &Round,
    old: &ResultRow,
    new: &ResultRow,
) -> AppResult<()> {
    let same = old.passed == new.passed && old.awarded_level == new.awarded_level;
    let existing = store::certificates_of_result(c, old.round_id, old.employee_id).await?;
    if same {
        return suspend_for_result(app, c, author, old, false).await;
    }
    let mut had = false;
    for cert in existing {
        // A certificate already revoked, or superseded by a later one (re-evaluation), is
        // history; the re-score replaces only the one in force.
        if cert.revoked_at.is_some() || cert.superseded_by.is_some() {
            continue;
        }
        had = true;
        store::revoke(c, cert.id, "appeal re-score", app.now()).await?;
        audit::record(
            app,
            c,
            author,
            "certificate.revoke",
            "certificate",
            &cert.number,
            None::<&()>,
            Some(&serde_json::json!({"reason": "appeal re-score", "new_result_id": new.id})),
        )
        .await?;
    }
    let issues_now = round.is("closed")
        || had
        || round.plan.issue_at == skillcert_domain::certification::IssueAt::Publication;
    if issues_now {
        issue_for_result(app, c, author, round, new).await?;
    }
    if new.passed && !old.passed {
        super::consequences::return_on_pass(app, c, author, new.employee_id).await?;
    }
    // A pass turned into a failure takes the ladder's step, as at publication.
    if old.passed && !new.passed && !round.is("open") && !round.is("reviewed") {
        super::results::record_consequence(app, c, author, round, new).await?;
    }
    Ok(())
}

/// Revokes a certificate for good, with a reason.
pub async fn revoke(app: &App, actor: &Actor, number: &str, reason: &str) -> AppResult<()> {
    actor.require(Permission::CertificationManage)?;
    let reason = clean(reason, REASON_MAX).map_err(|_| {
        AppError::Rejected(vec![Problem::new("reason", "certificate-reason-missing")])
    })?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let cert = store::certificate_by_number(c, number)
        .await?
        .ok_or(AppError::NotFound)?;
    if !store::revoke(c, cert.id, &reason, app.now()).await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "number",
            "certificate-revoked",
        )]));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "certificate.revoke",
        "certificate",
        number,
        Some(&serde_json::json!({"status": status_of(&cert, app.today())})),
        Some(&serde_json::json!({"status": "revoked", "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn scope_of(actor: &Actor) -> AppResult<Scope> {
    if actor.can(Permission::CertificationManage) {
        Ok(Scope::All)
    } else {
        actor.require(Permission::CertificationResults)
    }
}

/// The certificate record table (S1 template 5), in the actor's scope.
pub async fn list(
    app: &App,
    actor: &Actor,
    mut q: CertificateQuery,
) -> AppResult<Page<Certificate>> {
    if let Scope::Departments(ids) = scope_of(actor)? {
        q.department_ids = Some(ids);
    }
    list_all(app, q).await
}

/// Every certificate matching the query, unscoped: for the CLI and the scheduler.
pub async fn list_all(app: &App, mut q: CertificateQuery) -> AppResult<Page<Certificate>> {
    q.today = app.today();
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let page = store::list_certificates(c, &q).await?;
    let items = enrich_all(app, c, page.items).await?;
    Ok(Page {
        items,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

/// Counts per status today (for the list's filter chips and the dashboard).
pub async fn counts(app: &App) -> AppResult<Vec<(String, i64)>> {
    let mut r = app.db.read().await?;
    Ok(store::certificate_counts(&mut r.conn(), app.today()).await?)
}

/// One certificate: the holder, their supervisor's managers, and holders of results rights
/// in its department may see it.
pub async fn get(app: &App, actor: &Actor, number: &str) -> AppResult<Certificate> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let row = store::certificate_by_number(c, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = Some(row.employee_id) == actor.employee_id;
    if !own {
        let scope = scope_of(actor)?;
        if !matches!(scope, Scope::All) && !scope.covers(row.department_id) {
            return Err(AppError::Forbidden);
        }
    }
    enrich(app, c, row).await
}

/// The signed-in employee's certificates.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<Certificate>> {
    let Some(e) = actor.employee_id else {
        return Ok(Vec::new());
    };
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let rows = store::certificates_of_employee(c, e).await?;
    enrich_all(app, c, rows).await
}

/// What the public verification page shows: no login, the holder's name masked.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub number: String,
    pub holder: String,
    pub department: String,
    pub level: Labels,
    pub scheme: Labels,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: CertificateStatus,
    /// The number that replaced it. The reason for a revocation is not public: it may name
    /// misconduct, and the verifier needs only the status.
    pub superseded_by: Option<String>,
    pub issuer: String,
}

impl Verification {
    pub fn level_name(&self, lang: Lang) -> &str {
        self.level.get(lang)
    }
}

pub async fn verify(app: &App, number: &str) -> AppResult<Verification> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let row = store::certificate_by_number(c, number.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let cert = enrich(app, c, row).await?;
    Ok(Verification {
        number: cert.row.number.clone(),
        holder: mask_name(&cert.row.name),
        department: cert.row.department.clone(),
        level: cert.level,
        scheme: cert.scheme,
        issued_on: cert.row.issued_on,
        valid_until: cert.row.valid_until,
        status: cert.status,
        superseded_by: cert.row.superseded_by_number.clone(),
        issuer: app.issuer.name().to_string(),
    })
}

/// The signed credential exactly as issued (public: it names the holder only by a salted
/// hash of their employee number).
pub async fn credential(app: &App, number: &str) -> AppResult<serde_json::Value> {
    let mut r = app.db.read().await?;
    let row = store::certificate_by_number(&mut r.conn(), number.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(serde_json::from_str(&row.credential).map_err(anyhow::Error::from)?)
}

/// The signed status list of `purpose` (`revocation` or `suspension`), built from the
/// certificates as they are now.
/// `key` names the signing key (see the credentials' `statusListCredential`); an unknown
/// key is not found.
pub async fn status_list(
    app: &App,
    purpose: &str,
    key: Option<&str>,
) -> AppResult<serde_json::Value> {
    if purpose != "revocation" && purpose != "suspension" {
        return Err(AppError::NotFound);
    }
    let mut r = app.db.read().await?;
    let bits = store::status_bits(&mut r.conn(), purpose).await?;
    app.issuer.status_list(purpose, key, &bits, app.now())
}

/// Opens a re-evaluation task for every certificate whose lead time has started, and
/// tells the holder and their supervisor. Idempotent; run hourly by the server.
pub async fn sync_reevaluation(app: &App) -> AppResult<usize> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let due = store::due_without_task(c, app.today()).await?;
    let author = Author::system("scheduler");
    let lapsed = store::lapse_tasks(c, app.today(), app.now()).await?;
    if lapsed > 0 {
        audit::record(
            app,
            c,
            &author,
            "reevaluation.lapse",
            "reevaluation",
            app.today(),
            None::<&()>,
            Some(&serde_json::json!({"lapsed": lapsed})),
        )
        .await?;
    }
    for cert in &due {
        let id = store::insert_task(c, cert.id, cert.reevaluation_due, app.now()).await?;
        audit::record(
            app,
            c,
            &author,
            "reevaluation.open",
            "certificate",
            &cert.number,
            None::<&()>,
            Some(&serde_json::json!({"task_id": id, "valid_until": cert.valid_until})),
        )
        .await?;
        inbox::notify_employee(
            app,
            c,
            cert.employee_id,
            "inbox-reevaluation-due",
            &serde_json::json!({
                "number": cert.number, "name": cert.name,
                "valid_until": cert.valid_until.to_string(),
            }),
            &format!("/certificates/{}", cert.number),
            true,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// Re-evaluation tasks in the actor's scope; `status` filters (`open`, `passed`, `lapsed`).
pub async fn tasks(app: &App, actor: &Actor, status: Option<&str>) -> AppResult<Vec<TaskRow>> {
    let scope = scope_of(actor)?;
    let mut r = app.db.read().await?;
    Ok(store::tasks(&mut r.conn(), status)
        .await?
        .into_iter()
        .filter(|t| matches!(scope, Scope::All) || scope.covers(t.department_id))
        .collect())
}

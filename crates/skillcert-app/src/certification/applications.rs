//! Applications to a round (S1 template 4): the employee applies for a level within the
//! registration window, with the documents S0 allows; the training manager approves or
//! rejects; an approved applicant is put on the round's exam session.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use skillcert_domain::access::Permission;
use skillcert_domain::certification::attachment::{AttachmentKind, sniff};
use skillcert_domain::certification::{
    Applicant, CertificateFlags, CertificateStatus, check_application,
};
use skillcert_domain::org::{Checker, EmployeeStatus, parse_date};
use skillcert_domain::text::clean;
use skillcert_store::Conn;
use skillcert_store::certification::{
    self as store, ApplicationFields, ApplicationRow, AttachmentRow, NewAttachment,
};

use super::{Round, inbox};
use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

pub const COMMENT_MAX: usize = 500;
pub const FILENAME_MAX: usize = 120;
/// One identity proof and one job description, possibly in two parts each.
pub const ATTACHMENTS_MAX: usize = 4;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationInput {
    pub level: String,
    /// `YYYY-MM-DD`, or empty.
    pub training_completed_on: String,
    pub mentor_comment: String,
}

/// A file sent with an application.
#[derive(Debug, Clone)]
pub struct Upload {
    pub kind: String,
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Band keys of `scheme_key` the employee holds a current certificate for.
pub(crate) async fn held_levels(
    app: &App,
    c: &mut Conn<'_>,
    employee_id: i64,
    scheme_key: &str,
) -> AppResult<Vec<String>> {
    let today = app.today();
    Ok(store::certificates_of_employee(c, employee_id)
        .await?
        .into_iter()
        .filter(|cert| cert.scheme_key == scheme_key)
        .filter(|cert| {
            CertificateStatus::on(
                today,
                cert.valid_until,
                cert.reevaluation_due,
                CertificateFlags {
                    revoked: cert.revoked_at.is_some(),
                    superseded: cert.superseded_by.is_some(),
                    suspended: cert.suspended,
                },
            )
            .is_current()
        })
        .map(|cert| cert.level_key)
        .collect())
}

/// An upload that passed the checks: its kind, cleaned name and sniffed content type.
type Checked<'a> = (AttachmentKind, String, &'static str, &'a Upload);

fn checked_uploads(uploads: &[Upload]) -> Result<Vec<Checked<'_>>, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut out = Vec::new();
    if uploads.len() > ATTACHMENTS_MAX {
        problems.push(Problem::new("attachments", "attachment-too-many"));
    }
    for (i, u) in uploads.iter().enumerate() {
        let field = format!("attachments[{i}]");
        let Some(kind) = AttachmentKind::parse(u.kind.trim()) else {
            problems.push(Problem::new(field, "attachment-kind"));
            continue;
        };
        let name = clean(&u.filename, FILENAME_MAX).unwrap_or_else(|_| "attachment".into());
        match sniff(&u.bytes) {
            Ok(ct) => out.push((kind, name, ct, u)),
            Err(e) => problems.push(Problem::new(field, e.code())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The signed-in employee applies to a round.
pub async fn apply(
    app: &App,
    actor: &Actor,
    round_id: i64,
    input: &ApplicationInput,
    uploads: &[Upload],
) -> AppResult<i64> {
    let Some(employee_id) = actor.employee_id else {
        return Err(AppError::Rejected(vec![Problem::new(
            "employee",
            "apply-not-employee",
        )]));
    };
    submit(
        app,
        &Author::from(actor),
        employee_id,
        round_id,
        input,
        uploads,
    )
    .await
}

/// A manager files the paper form of an employee without an account; the same rules apply.
pub async fn apply_for(
    app: &App,
    actor: &Actor,
    employee_no: &str,
    round_id: i64,
    input: &ApplicationInput,
    uploads: &[Upload],
) -> AppResult<i64> {
    actor.require(Permission::CertificationManage)?;
    let employee = {
        let mut r = app.db.read().await?;
        skillcert_store::org::find_employee_by_no(&mut r.conn(), employee_no.trim()).await?
    };
    let Some(employee) = employee else {
        return Err(AppError::Rejected(vec![Problem::new(
            "employee",
            "apply-not-employee",
        )]));
    };
    submit(
        app,
        &Author::from(actor),
        employee.id,
        round_id,
        input,
        uploads,
    )
    .await
}

async fn submit(
    app: &App,
    author: &Author,
    employee_id: i64,
    round_id: i64,
    input: &ApplicationInput,
    uploads: &[Upload],
) -> AppResult<i64> {
    let mut ck = Checker::default();
    let completed = if input.training_completed_on.trim().is_empty() {
        Some(None)
    } else {
        ck.check(
            "training_completed_on",
            parse_date(&input.training_completed_on),
        )
        .map(Some)
    };
    let comment = ck.check(
        "mentor_comment",
        clean(&input.mentor_comment, COMMENT_MAX).or_else(|e| {
            if input.mentor_comment.trim().is_empty() {
                Ok(String::new())
            } else {
                Err(e)
            }
        }),
    );
    let (completed, comment) = ck
        .finish(completed.zip(comment))
        .map_err(AppError::Validation)?;
    let files = checked_uploads(uploads).map_err(AppError::Rejected)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let round = Round::decode(store::get_round(c, round_id).await?)?;
    let employee = skillcert_store::org::get_employee(c, employee_id).await?;
    let applicant = Applicant {
        today: app.today(),
        on_probation: EmployeeStatus::parse(&employee.status) == Some(EmployeeStatus::Probation),
        held: held_levels(app, c, employee_id, &round.row.scheme_key).await?,
        already_applied: store::application_of(c, round_id, employee_id)
            .await?
            .is_some_and(|a| a.status != "withdrawn"),
    };
    let level = input.level.trim();
    let mut problems: Vec<Problem> =
        check_application(&round.plan, &round.scheme, &applicant, level)
            .iter()
            .map(|e| Problem::new(e.field(), e.code()))
            .collect();
    problems.extend(
        crate::training::links::prerequisite_problems(app, c, &round.plan, employee_id).await?,
    );
    if !round.is("open") && problems.iter().all(|p| p.code != "apply-outside-window") {
        problems.insert(0, Problem::new("round", "apply-outside-window"));
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    let now = app.now();
    let fields = ApplicationFields {
        round_id,
        employee_id,
        level_key: level.to_string(),
        training_completed_on: completed,
        mentor_comment: comment.clone(),
    };
    // A withdrawn application is replaced, keeping one row per round and employee.
    let id = match store::application_of(c, round_id, employee_id).await? {
        Some(old) if old.status == "withdrawn" => {
            if !store::resubmit_application(c, old.id, &fields, now).await? {
                return Err(AppError::Rejected(vec![Problem::new(
                    "round",
                    "apply-duplicate",
                )]));
            }
            old.id
        }
        Some(_) => {
            return Err(AppError::Rejected(vec![Problem::new(
                "round",
                "apply-duplicate",
            )]));
        }
        None => store::insert_application(c, &fields, now).await?,
    };
    let mut stored = Vec::new();
    for (kind, name, ct, u) in files {
        let sha = hex::encode(Sha256::digest(&u.bytes));
        store::insert_attachment(
            c,
            &NewAttachment {
                application_id: id,
                kind: kind.key(),
                filename: &name,
                content_type: ct,
                sha256: &sha,
                data: &u.bytes,
            },
            now,
        )
        .await?;
        stored.push(serde_json::json!({"kind": kind.key(), "filename": name, "sha256": sha, "size": u.bytes.len()}));
    }
    audit::record(
        app,
        c,
        author,
        "application.submit",
        "application",
        id,
        None::<&()>,
        Some(&serde_json::json!({
            "round_id": round_id, "employee_id": employee_id, "level": level,
            "training_completed_on": completed, "mentor_comment": comment, "attachments": stored,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The applicant withdraws an undecided application.
pub async fn withdraw(app: &App, actor: &Actor, id: i64) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let a = store::get_application(c, id).await?;
    if Some(a.employee_id) != actor.employee_id {
        return Err(AppError::Forbidden);
    }
    if !store::withdraw_application(c, id, app.now()).await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "apply-decided",
        )]));
    }
    audit::record(
        app,
        c,
        &Author::from(actor),
        "application.withdraw",
        "application",
        id,
        Some(&serde_json::json!({"status": a.status})),
        Some(&serde_json::json!({"status": "withdrawn"})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Approves or rejects a submitted application; an approved applicant is put on the
/// candidate list of the round's exam sessions.
pub async fn decide(app: &App, actor: &Actor, id: i64, approve: bool, note: &str) -> AppResult<()> {
    actor.require(Permission::CertificationManage)?;
    let note = if note.trim().is_empty() {
        String::new()
    } else {
        clean(note, COMMENT_MAX).map_err(|e| AppError::field("note", e.into()))?
    };
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let a = store::get_application(c, id).await?;
    // Once results are under review, a late approval would join no result: refuse it.
    let round = Round::decode(store::get_round(c, a.round_id).await?)?;
    round.require("open", "round-not-open")?;
    let status = if approve { "approved" } else { "rejected" };
    if !store::decide_application(c, id, status, actor.user_id, &note, app.now()).await? {
        return Err(AppError::Rejected(vec![Problem::new(
            "status",
            "apply-decided",
        )]));
    }
    if approve {
        for s in store::sources(c, a.round_id).await? {
            if let Some(session) = s.exam_session_id {
                store::add_session_candidate(c, session, a.employee_id).await?;
            }
        }
    }
    inbox::notify_employee(
        app,
        c,
        a.employee_id,
        "inbox-application-decided",
        &serde_json::json!({"round": round.row.code, "title": round.row.title, "status": status}),
        &format!("/rounds/{}/mine", a.round_id),
        false,
    )
    .await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "application.decide",
        "application",
        id,
        Some(&serde_json::json!({"status": a.status})),
        Some(&serde_json::json!({"status": status, "note": note})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Applications of a round, for managers.
pub async fn of_round(app: &App, actor: &Actor, round_id: i64) -> AppResult<Vec<ApplicationRow>> {
    actor.require(Permission::CertificationManage)?;
    let mut r = app.db.read().await?;
    Ok(store::applications_of_round(&mut r.conn(), round_id).await?)
}

/// The signed-in employee's own applications.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Vec<ApplicationRow>> {
    let Some(employee_id) = actor.employee_id else {
        return Ok(Vec::new());
    };
    let mut r = app.db.read().await?;
    Ok(store::applications_of_employee(&mut r.conn(), employee_id).await?)
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetail {
    pub application: ApplicationRow,
    pub attachments: Vec<AttachmentRow>,
}

fn may_see(actor: &Actor, a: &ApplicationRow) -> bool {
    Some(a.employee_id) == actor.employee_id || actor.can(Permission::CertificationManage)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> AppResult<ApplicationDetail> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let application = store::get_application(c, id).await?;
    if !may_see(actor, &application) {
        return Err(AppError::Forbidden);
    }
    Ok(ApplicationDetail {
        attachments: store::attachments(c, id).await?,
        application,
    })
}

/// An attachment's bytes, for the applicant and managers only.
pub async fn attachment(app: &App, actor: &Actor, id: i64) -> AppResult<(AttachmentRow, Vec<u8>)> {
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let (row, data) = store::attachment_data(c, id).await?;
    let a = store::get_application(c, row.application_id).await?;
    if !may_see(actor, &a) {
        return Err(AppError::Forbidden);
    }
    Ok((row, data))
}

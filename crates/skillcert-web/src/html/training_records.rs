//! Training records (issue 7 items 5–6): homework assignments, submissions and marking;
//! mentors, follow-ups and the overdue list; the daily component's breakdown.
//!
//! - `/training-sessions/{id}/homework`: a session's homework, and for its lecturer or a
//!   training manager the form to set one (max points, deadline, late policy);
//! - `/homework/{id}`: one homework; markers see every submission with its files and a
//!   marking form, an enrolled employee their own hand-in; `/homework/{id}/edit`;
//! - `/homework/{id}/submit`: the enrolled employee hands in a text and files
//!   (`multipart/form-data`, PDF/PNG/JPEG by content, 5 MB each, 5 at most);
//! - `/homework/submissions/{id}/mark`, `/homework/files/{id}` (submitter and markers only);
//! - `/my-training/homework`: the signed-in employee's homework, status and marks;
//! - `/mentoring`: a mentor's trainees, follow-ups due and overdue (`?days=` sets the period,
//!   7 by default), and for training managers the company-wide overdue list;
//! - `/mentoring/assignments`: who mentors whom (training managers);
//! - `/mentoring/{employee_id}/follow-ups`: a trainee's follow-ups and, for their mentor, the
//!   form to record one.
//!
//! [`breakdown_text`] is the line the round results and the employee's result show under a
//! training-fed component.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use skillcert_app::training::daily::TrainingPart;
use skillcert_app::training::homework::{
    self as hw, AssignmentInput, AssignmentView, MarkInput, MyHomework, SessionHomework,
    UploadedFile,
};
use skillcert_app::training::mentoring::{
    self as mt, AssignInput, FollowUpInput, MentorPage, TraineeFollowUps,
};
use skillcert_app::{Actor, AppError};
use skillcert_domain::access::Permission;
use skillcert_domain::scheme::Score;
use skillcert_domain::training::homework::LatePolicy;

use super::{Ctx, FormErrors, Pager, WebForm, refusal_status, render, shown_on_page};
use crate::error::{WebError, form_errors};
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/training-sessions/{id}/homework",
            get(session_homework).post(create_assignment),
        )
        .route("/homework/{id}", get(show_assignment))
        .route(
            "/homework/{id}/edit",
            get(edit_form).post(update_assignment),
        )
        .route("/homework/{id}/submit", get(submit_form).post(submit))
        .route("/homework/submissions/{id}/mark", post(mark))
        .route("/homework/files/{id}", get(file))
        .route("/my-training/homework", get(my_homework))
        .route("/mentoring", get(mentoring_page))
        .route("/mentoring/assignments", get(assignments_page).post(assign))
        .route("/mentoring/assignments/{id}/remove", post(unassign))
        .route(
            "/mentoring/{employee_id}/follow-ups",
            get(follow_ups_page).post(record_follow_up),
        )
}

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 7] = [
    "set",
    "updated",
    "submitted",
    "marked",
    "assigned",
    "removed",
    "recorded",
];
/// Homework statuses of the employee's list.
pub const MY_STATUSES: [&str; 5] = ["open", "overdue", "closed", "submitted", "marked"];
/// Follow-up statuses shown.
pub const FOLLOW_UP_STATUSES: [&str; 4] = ["pending", "overdue", "done", "done_late"];

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for d in DONE {
        keys.push(format!("homework-done-{d}"));
    }
    for s in MY_STATUSES {
        keys.push(format!("homework-status-{s}"));
    }
    for p in hw::LATE_POLICIES {
        keys.push(format!("homework-policy-{p}"));
    }
    for s in FOLLOW_UP_STATUSES {
        keys.push(format!("mentoring-status-{s}"));
    }
    for c in skillcert_app::training::homework::ERROR_CODES
        .iter()
        .chain(skillcert_app::training::mentoring::ERROR_CODES)
        .chain(skillcert_app::training::daily::ERROR_CODES)
    {
        keys.push(format!("problem-{c}"));
    }
    keys.extend(
        skillcert_app::training::homework::INBOX_KINDS
            .iter()
            .chain(skillcert_app::training::mentoring::INBOX_KINDS)
            .map(|k| k.to_string()),
    );
    keys
}

fn done_message(lang: Lang, done: Option<&str>) -> Option<String> {
    done.filter(|d| DONE.contains(d))
        .map(|d| t(lang, &format!("homework-done-{d}")).to_string())
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
}

fn score_text(s: Option<Score>) -> String {
    s.map_or_else(|| "—".into(), |s| s.to_string())
}

/// The line under a training-fed component: for `daily` its three parts and weights, for
/// `attendance` the period. Empty when `component` is not training-fed.
pub fn breakdown_text(lang: Lang, parts: &[TrainingPart], component: &str) -> String {
    let Some(p) = parts.iter().find(|p| p.component == component) else {
        return String::new();
    };
    let period = format!("{} – {}", p.from, p.to);
    if p.kind == "daily" {
        let weights = p.weights.as_ref().map(|w| w.join("/")).unwrap_or_default();
        let mut out = tf(
            lang,
            "daily-breakdown",
            &[
                ("attendance", &score_text(p.attendance)),
                ("homework", &score_text(p.homework)),
                ("count", &p.homework_count.to_string()),
                ("mentor", &score_text(p.mentor)),
                ("weights", &weights),
                ("period", &period),
            ],
        );
        if p.renormalised {
            out.push(' ');
            out.push_str(t(lang, "daily-renormalised"));
        }
        out
    } else {
        tf(lang, "daily-attendance-breakdown", &[("period", &period)])
    }
}

fn policy_text(lang: Lang, p: &LatePolicy) -> String {
    match p {
        LatePolicy::Penalty(pp) => tf(
            lang,
            "homework-policy-penalty-detail",
            &[
                ("rate", &pp.per_day().to_string()),
                ("days", &pp.max_days().to_string()),
            ],
        ),
        other => t(lang, &format!("homework-policy-{}", other.key())).to_string(),
    }
}

// ---------- a session's homework ----------

#[derive(Template)]
#[template(path = "training_records/session.html")]
struct SessionPage {
    ctx: Ctx,
    h: SessionHomework,
    rows: Vec<(
        skillcert_app::store::training_more::records::AssignmentSummary,
        String,
    )>,
    v: AssignmentInput,
    errors: FormErrors,
    policies: Vec<(&'static str, &'static str)>,
}

fn policies(lang: Lang) -> Vec<(&'static str, &'static str)> {
    hw::LATE_POLICIES
        .iter()
        .map(|p| (*p, t(lang, &format!("homework-policy-{p}"))))
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn session_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    v: AssignmentInput,
    errors: FormErrors,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let h = hw::of_session(&state.app, me, id).await?;
    let rows = h
        .assignments
        .iter()
        .map(|a| {
            let p = serde_json::from_str::<LatePolicy>(&a.late_policy)
                .map(|p| policy_text(lang, &p))
                .unwrap_or_default();
            (a.clone(), p)
        })
        .collect();
    let page = SessionPage {
        ctx: Ctx::new(lang, Some(me), &format!("/training-sessions/{id}/homework"))
            .with_flash(flash),
        h,
        rows,
        v,
        errors,
        policies: policies(lang),
    };
    Ok((status, render(&page)?).into_response())
}

fn new_assignment_defaults(state: &AppState) -> AssignmentInput {
    AssignmentInput {
        deadline: hw::deadline_text(state.app.now() + chrono::Duration::days(7)),
        max_points: "100".into(),
        late_policy: "accept".into(),
        penalty_per_day: "10".into(),
        max_late_days: "3".into(),
        ..AssignmentInput::default()
    }
}

async fn session_homework(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let v = new_assignment_defaults(&state);
    let flash = done_message(lang, q.done.as_deref());
    session_page(
        &state,
        lang,
        &me,
        id,
        v,
        FormErrors::none(),
        flash,
        StatusCode::OK,
    )
    .await
}

async fn create_assignment(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(v): WebForm<AssignmentInput>,
) -> Result<Response, WebError> {
    match hw::create(&state.app, &me, id, &v).await {
        Ok(row) => Ok(Redirect::to(&format!("/homework/{}?done=set", row.id)).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            session_page(&state, lang, &me, id, v, errors, None, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- one homework ----------

pub struct SubmissionLine {
    pub s: hw::SubmissionView,
    pub score: String,
    pub late: String,
}

fn submission_line(lang: Lang, s: hw::SubmissionView) -> SubmissionLine {
    let score = s
        .row
        .final_score
        .and_then(|h| u32::try_from(h).ok())
        .and_then(|h| Score::from_hundredths(h).ok())
        .map_or_else(String::new, |x| x.to_string());
    let late = if s.lateness_days > 0 {
        tf(
            lang,
            "homework-late-days",
            &[("n", &s.lateness_days.to_string())],
        )
    } else {
        String::new()
    };
    SubmissionLine { s, score, late }
}

#[derive(Template)]
#[template(path = "training_records/show.html")]
struct ShowPage {
    ctx: Ctx,
    v: AssignmentView,
    policy: String,
    deadline: String,
    lines: Vec<SubmissionLine>,
    mine: Option<SubmissionLine>,
    /// Submission id → (points typed, error) of a refused mark.
    typed: Option<(i64, MarkInput, FormErrors)>,
}

async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    flash: Option<String>,
    typed: Option<(i64, MarkInput, FormErrors)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut v = hw::show(&state.app, me, id).await?;
    let lines = std::mem::take(&mut v.submissions)
        .into_iter()
        .map(|s| submission_line(lang, s))
        .collect();
    let mine = v.mine.take().map(|s| submission_line(lang, s));
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &format!("/homework/{id}")).with_flash(flash),
        policy: policy_text(lang, &v.late_policy),
        deadline: hw::deadline_text(v.assignment.deadline).replace('T', " "),
        v,
        lines,
        mine,
        typed,
    };
    Ok((status, render(&page)?).into_response())
}

async fn show_assignment(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    show_page(&state, lang, &me, id, flash, None, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "training_records/form.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    title: String,
    v: AssignmentInput,
    errors: FormErrors,
    policies: Vec<(&'static str, &'static str)>,
}

async fn edit_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    v: Option<AssignmentInput>,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let view = hw::show(&state.app, me, id).await?;
    if !view.marker {
        return Err(AppError::Forbidden.into());
    }
    let a = &view.assignment;
    let v = v.unwrap_or_else(|| {
        let (rate, days) = match view.late_policy {
            LatePolicy::Penalty(p) => (
                p.per_day().to_string().trim_end_matches('%').to_string(),
                p.max_days().to_string(),
            ),
            _ => ("10".into(), "3".into()),
        };
        AssignmentInput {
            title: a.title.clone(),
            instructions: a.instructions.clone(),
            deadline: hw::deadline_text(a.deadline),
            max_points: a.max_points.to_string(),
            late_policy: view.late_policy.key().into(),
            penalty_per_day: rate,
            max_late_days: days,
        }
    });
    let page = EditPage {
        ctx: Ctx::new(lang, Some(me), &format!("/homework/{id}/edit")),
        id,
        title: a.title.clone(),
        v,
        errors,
        policies: policies(lang),
    };
    Ok((status, render(&page)?).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    edit_page(
        &state,
        lang,
        &me,
        id,
        None,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn update_assignment(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(v): WebForm<AssignmentInput>,
) -> Result<Response, WebError> {
    match hw::update(&state.app, &me, id, &v).await {
        Ok(_) => Ok(Redirect::to(&format!("/homework/{id}?done=updated")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            edit_page(&state, lang, &me, id, Some(v), errors, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- handing in ----------

/// A hand-in as sent: the text and every file field with content (any field name; empty
/// file inputs are skipped).
#[derive(Debug, Default)]
pub struct SubmissionForm {
    pub text: String,
    pub files: Vec<UploadedFile>,
}

/// Reads a hand-in (`multipart/form-data`), for the page and the API alike.
pub async fn read_submission(
    mp: Result<Multipart, MultipartRejection>,
) -> Result<SubmissionForm, WebError> {
    let bad = |_| WebError::BadRequest("bad-upload");
    let mut mp = mp.map_err(|_| WebError::BadRequest("bad-upload"))?;
    let mut form = SubmissionForm::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(bad)?;
        match file_name {
            Some(f) if f.is_empty() && bytes.is_empty() => {}
            Some(f) => form.files.push(UploadedFile {
                name: if f.is_empty() { "upload".into() } else { f },
                bytes: bytes.to_vec(),
            }),
            None if name == "text" => form.text = String::from_utf8_lossy(&bytes).into_owned(),
            None => {}
        }
    }
    Ok(form)
}

#[derive(Template)]
#[template(path = "training_records/submit.html")]
struct SubmitPage {
    ctx: Ctx,
    v: AssignmentView,
    policy: String,
    deadline: String,
    text: String,
    errors: FormErrors,
    /// Files were sent with a refused hand-in: they must be chosen again.
    resent: bool,
}

#[allow(clippy::too_many_arguments)]
async fn submit_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    id: i64,
    text: String,
    errors: FormErrors,
    resent: bool,
    status: StatusCode,
) -> Result<Response, WebError> {
    let v = hw::show(&state.app, me, id).await?;
    if me.employee_id.is_none() || !(v.may_submit || v.mine.is_some()) {
        return Err(AppError::Forbidden.into());
    }
    let text = if text.is_empty() && errors.is_empty() {
        v.mine
            .as_ref()
            .map(|m| m.row.text.clone())
            .unwrap_or_default()
    } else {
        text
    };
    let page = SubmitPage {
        ctx: Ctx::new(lang, Some(me), &format!("/homework/{id}/submit")),
        policy: policy_text(lang, &v.late_policy),
        deadline: hw::deadline_text(v.assignment.deadline).replace('T', " "),
        v,
        text,
        errors,
        resent,
    };
    Ok((status, render(&page)?).into_response())
}

async fn submit_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    submit_page(
        &state,
        lang,
        &me,
        id,
        String::new(),
        FormErrors::none(),
        false,
        StatusCode::OK,
    )
    .await
}

async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let form = read_submission(mp).await?;
    match hw::submit(&state.app, &me, id, &form.text, &form.files).await {
        Ok(_) => Ok(Redirect::to(&format!("/homework/{id}?done=submitted")).into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            let resent = !form.files.is_empty();
            submit_page(
                &state,
                lang,
                &me,
                id,
                form.text,
                errors,
                resent,
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- marking and files ----------

async fn mark(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(v): WebForm<MarkInput>,
) -> Result<Response, WebError> {
    match hw::mark(&state.app, &me, id, &v).await {
        Ok(s) => Ok(
            Redirect::to(&format!("/homework/{}?done=marked#s{id}", s.assignment_id))
                .into_response(),
        ),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            let assignment = {
                let mut r = state.app.db.read().await.map_err(AppError::from)?;
                skillcert_app::store::training_records::get_submission(&mut r.conn(), id)
                    .await
                    .map_err(AppError::from)?
                    .assignment_id
            };
            show_page(
                &state,
                lang,
                &me,
                assignment,
                None,
                Some((id, v, errors)),
                refusal_status(&e),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn file(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (row, bytes) = hw::file(&state.app, &me, id).await?;
    Ok(file_response(&row, bytes))
}

/// A homework file as a download, with the type read from its content at hand-in.
pub fn file_response(
    row: &skillcert_app::store::training_records::HomeworkFileRow,
    bytes: Vec<u8>,
) -> Response {
    super::download::attachment(bytes, &row.content_type, &row.filename)
}

// ---------- the employee's homework ----------

pub struct MyLine {
    pub h: MyHomework,
    pub status: &'static str,
    pub deadline: String,
}

#[derive(Template)]
#[template(path = "training_records/mine.html")]
struct MyPage {
    ctx: Ctx,
    linked: bool,
    lines: Vec<MyLine>,
}

async fn my_homework(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let lines = hw::mine(&state.app, &me)
        .await?
        .into_iter()
        .map(|h| MyLine {
            status: t(lang, &format!("homework-status-{}", h.status)),
            deadline: hw::deadline_text(h.row.deadline).replace('T', " "),
            h,
        })
        .collect();
    let page = MyPage {
        ctx: Ctx::new(lang, Some(&me), "/my-training/homework"),
        linked: me.employee_id.is_some(),
        lines,
    };
    render(&page)
}

// ---------- mentoring ----------

#[derive(Debug, Default, Deserialize)]
pub struct MentoringQuery {
    pub days: Option<String>,
    pub done: Option<String>,
}

pub struct SlotLine {
    pub s: mt::SlotView,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "training_records/mentoring.html")]
struct MentoringHtml {
    ctx: Ctx,
    p: MentorPage,
    open: Vec<SlotLine>,
    company: Option<Vec<SlotLine>>,
    days: String,
    days_error: Option<String>,
    can_manage: bool,
}

fn slot_lines(lang: Lang, list: Vec<mt::SlotView>) -> Vec<SlotLine> {
    list.into_iter()
        .map(|s| SlotLine {
            status: t(
                lang,
                &format!(
                    "mentoring-status-{}",
                    serde_json::to_value(s.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
            ),
            s,
        })
        .collect()
}

async fn mentoring_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<MentoringQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::Mentoring)?;
    let (days, days_error, status) = match mt::parse_days(&state.app, q.days.as_deref()).await {
        Ok(d) => (d, None, StatusCode::OK),
        Err(e) => (
            mt::default_days(&state.app).await?,
            form_errors(lang, &e).into_iter().next().map(|x| x.1),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let mut p = mt::page(&state.app, &me, days).await?;
    let open = slot_lines(lang, std::mem::take(&mut p.open));
    let company = p.company_overdue.take().map(|l| slot_lines(lang, l));
    let page = MentoringHtml {
        ctx: Ctx::new(lang, Some(&me), "/mentoring")
            .with_flash(done_message(lang, q.done.as_deref())),
        days: q.days.clone().unwrap_or_else(|| p.days.to_string()),
        days_error,
        can_manage: me.can(Permission::TrainingManage),
        p,
        open,
        company,
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "training_records/assignments.html")]
struct AssignmentsPage {
    ctx: Ctx,
    rows: Vec<skillcert_app::store::training_records::MentorshipRow>,
    pager: Pager,
    v: AssignInput,
    errors: FormErrors,
}

#[allow(clippy::too_many_arguments)]
async fn assignments_view(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    page: i64,
    v: AssignInput,
    errors: FormErrors,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let p = mt::assignments(&state.app, me, page).await?;
    let pages = ((p.total + p.per_page - 1) / p.per_page.max(1)).max(1);
    let html = AssignmentsPage {
        ctx: Ctx::new(lang, Some(me), "/mentoring/assignments").with_flash(flash),
        rows: p.items,
        pager: Pager {
            page: p.page,
            pages,
            total: p.total,
            base: "/mentoring/assignments?".into(),
        },
        v,
        errors,
    };
    Ok((status, render(&html)?).into_response())
}

async fn assignments_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(1);
    let flash = done_message(lang, q.done.as_deref());
    assignments_view(
        &state,
        lang,
        &me,
        page,
        AssignInput::default(),
        FormErrors::none(),
        flash,
        StatusCode::OK,
    )
    .await
}

async fn assign(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    WebForm(v): WebForm<AssignInput>,
) -> Result<Response, WebError> {
    match mt::assign(&state.app, &me, &v).await {
        Ok(_) => Ok(Redirect::to("/mentoring/assignments?done=assigned").into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            assignments_view(&state, lang, &me, 1, v, errors, None, refusal_status(&e)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn unassign(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    mt::unassign(&state.app, &me, id).await?;
    Ok(Redirect::to("/mentoring/assignments?done=removed").into_response())
}

#[derive(Template)]
#[template(path = "training_records/follow_ups.html")]
struct FollowUpsPage {
    ctx: Ctx,
    f: TraineeFollowUps,
    evaluations: Vec<String>,
    v: FollowUpInput,
    errors: FormErrors,
    today: String,
}

#[allow(clippy::too_many_arguments)]
async fn follow_ups_view(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    employee_id: i64,
    v: FollowUpInput,
    errors: FormErrors,
    flash: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let f = mt::of_trainee(&state.app, me, employee_id).await?;
    let evaluations = f
        .follow_ups
        .iter()
        .map(|x| {
            x.evaluation
                .and_then(|h| u32::try_from(h).ok())
                .and_then(|h| Score::from_hundredths(h).ok())
                .map_or_else(|| "—".into(), |s| s.to_string())
        })
        .collect();
    let page = FollowUpsPage {
        ctx: Ctx::new(
            lang,
            Some(me),
            &format!("/mentoring/{employee_id}/follow-ups"),
        )
        .with_flash(flash),
        f,
        evaluations,
        v,
        errors,
        today: state.app.today().to_string(),
    };
    Ok((status, render(&page)?).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowUpQuery {
    pub done: Option<String>,
    /// The session to pre-select (the link from a follow-up due).
    pub session: Option<String>,
}

async fn follow_ups_page(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(employee_id): Path<i64>,
    Query(q): Query<FollowUpQuery>,
) -> Result<Response, WebError> {
    let flash = done_message(lang, q.done.as_deref());
    match follow_ups_view(
        &state,
        lang,
        &me,
        employee_id,
        FollowUpInput {
            session_id: q.session.unwrap_or_default(),
            ..FollowUpInput::default()
        },
        FormErrors::none(),
        flash,
        StatusCode::OK,
    )
    .await
    {
        // Another mentor's trainee: the refusal is the message.
        Err(WebError::App(e @ AppError::Rejected(_))) => {
            Err(WebError::App(refused_as_forbidden(e)))
        }
        other => other,
    }
}

/// Reading another mentor's trainee is an authorization matter for a page: 403 with the
/// mentoring message rather than a form re-shown.
fn refused_as_forbidden(e: AppError) -> AppError {
    match e {
        AppError::Rejected(_) => AppError::Forbidden,
        other => other,
    }
}

async fn record_follow_up(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(employee_id): Path<i64>,
    WebForm(v): WebForm<FollowUpInput>,
) -> Result<Response, WebError> {
    match mt::record(&state.app, &me, employee_id, &v).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/mentoring/{employee_id}/follow-ups?done=recorded"
        ))
        .into_response()),
        Err(e) if shown_on_page(&e) => {
            let errors = FormErrors(form_errors(lang, &e));
            let status = refusal_status(&e);
            match follow_ups_view(
                &state,
                lang,
                &me,
                employee_id,
                v,
                FormErrors(errors.0.clone()),
                None,
                status,
            )
            .await
            {
                Ok(r) => Ok(r),
                // Not this mentor's trainee: the page cannot be shown; say why.
                Err(_) => Ok((
                    status,
                    render(&RefusedPage {
                        ctx: Ctx::new(lang, Some(&me), "/mentoring"),
                        messages: errors.0.into_iter().map(|(_, m)| m).collect(),
                    })?,
                )
                    .into_response()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "training_records/refused.html")]
struct RefusedPage {
    ctx: Ctx,
    messages: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::has;

    #[test]
    fn dynamic_keys_exist_in_both_languages() {
        let mut missing = Vec::new();
        for k in dynamic_keys() {
            for l in Lang::ALL {
                if !has(l, &k) {
                    missing.push(format!("{} {k}", l.tag()));
                }
            }
        }
        assert!(missing.is_empty(), "missing: {missing:#?}");
    }

    fn part(kind: &str) -> TrainingPart {
        TrainingPart {
            component: kind.into(),
            kind: kind.into(),
            from: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap_or_default(),
            score: Score::parse("85").ok(),
            attendance: Score::parse("90").ok(),
            homework: None,
            homework_count: 0,
            mentor: Score::parse("80").ok(),
            weights: Some(["30".into(), "40".into(), "30".into()]),
            renormalised: true,
        }
    }

    #[test]
    fn the_breakdown_names_each_part_and_the_weights() {
        let parts = [part("daily"), part("attendance")];
        assert_eq!(
            breakdown_text(Lang::En, &parts, "daily"),
            "Attendance 90 · homework — (0) · mentor 80 · weights 30/40/30 · \
             2026-09-01 – 2026-12-31 (missing parts left out, the others reweighted)"
        );
        assert_eq!(
            breakdown_text(Lang::En, &parts, "attendance"),
            "Attendance rate over 2026-09-01 – 2026-12-31"
        );
        assert_eq!(breakdown_text(Lang::En, &parts, "theory"), "");
    }
}

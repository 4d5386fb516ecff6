//! The candidate's pages: the exams one may sit, and the exam itself.
//!
//! The exam page works without JavaScript (one form that saves every answer and a submit
//! button); with it, each answer is saved through the JSON API the moment it is chosen,
//! kept in the browser until acknowledged, and retried.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use skillcert_app::AppError;
use skillcert_app::exams::attempts::{self, AttemptView, CandidateSession, ItemView};
use skillcert_domain::exam::answer::Answer;
use skillcert_domain::exam::attempt::AttemptStatus;
use skillcert_domain::exam::question::QuestionType;

use super::{Ctx, WebForm, render};
use crate::error::WebError;
use crate::i18n::{Lang, t};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/my-exams", get(list))
        .route("/my-exams/{id}/start", post(start))
        .route("/my-exams/attempts/{id}", get(exam))
        .route("/my-exams/attempts/{id}/save", post(save_all))
        .route("/my-exams/attempts/{id}/submit", post(submit))
}

/// Hundredths as points for display: `2`, `2.5` (one rule for every exam page).
pub fn points(h: impl Hundredths) -> String {
    super::exams::points(h.hundredths())
}

/// Whole hundredths of a point, however the template holds them (by value or reference).
pub trait Hundredths {
    fn hundredths(&self) -> i64;
}
impl Hundredths for i32 {
    fn hundredths(&self) -> i64 {
        i64::from(*self)
    }
}
impl Hundredths for u32 {
    fn hundredths(&self) -> i64 {
        i64::from(*self)
    }
}
impl<T: Hundredths> Hundredths for &T {
    fn hundredths(&self) -> i64 {
        (**self).hundredths()
    }
}

#[derive(Template)]
#[template(path = "take/list.html")]
struct ListPage {
    ctx: Ctx,
    sessions: Vec<CandidateSession>,
    has_employee: bool,
}

async fn list(State(state): State<AppState>, lang: Lang, Me(me): Me) -> Result<Response, WebError> {
    let has_employee = me.employee_id.is_some();
    let sessions = if has_employee {
        attempts::my_sessions(&state.app, &me).await?
    } else {
        Vec::new()
    };
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/my-exams"),
        sessions,
        has_employee,
    })
}

async fn start(
    State(state): State<AppState>,
    Me(me): Me,
    Path(session_id): Path<i64>,
) -> Result<Response, WebError> {
    let (view, _) = attempts::start(&state.app, &me, session_id).await?;
    Ok(Redirect::to(&format!("/my-exams/attempts/{}", view.attempt_id)).into_response())
}

/// One question as the page renders it: the acknowledged answer pre-filled.
struct Question {
    item: ItemView,
    chosen: Vec<u8>,
    truth: Option<bool>,
    text: String,
    answered: bool,
}

impl Question {
    fn is_choice(&self) -> bool {
        matches!(
            self.item.qtype,
            QuestionType::Single | QuestionType::Multiple
        )
    }
    fn is_multiple(&self) -> bool {
        self.item.qtype == QuestionType::Multiple
    }
    fn is_truth(&self) -> bool {
        self.item.qtype == QuestionType::TrueFalse
    }
    fn type_key(&self) -> &'static str {
        self.item.qtype.key()
    }
    fn picked(&self, index: &u8) -> bool {
        self.chosen.contains(index)
    }
}

#[derive(Template)]
#[template(path = "take/exam.html")]
struct ExamPage {
    ctx: Ctx,
    v: AttemptView,
    questions: Vec<Question>,
    open: bool,
    remaining_ms: i64,
    answered: usize,
    /// What the browser needs, as JSON in a data attribute.
    boot: String,
}

impl ExamPage {
    /// `<prefix>-<status>`, a message key about the attempt's status.
    fn key(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.v.status.key())
    }

    /// The remaining time as `m:ss`, for the first paint (the script takes over).
    fn clock(&self) -> String {
        let s = self.remaining_ms / 1000;
        format!("{}:{:02}", s / 60, s % 60)
    }
}

async fn exam(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let v = attempts::view(&state.app, &me, id).await?;
    let here = format!("/my-exams/attempts/{id}");
    page(lang, &me, v, &here, None)
}

fn page(
    lang: Lang,
    me: &skillcert_app::Actor,
    v: AttemptView,
    here: &str,
    flash: Option<String>,
) -> Result<Response, WebError> {
    let by_pos: HashMap<i32, &Answer> = v.answers.iter().map(|a| (a.position, &a.answer)).collect();
    let questions: Vec<Question> = v
        .items
        .iter()
        .map(|item| {
            let a = by_pos.get(&item.position);
            Question {
                item: item.clone(),
                chosen: match a {
                    Some(Answer::Choice(c)) => c.clone(),
                    _ => Vec::new(),
                },
                truth: match a {
                    Some(Answer::Truth(b)) => Some(*b),
                    _ => None,
                },
                text: match a {
                    Some(Answer::Text(s)) => s.clone(),
                    _ => String::new(),
                },
                answered: a.is_some_and(|a| a.is_given()),
            }
        })
        .collect();
    let answered = questions.iter().filter(|q| q.answered).count();
    let remaining_ms = (v.deadline - v.now).num_milliseconds().max(0);
    let open = v.status == AttemptStatus::Open && remaining_ms > 0;
    let boot = serde_json::json!({
        "attempt": v.attempt_id,
        "remaining_ms": remaining_ms,
        "last_seq": v.last_seq,
        "answers": v.answers.iter().map(|a| (a.position.to_string(), a.seq)).collect::<HashMap<_, _>>(),
        "open": open,
        "msg": {
            "saved": t(lang, "take-status-saved"),
            "saving": t(lang, "take-status-saving"),
            "offline": t(lang, "take-status-offline"),
            "expired": t(lang, "take-status-expired"),
            "submitted": t(lang, "take-status-submitted"),
            "refused": t(lang, "take-status-refused"),
            "unanswered": t(lang, "take-confirm-unanswered"),
            "pending": t(lang, "take-confirm-pending"),
            "confirm": t(lang, "take-confirm-submit"),
        },
    })
    .to_string();
    render(&ExamPage {
        ctx: Ctx::new(lang, Some(me), here).with_flash(flash),
        v,
        questions,
        open,
        remaining_ms,
        answered,
        boot,
    })
}

/// The page's form without JavaScript: `q{position}` fields (repeated for multiple choice).
async fn save_all(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
    WebForm(fields): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = attempts::view(&state.app, &me, id).await?;
    let mut seq = v.last_seq;
    let mut refused = None;
    for item in &v.items {
        let name = format!("q{}", item.position);
        let values: Vec<&str> = fields
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        let answer = match item.qtype {
            QuestionType::Single | QuestionType::Multiple => {
                Answer::Choice(values.iter().filter_map(|v| v.parse().ok()).collect())
            }
            QuestionType::TrueFalse => match values.first() {
                Some(&"true") => Answer::Truth(true),
                Some(&"false") => Answer::Truth(false),
                _ => continue,
            },
            QuestionType::Short => Answer::Text(values.first().unwrap_or(&"").to_string()),
        };
        let stored = v.answers.iter().find(|a| a.position == item.position);
        if stored.map(|s| &s.answer) == Some(&answer) || (stored.is_none() && !answer.is_given()) {
            continue;
        }
        seq += 1;
        if let Err(e) = attempts::save(&state.app, &me, id, item.position, seq, answer).await {
            refused = Some(e);
            break;
        }
    }
    let v = attempts::view(&state.app, &me, id).await?;
    let here = format!("/my-exams/attempts/{id}");
    let flash = match refused {
        None => t(lang, "take-saved-all").to_string(),
        Some(AppError::Conflict(code)) | Some(AppError::Unprocessable(code)) => {
            t(lang, &format!("error-{code}")).to_string()
        }
        Some(e) => return Err(e.into()),
    };
    page(lang, &me, v, &here, Some(flash))
}

async fn submit(
    State(state): State<AppState>,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    attempts::submit(&state.app, &me, id).await?;
    Ok(Redirect::to(&format!("/my-exams/attempts/{id}")).into_response())
}

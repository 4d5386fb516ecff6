//! One attempt as its reviewers see it: the exact paper the candidate was shown (question
//! versions and option order, replayable from the recorded seed), the answers, the key and
//! the marks.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use skillcert_app::AppError;
use skillcert_app::exams::results::{self, AttemptDetail};

use super::exams::Fmt;
use super::{Ctx, render};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/exams/{id}/attempts/{attempt_id}", get(show))
}

#[derive(Template)]
#[template(path = "exams/attempt.html")]
struct AttemptPage {
    ctx: Ctx,
    f: Fmt,
    d: AttemptDetail,
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path((id, attempt_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let d = results::attempt_detail(&state.app, &me, attempt_id).await?;
    if d.session_id != id {
        return Err(AppError::NotFound.into());
    }
    let here = format!("/exams/{id}/attempts/{attempt_id}");
    render(&AttemptPage {
        ctx: Ctx::new(lang, Some(&me), &here),
        f: Fmt { lang },
        d,
    })
}

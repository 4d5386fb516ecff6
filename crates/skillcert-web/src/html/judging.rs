//! The judge's pages, laid out for a tablet: the panels the signed-in judge sits on
//! (grouped by event, the next candidate to score highlighted), the score sheet (each
//! rubric item a row of big radio buttons grouped by band with the band's descriptor, a
//! running total, the free-text fields), and the chief judge's correction of a submitted
//! sheet with a reason.
//!
//! Everything works with plain form posts: "Submit" without JavaScript first shows the
//! sheet again with a confirmation (the sheet will be locked, these items are unmarked);
//! `static/sheet.js` asks the same in a dialog and keeps the subtotals up to date.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use skillcert_app::practical::sheets::{self, CorrectionView, SheetView};
use skillcert_app::store::practical::MySeatRow;
use skillcert_app::{Actor, AppError, Problem};
use skillcert_domain::access::Permission;
use skillcert_domain::practical::rubric::{ItemMark, Rubric, SheetMarks};
use skillcert_domain::scheme::{Lang as LabelLang, Score};

use super::{Ctx, WebForm, render};
use crate::error::{WebError, form_errors};
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/judging", get(list))
        .route("/judging/{subject_id}", get(sheet).post(save))
        .route(
            "/judging/sheets/{sheet_id}/correct",
            get(correct_form).post(correct),
        )
}

/// `GET /static/sheet.js`: the score sheet's running total and submit confirmation.
pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../static/sheet.js"),
    )
}

fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

/// A path id; anything that is not a number names nothing.
fn id_of(raw: &str) -> Result<i64, WebError> {
    raw.trim()
        .parse()
        .map_err(|_| WebError::App(AppError::NotFound))
}

fn score_text(s: Score) -> String {
    s.to_string()
}

/// A signed difference such as `+2.5` or `-0.75`.
fn signed(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r > 0.0 {
        format!("+{r}")
    } else if r == 0.0 {
        "0".to_string()
    } else {
        format!("{r}")
    }
}

fn state_key(status: Option<&str>) -> &'static str {
    match status {
        Some("submitted") => "submitted",
        Some("draft") => "draft",
        _ => "new",
    }
}

fn state_label(lang: Lang, status: Option<&str>) -> &'static str {
    match state_key(status) {
        "submitted" => t(lang, "judging-state-submitted"),
        "draft" => t(lang, "judging-state-draft"),
        _ => t(lang, "judging-state-new"),
    }
}

fn event_status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "planning" => t(lang, "judging-event-planning"),
        "scoring" => t(lang, "judging-event-scoring"),
        _ => t(lang, "judging-event-closed"),
    }
}

// ---------- my panels ----------

pub struct SeatLine {
    pub subject_id: i64,
    pub position: i32,
    pub label: String,
    pub name: String,
    pub state_key: &'static str,
    pub state: &'static str,
    pub next: bool,
    pub action: &'static str,
}

pub struct PanelGroup {
    pub event_id: i64,
    pub code: String,
    pub title: String,
    pub calibration: bool,
    pub held_on: String,
    pub place: String,
    pub status: &'static str,
    pub scoring: bool,
    pub done: usize,
    pub seats: Vec<SeatLine>,
}

#[derive(Template)]
#[template(path = "judging/list.html")]
struct ListPage {
    ctx: Ctx,
    groups: Vec<PanelGroup>,
    notice: Option<&'static str>,
}

fn group(lang: Lang, rows: Vec<MySeatRow>) -> Vec<PanelGroup> {
    let mut groups: Vec<PanelGroup> = Vec::new();
    for r in rows {
        if groups.last().is_none_or(|g| g.event_id != r.event_id) {
            groups.push(PanelGroup {
                event_id: r.event_id,
                code: r.event_code.clone(),
                title: r.event_title.clone(),
                calibration: r.kind == "calibration",
                held_on: r.held_on.format("%Y-%m-%d").to_string(),
                place: r.place.clone(),
                status: event_status_label(lang, &r.status),
                scoring: r.status == "scoring",
                done: 0,
                seats: Vec::new(),
            });
        }
        let Some(g) = groups.last_mut() else { continue };
        let status = r.sheet_status.as_deref();
        if status == Some("submitted") {
            g.done += 1;
        }
        g.seats.push(SeatLine {
            subject_id: r.subject_id,
            position: r.position,
            name: r.name.clone().unwrap_or_default(),
            label: r.employee_no.clone().unwrap_or(r.label),
            state_key: state_key(status),
            state: state_label(lang, status),
            next: false,
            action: match (g.scoring, status) {
                (true, Some("submitted")) | (false, _) => t(lang, "judging-view"),
                (true, Some("draft")) => t(lang, "judging-continue"),
                (true, _) => t(lang, "judging-score"),
            },
        });
    }
    // The next candidate to score: the first one in order whose sheet is not submitted.
    for g in groups.iter_mut().filter(|g| g.scoring) {
        if let Some(s) = g.seats.iter_mut().find(|s| s.state_key != "submitted") {
            s.next = true;
        }
    }
    groups
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let (groups, notice) = match sheets::my_panels(&state.app, &me).await {
        Ok(rows) => (group(lang, rows), None),
        // An account with the judge role but no employee record sits on no panel.
        Err(e @ AppError::Conflict(_)) if e.code() == "no-employee" => {
            (Vec::new(), Some(t(lang, "error-no-employee")))
        }
        Err(e) => return Err(e.into()),
    };
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/judging"),
        groups,
        notice,
    })
}

// ---------- the sheet's rows ----------

/// One value the judge can tap.
pub struct Choice {
    pub value: String,
    pub checked: bool,
}

pub struct BandView {
    pub range: String,
    pub descriptor: String,
    pub choices: Vec<Choice>,
    pub chosen: bool,
}

pub struct ItemView {
    pub key: String,
    pub name: String,
    pub max: u32,
    pub bands: Vec<BandView>,
    pub allow_na: bool,
    pub na_checked: bool,
    /// What is marked, as shown on a read-only sheet: `2`, `N/A` or empty.
    pub shown: String,
    pub marked: bool,
    pub error: Option<String>,
}

pub struct SectionView {
    pub key: String,
    pub name: String,
    pub max: u32,
    pub subtotal: u32,
    pub items: Vec<ItemView>,
}

pub struct TextView {
    pub key: String,
    pub name: String,
    pub required: bool,
    pub value: String,
    pub error: Option<String>,
}

/// What the judge typed (or what is stored), field by field, kept as text so a refused
/// value is shown again as it was.
#[derive(Debug, Default, Clone)]
struct Posted {
    items: BTreeMap<String, String>,
    texts: BTreeMap<String, String>,
    action: String,
    confirm: bool,
    reason: String,
}

impl Posted {
    fn from_form(pairs: Vec<(String, String)>) -> Posted {
        let mut p = Posted::default();
        for (k, v) in pairs {
            if let Some(key) = k.strip_prefix("i.") {
                p.items.insert(key.to_string(), v.trim().to_string());
            } else if let Some(key) = k.strip_prefix("t.") {
                p.texts.insert(key.to_string(), v);
            } else {
                match k.as_str() {
                    // "confirm" wins over the "submit" of the button that asked.
                    "action" if p.action != "confirm" => p.action = v,
                    "confirm" => p.confirm = v == "1",
                    "reason" => p.reason = v,
                    _ => {}
                }
            }
        }
        p
    }

    fn from_marks(m: &SheetMarks) -> Posted {
        Posted {
            items: m
                .items
                .iter()
                .map(|(k, v)| {
                    let raw = match v {
                        ItemMark::Points(p) => p.to_string(),
                        ItemMark::NotApplicable => "na".to_string(),
                    };
                    (k.clone(), raw)
                })
                .collect(),
            texts: m.texts.clone(),
            ..Posted::default()
        }
    }

    /// The marks to send to the service; a value that is not a whole number or `na` is
    /// refused here, next to its item, like a value the rubric does not allow.
    fn marks(&self) -> Result<SheetMarks, AppError> {
        let mut items = BTreeMap::new();
        let mut problems = Vec::new();
        for (k, raw) in &self.items {
            if raw.is_empty() {
                continue;
            }
            if raw.eq_ignore_ascii_case("na") {
                items.insert(k.clone(), ItemMark::NotApplicable);
            } else if let Ok(p) = raw.parse::<u32>() {
                items.insert(k.clone(), ItemMark::Points(p));
            } else {
                problems.push(Problem::new(
                    format!("items.{k}"),
                    "sheet-value-not-allowed",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Rejected(problems));
        }
        let texts = self
            .texts
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(SheetMarks { items, texts })
    }
}

/// Sections with their items' choices, the marks and errors in place.
fn rows(
    lang: Lang,
    rubric: &Rubric,
    posted: &Posted,
    errors: &[(String, String)],
) -> (Vec<SectionView>, Vec<TextView>) {
    let ll = label_lang(lang);
    let error_of = |field: String| {
        errors
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let sections = rubric
        .sections()
        .iter()
        .map(|s| {
            let mut subtotal = 0;
            let items = s
                .items
                .iter()
                .map(|it| {
                    let raw = posted.items.get(&it.key).cloned().unwrap_or_default();
                    let points = raw.parse::<u32>().ok().filter(|p| it.allows(*p));
                    subtotal += points.unwrap_or(0);
                    let na = raw.eq_ignore_ascii_case("na");
                    let bands = it
                        .bands
                        .iter()
                        .map(|b| {
                            let choices: Vec<Choice> = (b.min..=b.max)
                                .rev()
                                .map(|v| Choice {
                                    value: v.to_string(),
                                    checked: points == Some(v),
                                })
                                .collect();
                            BandView {
                                range: if b.min == b.max {
                                    b.min.to_string()
                                } else {
                                    format!("{}–{}", b.min, b.max)
                                },
                                descriptor: b.labels.get(ll).to_string(),
                                chosen: points.is_some_and(|p| b.contains(p)),
                                choices,
                            }
                        })
                        .collect();
                    let mut error = error_of(format!("items.{}", it.key));
                    if !raw.is_empty() && points.is_none() && !na {
                        let refused = tf(lang, "judging-refused-value", &[("value", &raw)]);
                        error = format!("{error} {refused}").trim().to_string();
                    }
                    ItemView {
                        key: it.key.clone(),
                        name: it.labels.get(ll).to_string(),
                        max: it.max,
                        bands,
                        allow_na: it.allow_na,
                        na_checked: na,
                        shown: if na {
                            t(lang, "judging-na").to_string()
                        } else {
                            points.map(|p| p.to_string()).unwrap_or_default()
                        },
                        marked: na || points.is_some(),
                        error: (!error.is_empty()).then_some(error),
                    }
                })
                .collect();
            SectionView {
                key: s.key.clone(),
                name: s.labels.get(ll).to_string(),
                max: s.max,
                subtotal,
                items,
            }
        })
        .collect();
    let texts = rubric
        .free_text()
        .iter()
        .map(|f| {
            let e = error_of(format!("texts.{}", f.key));
            TextView {
                key: f.key.clone(),
                name: f.labels.get(ll).to_string(),
                required: f.required,
                value: posted.texts.get(&f.key).cloned().unwrap_or_default(),
                error: (!e.is_empty()).then_some(e),
            }
        })
        .collect();
    (sections, texts)
}

/// Errors that belong to no item or text of the sheet.
fn general(errors: &[(String, String)]) -> Vec<String> {
    errors
        .iter()
        .filter(|(f, _)| !f.starts_with("items.") && !f.starts_with("texts."))
        .map(|(_, m)| m.clone())
        .collect()
}

fn unmarked(sections: &[SectionView]) -> Vec<String> {
    sections
        .iter()
        .flat_map(|s| s.items.iter())
        .filter(|i| !i.marked)
        .map(|i| i.name.clone())
        .collect()
}

fn running(sections: &[SectionView]) -> u32 {
    sections.iter().map(|s| s.subtotal).sum()
}

// ---------- the score sheet ----------

pub struct OtherLine {
    pub judge: String,
    pub state: &'static str,
    pub total: String,
}

pub struct CalibrationLines {
    pub mine: String,
    pub reference: String,
    pub others_mean: String,
    pub from_reference: String,
    pub from_others: String,
}

pub struct ScenarioLink {
    pub title: String,
    pub code: String,
    pub href: Option<String>,
}

#[derive(Template)]
#[template(path = "judging/sheet.html")]
struct SheetPage {
    ctx: Ctx,
    subject_id: i64,
    event_id: i64,
    event_code: String,
    event_title: String,
    held_on: String,
    place: String,
    calibration: bool,
    candidate: String,
    position: i32,
    status_key: &'static str,
    status: &'static str,
    editable: bool,
    confirming: bool,
    sections: Vec<SectionView>,
    texts: Vec<TextView>,
    unmarked: Vec<String>,
    running: u32,
    max_points: u32,
    total: Option<String>,
    seated: usize,
    submitted: usize,
    submitted_at: Option<String>,
    others: Option<Vec<OtherLine>>,
    calibration_lines: Option<CalibrationLines>,
    scenarios: Vec<ScenarioLink>,
    general: Vec<String>,
    blind_note: bool,
}

#[derive(Deserialize)]
pub struct SheetQuery {
    #[serde(default)]
    done: Option<String>,
}

fn candidate_of(head: &sheets::SheetHead) -> String {
    match (&head.employee_no, &head.name) {
        (Some(no), Some(name)) => format!("{name} ({no})"),
        _ => head.label.clone(),
    }
}

fn sheet_page(
    lang: Lang,
    me: &Actor,
    v: &SheetView,
    posted: &Posted,
    errors: &[(String, String)],
    confirming: bool,
    flash: Option<String>,
) -> SheetPage {
    let ctx =
        Ctx::new(lang, Some(me), &format!("/judging/{}", v.head.subject_id)).with_flash(flash);
    let (sections, texts) = rows(lang, &v.rubric, posted, errors);
    let submitted = v.status == "submitted";
    let editable = !submitted && v.head.event_status == "scoring";
    // The total out of 100: the stored score once submitted, else the score of a complete
    // sheet as typed (N/A rules included).
    let total = if submitted {
        v.score.as_ref().map(|s| score_text(s.total))
    } else {
        posted
            .marks()
            .ok()
            .and_then(|m| v.rubric.score_sheet(&m).ok())
            .map(|s| score_text(s.total))
    };
    let others = v.others.as_ref().map(|list| {
        list.iter()
            .map(|o| OtherLine {
                judge: format!("{} ({})", o.judge_name, o.judge_no),
                state: state_label(lang, o.status.as_deref()),
                total: o.total.map(score_text).unwrap_or_default(),
            })
            .collect()
    });
    let dash = || "—".to_string();
    let calibration_lines = v.calibration.as_ref().map(|c| CalibrationLines {
        mine: score_text(c.mine),
        reference: c.reference.map(score_text).unwrap_or_else(dash),
        others_mean: c
            .others_mean
            .map(|m| format!("{:.2}", m))
            .unwrap_or_else(dash),
        from_reference: c.from_reference.map(signed).unwrap_or_else(dash),
        from_others: c.from_others.map(signed).unwrap_or_else(dash),
    });
    let can_read_cards = me.can(Permission::QuestionBank) || me.can(Permission::AssessmentManage);
    let scenarios = v
        .scenarios
        .iter()
        .map(|s| ScenarioLink {
            title: s.title.clone(),
            code: s.code.clone(),
            href: can_read_cards
                .then(|| format!("/scenarios/{}?version={}", s.scenario_id, s.version)),
        })
        .collect();
    SheetPage {
        subject_id: v.head.subject_id,
        event_id: v.head.event_id,
        event_code: v.head.event_code.clone(),
        event_title: v.head.event_title.clone(),
        held_on: ctx.date(&v.head.held_on),
        place: v.head.place.clone(),
        calibration: v.head.kind == "calibration",
        candidate: candidate_of(&v.head),
        position: v.head.position,
        status_key: state_key(Some(v.status.as_str())),
        status: state_label(lang, Some(v.status.as_str())),
        editable,
        confirming: confirming && editable,
        unmarked: unmarked(&sections),
        running: running(&sections),
        max_points: v.rubric.max_points(),
        total,
        seated: v.seated,
        submitted: v.submitted,
        submitted_at: v.submitted_at.map(|at| ctx.time(&at)),
        blind_note: submitted && v.others.is_none(),
        others,
        calibration_lines,
        scenarios,
        general: general(errors),
        sections,
        texts,
        ctx,
    }
}

pub async fn sheet(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(raw): Path<String>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    let id = id_of(&raw)?;
    let v = sheets::open(&state.app, &me, id).await?;
    let flash = match q.done.as_deref() {
        Some("draft") => Some(t(lang, "judging-saved").to_string()),
        Some("submitted") => Some(t(lang, "judging-submitted").to_string()),
        _ => None,
    };
    let posted = Posted::from_marks(&v.marks);
    render(&sheet_page(lang, &me, &v, &posted, &[], false, flash))
}

/// `POST /judging/{subject_id}`: `action=draft` saves, `action=submit` asks for
/// confirmation (unless `confirm=1`, which `sheet.js` adds after its dialog), and
/// `action=confirm` submits. A refusal shows the sheet again with the marks as typed.
pub async fn save(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(raw): Path<String>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = id_of(&raw)?;
    let posted = Posted::from_form(pairs);
    let (submit, ask) = match posted.action.as_str() {
        "confirm" => (true, false),
        "submit" if posted.confirm => (true, false),
        "submit" => (true, true),
        _ => (false, false),
    };
    let outcome = match posted.marks() {
        Ok(_) if ask => {
            // Nothing is saved until the judge confirms; the marks travel with the form.
            let v = sheets::open(&state.app, &me, id).await?;
            if v.status == "submitted" {
                return Err(AppError::Conflict("sheet-already-submitted").into());
            }
            if v.head.event_status != "scoring" {
                return Err(AppError::Conflict("event-not-scoring").into());
            }
            return render(&sheet_page(lang, &me, &v, &posted, &[], true, None));
        }
        Ok(marks) => sheets::save(&state.app, &me, id, &marks, submit).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => {
            let done = if submit { "submitted" } else { "draft" };
            Ok(Redirect::to(&format!("/judging/{id}?done={done}")).into_response())
        }
        Err(e @ AppError::Rejected(_)) => {
            let v = sheets::open(&state.app, &me, id).await?;
            let errors = form_errors(lang, &e);
            let page = sheet_page(lang, &me, &v, &posted, &errors, false, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the chief judge's correction ----------

#[derive(Template)]
#[template(path = "judging/correct.html")]
struct CorrectPage {
    ctx: Ctx,
    sheet_id: i64,
    event_id: i64,
    event_code: String,
    event_title: String,
    candidate: String,
    judge: String,
    total: String,
    editable: bool,
    sections: Vec<SectionView>,
    texts: Vec<TextView>,
    running: u32,
    max_points: u32,
    reason: String,
    reason_error: Option<String>,
    general: Vec<String>,
}

fn correct_page(
    lang: Lang,
    me: &Actor,
    v: &CorrectionView,
    posted: &Posted,
    errors: &[(String, String)],
    flash: Option<String>,
) -> CorrectPage {
    let id = v.sheet.id;
    let ctx = Ctx::new(lang, Some(me), &format!("/judging/sheets/{id}/correct")).with_flash(flash);
    let (sections, texts) = rows(lang, &v.rubric, posted, errors);
    let reason_error = errors
        .iter()
        .find(|(f, _)| f == "reason")
        .map(|(_, m)| m.clone());
    CorrectPage {
        sheet_id: id,
        event_id: v.head.event_id,
        event_code: v.head.event_code.clone(),
        event_title: v.head.event_title.clone(),
        candidate: candidate_of(&v.head),
        judge: format!("{} ({})", v.judge_name, v.judge_no),
        total: v
            .score
            .as_ref()
            .map(|s| score_text(s.total))
            .unwrap_or_default(),
        editable: v.head.event_status != "closed",
        running: running(&sections),
        max_points: v.rubric.max_points(),
        reason: posted.reason.clone(),
        reason_error,
        general: general(errors)
            .into_iter()
            .filter(|m| Some(m) != errors.iter().find(|(f, _)| f == "reason").map(|(_, m)| m))
            .collect(),
        sections,
        texts,
        ctx,
    }
}

pub async fn correct_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(raw): Path<String>,
    Query(q): Query<SheetQuery>,
) -> Result<Response, WebError> {
    let id = id_of(&raw)?;
    let v = sheets::for_correction(&state.app, &me, id).await?;
    let flash =
        (q.done.as_deref() == Some("corrected")).then(|| t(lang, "judging-corrected").to_string());
    let posted = Posted::from_marks(&v.marks);
    render(&correct_page(lang, &me, &v, &posted, &[], flash))
}

pub async fn correct(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(raw): Path<String>,
    WebForm(pairs): WebForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = id_of(&raw)?;
    let posted = Posted::from_form(pairs);
    let outcome = match posted.marks() {
        Ok(marks) => sheets::correct(&state.app, &me, id, &marks, &posted.reason)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(
            Redirect::to(&format!("/judging/sheets/{id}/correct?done=corrected")).into_response(),
        ),
        Err(e @ (AppError::Rejected(_) | AppError::Validation(_))) => {
            let v = sheets::for_correction(&state.app, &me, id).await?;
            let errors = form_errors(lang, &e);
            let page = correct_page(lang, &me, &v, &posted, &errors, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_posted_sheet_becomes_marks() {
        let p = Posted::from_form(pairs(&[
            ("_csrf", "x"),
            ("i.answer-rings", "2"),
            ("i.opening-phrase", ""),
            ("i.closing-phrase", "na"),
            ("t.main-problems", "  "),
            ("t.overall-evaluation", "好"),
            ("action", "submit"),
            ("confirm", "1"),
        ]));
        assert_eq!(p.action, "submit");
        assert!(p.confirm);
        let m = p.marks().unwrap();
        assert_eq!(m.items.len(), 2);
        assert_eq!(m.items["answer-rings"], ItemMark::Points(2));
        assert_eq!(m.items["closing-phrase"], ItemMark::NotApplicable);
        assert_eq!(m.texts.len(), 1);
    }

    #[test]
    fn confirm_wins_over_the_asking_button() {
        let p = Posted::from_form(pairs(&[("action", "confirm"), ("action", "submit")]));
        assert_eq!(p.action, "confirm");
    }

    #[test]
    fn a_value_that_is_not_a_number_is_refused_next_to_its_item() {
        let p = Posted::from_form(pairs(&[("i.answer-rings", "two")]));
        match p.marks() {
            Err(AppError::Rejected(ps)) => {
                assert_eq!(ps[0].field, "items.answer-rings");
                assert_eq!(ps[0].code, "sheet-value-not-allowed");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rows_keep_marks_and_compute_subtotals() {
        let src = skillcert_domain::practical::rubric::preset("s4-call-scoring").unwrap();
        let rubric = Rubric::parse_toml(src).unwrap();
        let p = Posted::from_form(pairs(&[("i.answer-rings", "2"), ("i.opening-phrase", "1")]));
        let errors = vec![("items.hang-up-after".to_string(), "bad".to_string())];
        let (sections, texts) = rows(Lang::En, &rubric, &p, &errors);
        assert_eq!(sections[0].subtotal, 3);
        assert_eq!(running(&sections), 3);
        assert_eq!(texts.len(), 3);
        let rings = &sections[0].items[0];
        assert!(rings.marked);
        // 0 and 2 only: two bands of one value each.
        let values: Vec<&str> = rings
            .bands
            .iter()
            .flat_map(|b| b.choices.iter().map(|c| c.value.as_str()))
            .collect();
        assert_eq!(values, ["0", "2"]);
        assert!(rings.bands[1].choices[0].checked);
        let hang = sections[0]
            .items
            .iter()
            .find(|i| i.key == "hang-up-after")
            .unwrap();
        assert_eq!(hang.error.as_deref(), Some("bad"));
        assert_eq!(unmarked(&sections).len(), rubric.items().count() - 2);
    }

    #[test]
    fn signed_differences() {
        assert_eq!(signed(2.5), "+2.5");
        assert_eq!(signed(-0.754), "-0.75");
        assert_eq!(signed(0.0), "0");
    }
}

//! The assessment evaluation report of a round (S1): page, XLSX and PDF.
//!
//! One service call (`certification::report::evaluation_report`, which also decides who may
//! see it) gives the figures; [`data_of`] turns them into the plain
//! [`ReportData`](skillcert_reports::round_report::ReportData) of the reports crate with every
//! name in the reader's language, so the page, the workbook and the PDF show the same
//! content: summary, module scores, ranking, weak skills and rubric items, departments with a
//! training suggestion, and each person's improvement advice.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use chrono::{FixedOffset, NaiveDate};
use skillcert_app::AppError;
use skillcert_app::certification::report::{EvaluationReport, evaluation_report};
use skillcert_app::certification::results::CandidateResult;
use skillcert_domain::certification::report::Share;
use skillcert_domain::scheme::{Evaluation, Labels, Lang as LabelLang, Score};
use skillcert_reports::round_report::{
    self as files, DepartmentLine, ModuleLine, PersonLine, RankLine, ReportData, ReportTexts,
    ShareLine,
};

use super::{Ctx, render};
use crate::error::WebError;
use crate::i18n::{Lang, has, t, tf};
use crate::session::Me;
use crate::state::AppState;

use super::download;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rounds/{id}/report", get(show))
        .route("/rounds/{id}/report.xlsx", get(xlsx))
        .route("/rounds/{id}/report.pdf", get(pdf))
}

/// Round statuses as stored.
pub const STATUSES: [&str; 4] = ["open", "reviewed", "published", "closed"];

/// Every message key this module builds at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    STATUSES
        .iter()
        .map(|s| format!("report-status-{s}"))
        .chain(
            ["exam", "event", "manual"]
                .iter()
                .map(|k| format!("report-source-{k}")),
        )
        .collect()
}

fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

/// Between names in a list (a message file cannot hold the trailing space of ", ").
fn list_sep(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "、",
        Lang::En => ", ",
    }
}

// ---------- formatting for the template (askama hands arguments over by reference) ----------

/// A score with two decimals, or "—".
pub fn score(v: impl Borrow<Option<f64>>) -> String {
    files::score(*v.borrow())
}

/// Points with two decimals.
pub fn points_text(v: impl Borrow<f64>) -> String {
    files::score(Some(*v.borrow()))
}

pub fn percent(v: impl Borrow<f64>) -> String {
    files::percent(*v.borrow())
}

pub fn percent_of(v: impl Borrow<Option<f64>>) -> String {
    files::percent_of(*v.borrow())
}

/// The width of a share's bar in percent, for CSS.
pub fn bar(v: impl Borrow<f64>) -> String {
    files::bar_width(*v.borrow())
}

fn points(s: Score) -> f64 {
    f64::from(s.hundredths()) / 100.0
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The texts around the data in the files, from the message files.
pub fn texts(lang: Lang) -> ReportTexts {
    let s = |key: &str| t(lang, key).to_string();
    ReportTexts {
        lang: Some(lang.reports()),
        title: s("report-title"),
        summary: s("report-summary"),
        modules: s("report-modules"),
        ranking: s("report-ranking"),
        skills: s("report-skills"),
        weak_heading: s("report-weak"),
        items: s("report-items"),
        departments: s("report-departments"),
        people: s("report-people"),
        figure: s("report-figure"),
        value: s("report-value"),
        round: s("report-round"),
        scheme: s("report-scheme"),
        status: s("report-status"),
        generated: s("report-generated"),
        candidates: s("report-candidates"),
        evaluated: s("report-evaluated"),
        passed: s("report-passed"),
        pass_rate: s("report-pass-rate"),
        mean_total: s("report-mean-total"),
        component: s("report-component"),
        weight: s("report-weight"),
        n: s("report-n"),
        mean: s("report-mean"),
        min: s("report-min"),
        max: s("report-max"),
        rank: s("report-rank"),
        employee_no: s("report-employee-no"),
        name: s("report-name"),
        department: s("report-department"),
        total: s("report-total"),
        level: s("report-level"),
        result: s("report-result"),
        pass: s("report-pass"),
        fail: s("report-fail"),
        incomplete: s("report-incomplete"),
        skill: s("report-skill"),
        item: s("report-item"),
        share: s("report-share"),
        got: s("report-got"),
        available: s("report-available"),
        observations: s("report-observations"),
        weak: s("report-weak-mark"),
        chart_note: s("report-chart-note"),
        weak_skills: s("report-weak-skills"),
        weak_items: s("report-weak-items"),
        judges_notes: s("report-judges-notes"),
        suggestion: s("report-suggestion"),
        no_results: s("report-no-results"),
        no_detail: s("report-no-detail"),
        no_skills: s("report-no-skills"),
        no_items: s("report-no-items"),
        nothing_weak: s("report-nothing-weak"),
        list_sep: list_sep(lang).to_string(),
    }
}

fn share_lines(shares: &[Share], names: &BTreeMap<String, Labels>, lang: Lang) -> Vec<ShareLine> {
    shares
        .iter()
        .map(|s| ShareLine {
            key: s.key.clone(),
            name: names
                .get(&s.key)
                .map_or_else(|| s.key.clone(), |l| l.get(label_lang(lang)).to_string()),
            got: s.got,
            max: s.max,
            share: s.share,
            n: s.n,
        })
        .collect()
}

/// "Focus training on: …" naming the weak skills, then the weak rubric items; what to say
/// when nothing is weak, or when there is no detail at all.
fn suggestion(lang: Lang, skills: &[ShareLine], items: &[ShareLine], detail: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    for s in skills.iter().chain(items) {
        if !names.contains(&s.name.as_str()) {
            names.push(&s.name);
        }
    }
    if !names.is_empty() {
        tf(
            lang,
            "report-suggest-focus",
            &[("list", &names.join(list_sep(lang)))],
        )
    } else if detail {
        t(lang, "report-suggest-keep").to_string()
    } else {
        t(lang, "report-suggest-none").to_string()
    }
}

/// Why a candidate has no result, in full: absent at review, the components still missing,
/// or the scheme's reasons; empty when there is nothing more to say than "incomplete".
fn incomplete_note(lang: Lang, r: &EvaluationReport, c: &CandidateResult) -> String {
    let scheme = &r.results.detail.scheme;
    if r.results.frozen && c.stored.is_none() {
        return t(lang, "report-absent").to_string();
    }
    if !c.missing.is_empty() {
        let names: Vec<&str> = c
            .missing
            .iter()
            .map(|k| {
                scheme
                    .component(k)
                    .map_or(k.as_str(), |comp| comp.labels.get(label_lang(lang)))
            })
            .collect();
        return tf(
            lang,
            "report-missing",
            &[("list", &names.join(list_sep(lang)))],
        );
    }
    let reasons: Vec<String> = c
        .errors
        .iter()
        .map(|code| {
            let key = format!("input-error-{code}");
            if has(lang, &key) {
                t(lang, &key).to_string()
            } else {
                code.clone()
            }
        })
        .collect();
    if reasons.is_empty() {
        String::new()
    } else {
        tf(
            lang,
            "report-not-evaluated",
            &[("reasons", &reasons.join(list_sep(lang)))],
        )
    }
}

/// The service's report as the plain data of the page and the files, in `lang`.
pub fn data_of(lang: Lang, r: &EvaluationReport, generated: NaiveDate) -> ReportData {
    let ll = label_lang(lang);
    let detail = &r.results.detail;
    let scheme = &detail.scheme;
    let components = scheme.components();
    let evaluations: Vec<&Evaluation> = r
        .results
        .rows
        .iter()
        .filter_map(|c| c.evaluation.as_ref())
        .collect();
    let totals: Vec<f64> = evaluations
        .iter()
        .filter_map(|e| e.total())
        .map(points)
        .collect();
    let skills = share_lines(&r.skills, &r.skill_names, lang);
    let items = share_lines(&r.items, &r.item_names, lang);
    let has_detail = !skills.is_empty() || !items.is_empty();
    let band = |key: &str| {
        scheme
            .bands()
            .iter()
            .find(|b| b.key == key)
            .map_or_else(|| key.to_string(), |b| b.labels.get(ll).to_string())
    };

    let ranking = r
        .results
        .rows
        .iter()
        .map(|c| {
            let e = c.evaluation.as_ref();
            let passed = e.and_then(Evaluation::passed);
            RankLine {
                rank: c.rank,
                employee_no: c.application.employee_no.clone(),
                name: c.application.name.clone(),
                department: c.application.department.clone(),
                scores: components
                    .iter()
                    .map(|comp| {
                        e.and_then(|e| e.component(&comp.key))
                            .and_then(|x| x.score)
                            .map(points)
                    })
                    .collect(),
                total: e.and_then(Evaluation::total).map(points),
                level: c.awarded.as_deref().map(band).unwrap_or_default(),
                passed,
                note: if passed.is_none() {
                    incomplete_note(lang, r, c)
                } else {
                    String::new()
                },
            }
        })
        .collect();

    let departments = r
        .departments
        .iter()
        .map(|d| {
            let weak_skills = share_lines(&d.weak_skills, &r.skill_names, lang);
            let weak_items = share_lines(&d.weak_items, &r.item_names, lang);
            DepartmentLine {
                name: d.department.clone(),
                candidates: d.candidates,
                passed: d.passed,
                mean_total: d.mean_total,
                modules: components
                    .iter()
                    .map(|c| d.modules.get(&c.key).copied())
                    .collect(),
                suggestion: suggestion(lang, &weak_skills, &weak_items, has_detail),
                weak_skills,
                weak_items,
            }
        })
        .collect();

    let people = r
        .people
        .iter()
        .map(|p| {
            let weak_skills = share_lines(&p.weak_skills, &r.skill_names, lang);
            let weak_items = share_lines(&p.weak_items, &r.item_names, lang);
            let total = r
                .results
                .rows
                .iter()
                .find(|c| c.application.employee_id == p.employee_id)
                .and_then(|c| c.evaluation.as_ref())
                .and_then(Evaluation::total)
                .map(points);
            PersonLine {
                employee_no: p.employee_no.clone(),
                name: p.name.clone(),
                department: p.department.clone(),
                rank: p.rank,
                total,
                suggestion: suggestion(lang, &weak_skills, &weak_items, has_detail),
                weak_skills,
                weak_items,
                notes: p.judges_notes.clone(),
            }
        })
        .collect();

    ReportData {
        code: detail.round.code.clone(),
        title: detail.round.title.clone(),
        scheme: tf(
            lang,
            "report-scheme-version",
            &[
                ("name", scheme.labels().get(ll)),
                ("version", &detail.round.scheme_version.to_string()),
            ],
        ),
        status: t(lang, &format!("report-status-{}", detail.round.status)).to_string(),
        generated: generated.format("%Y-%m-%d").to_string(),
        candidates: r.results.rows.len(),
        evaluated: evaluations.len(),
        passed: evaluations
            .iter()
            .filter(|e| e.passed() == Some(true))
            .count(),
        mean_total: mean(&totals),
        components: components
            .iter()
            .map(|c| c.labels.get(ll).to_string())
            .collect(),
        modules: r
            .modules
            .iter()
            .map(|m| ModuleLine {
                name: m.labels.get(ll).to_string(),
                weight_percent: m.weight_percent,
                n: m.n,
                mean: m.mean,
                min: m.min,
                max: m.max,
            })
            .collect(),
        ranking,
        skills,
        items,
        departments,
        people,
    }
}

/// Where each component's scores come from, one line each for the page's summary.
fn sources(lang: Lang, r: &EvaluationReport) -> Vec<String> {
    let scheme = &r.results.detail.scheme;
    r.results
        .detail
        .sources
        .iter()
        .map(|s| {
            let name = scheme.component(&s.component_key).map_or_else(
                || s.component_key.clone(),
                |c| c.labels.get(label_lang(lang)).to_string(),
            );
            let code = match (&s.code, &s.title) {
                (Some(code), Some(title)) => format!("{code} · {title}"),
                (Some(code), None) => code.clone(),
                _ => String::new(),
            };
            let from = tf(
                lang,
                &format!("report-source-{}", s.kind),
                &[("code", &code)],
            );
            tf(
                lang,
                "report-source-line",
                &[("component", &name), ("source", &from)],
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "round_report/show.html")]
struct ReportPage {
    ctx: Ctx,
    id: i64,
    d: ReportData,
    /// The round is still open: results are computed live.
    live: bool,
    sources: Vec<String>,
    /// Headings and labels, the same as in the files.
    texts: ReportTexts,
}

/// `/rounds/{id}/report`.
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = evaluation_report(&state.app, &me, id).await?;
    let d = data_of(lang, &r, state.app.today());
    render(&ReportPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/rounds/{id}/report")),
        id,
        live: !r.results.frozen,
        sources: sources(lang, &r),
        texts: texts(lang),
        d,
    })
}

/// `/rounds/{id}/report.xlsx`: one sheet per section.
pub async fn xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = evaluation_report(&state.app, &me, id).await?;
    let d = data_of(lang, &r, state.app.today());
    let bytes = files::evaluation_xlsx(&d, &texts(lang))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("round report xlsx: {e}")))?;
    Ok(download::attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        &download::file_name(&d.code, "report.xlsx"),
    ))
}

/// `/rounds/{id}/report.pdf`: A4, page numbers in the reader's language.
pub async fn pdf(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = evaluation_report(&state.app, &me, id).await?;
    let d = data_of(lang, &r, state.app.today());
    let cst = FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("UTC+8 offset")))?;
    let bytes = files::evaluation_pdf(&d, &texts(lang), state.app.now().with_timezone(&cst));
    Ok(download::attachment(
        bytes,
        "application/pdf",
        &download::file_name(&d.code, "report.pdf"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_key_exists_in_both_languages() {
        for lang in Lang::ALL {
            for key in dynamic_keys() {
                assert!(has(lang, &key), "{key} in {}", lang.tag());
            }
        }
    }

    #[test]
    fn the_suggestion_names_weak_skills_then_items_once() {
        let line = |name: &str| ShareLine {
            key: name.into(),
            name: name.into(),
            got: 1.0,
            max: 4.0,
            share: 0.25,
            n: 1,
        };
        let s = suggestion(
            Lang::ZhCn,
            &[line("倾听"), line("情绪管理")],
            &[line("倾听")],
            true,
        );
        assert_eq!(s, "重点加强：倾听、情绪管理");
        let s = suggestion(Lang::En, &[line("active listening")], &[], true);
        assert_eq!(s, "Focus training on: active listening");
        assert_eq!(
            suggestion(Lang::En, &[], &[], true),
            t(Lang::En, "report-suggest-keep")
        );
        assert_eq!(
            suggestion(Lang::ZhCn, &[], &[], false),
            t(Lang::ZhCn, "report-suggest-none")
        );
    }

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(
            download::file_name("CERT 2026/B", "report.pdf"),
            "CERT_2026_B-report.pdf"
        );
    }
}

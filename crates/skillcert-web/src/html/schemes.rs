//! Certification scheme pages: the list of presets and stored schemes, a readable view of
//! one version, the TOML editor that saves a new version, and the what-if comparison of
//! two versions over an uploaded inputs file.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use skillcert_app::AppError;
use skillcert_app::schemes::{self, Detail, Origin, Pick, RowVerdict, Version, WhatIf};
use skillcert_domain::access::Permission;
use skillcert_domain::scheme::{Lang as SchemeLang, Scheme, Score, Trim};

use super::{Ctx, WebForm, render};
use crate::error::WebError;
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/schemes", get(list))
        .route("/schemes/{key}", get(show))
        .route("/schemes/{key}/edit", get(edit_form).post(save))
        .route("/schemes/{key}/what-if", get(what_if_form).post(what_if))
}

fn scheme_lang(lang: Lang) -> SchemeLang {
    match lang {
        Lang::ZhCn => SchemeLang::ZhCn,
        Lang::En => SchemeLang::En,
    }
}

/// "theory 40 / practical 40 / daily 20"
fn weights(scheme: &Scheme) -> String {
    scheme
        .components()
        .iter()
        .map(|c| {
            let w = c.weight.to_string();
            format!("{} {}", c.key, w.trim_end_matches('%'))
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

fn origin_label(lang: Lang, origin: Origin) -> &'static str {
    t(lang, &format!("schemes-origin-{}", origin.key()))
}

fn version_label(lang: Lang, v: &Version) -> String {
    match v.origin {
        Origin::Preset => format!("{} ({})", v.version, origin_label(lang, v.origin)),
        Origin::Stored => v.version.to_string(),
    }
}

// ---------- list ----------

pub struct ListRow {
    pub key: String,
    pub name: String,
    pub version: u32,
    pub origin: &'static str,
    pub href: String,
    pub weights: String,
    pub pass_line: String,
}

#[derive(Template)]
#[template(path = "schemes/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let items = schemes::list(&state.app, &me).await?;
    let rows = items
        .into_iter()
        .map(|s| {
            let v = s.version;
            let href = match v.origin {
                Origin::Preset => format!("/schemes/{}?version=preset", v.key),
                Origin::Stored => format!("/schemes/{}", v.key),
            };
            ListRow {
                name: v.scheme.labels().get(scheme_lang(lang)).to_string(),
                version: v.version,
                origin: origin_label(lang, v.origin),
                weights: weights(&v.scheme),
                pass_line: v.scheme.pass_line().to_string(),
                key: v.key,
                href,
            }
        })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/schemes"),
        rows,
    })
}

// ---------- show ----------

pub struct Row {
    pub cells: Vec<String>,
}

pub struct VersionRow {
    pub label: String,
    pub href: String,
    pub when: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "schemes/show.html")]
struct ShowPage {
    ctx: Ctx,
    key: String,
    name: String,
    version: String,
    pick: String,
    pass_line: String,
    decimals: u8,
    components: Vec<Row>,
    bands: Vec<Row>,
    panels: Vec<Row>,
    ladder: Vec<Row>,
    certificate: Vec<Row>,
    prerequisites: Vec<Row>,
    versions: Vec<VersionRow>,
    document: String,
    can_manage: bool,
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    version: String,
}

fn parse_pick(raw: &str) -> Result<Pick, WebError> {
    Pick::parse(raw).ok_or(WebError::BadRequest("bad-query"))
}

fn ladder_rows(lang: Lang, scheme: &Scheme) -> Vec<Row> {
    let sl = scheme_lang(lang);
    scheme
        .ladder()
        .steps()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut parts = Vec::new();
            if s.withhold_pay_percent > 0 {
                let p = s.withhold_pay_percent.to_string();
                parts.push(tf(lang, "schemes-withhold", &[("n", &p)]));
            }
            if s.off_duty_days > 0 {
                let d = s.off_duty_days.to_string();
                parts.push(tf(lang, "schemes-off-duty", &[("n", &d)]));
            }
            if s.probation_extension_months > 0 {
                let m = s.probation_extension_months.to_string();
                parts.push(tf(lang, "schemes-probation", &[("n", &m)]));
            }
            parts.push(
                t(
                    lang,
                    if s.retake_allowed {
                        "schemes-retake-yes"
                    } else {
                        "schemes-retake-no"
                    },
                )
                .to_string(),
            );
            parts.push(t(lang, &format!("schemes-hr-{}", s.hr_procedure.key())).to_string());
            Row {
                cells: vec![
                    (i + 1).to_string(),
                    s.key.clone(),
                    s.labels.get(sl).to_string(),
                    parts.join("; "),
                ],
            }
        })
        .collect()
}

fn detail_rows(lang: Lang, scheme: &Scheme) -> [Vec<Row>; 5] {
    let sl = scheme_lang(lang);
    let name = |key: &str| {
        scheme
            .component(key)
            .map_or(key.to_string(), |c| c.labels.get(sl).to_string())
    };
    let components = scheme
        .components()
        .iter()
        .map(|c| Row {
            cells: vec![
                c.key.clone(),
                c.labels.get(sl).to_string(),
                c.weight.to_string(),
                t(lang, &format!("schemes-source-{}", c.source.key())).to_string(),
            ],
        })
        .collect();
    let bands = scheme
        .bands()
        .iter()
        .map(|b| Row {
            cells: vec![
                b.key.clone(),
                b.labels.get(sl).to_string(),
                format!("≥ {}", b.min),
            ],
        })
        .collect();
    let panels = scheme
        .components()
        .iter()
        .filter_map(|c| Some((c, c.panel.as_ref()?)))
        .map(|(c, p)| Row {
            cells: vec![
                name(&c.key),
                p.min_marks.to_string(),
                p.drop_highest.to_string(),
                p.drop_lowest.to_string(),
                t(
                    lang,
                    match p.trim {
                        Trim::Total => "schemes-trim-total",
                        Trim::PerItem => "schemes-trim-per-item",
                    },
                )
                .to_string(),
                p.divergence_tolerance
                    .map_or_else(|| "—".to_string(), |s: Score| s.to_string()),
            ],
        })
        .collect();
    let certificate = scheme
        .certificate()
        .map(|c| {
            vec![
                Row {
                    cells: vec![
                        t(lang, "schemes-validity").to_string(),
                        tf(
                            lang,
                            "schemes-months",
                            &[("n", &c.validity_months.to_string())],
                        ),
                    ],
                },
                Row {
                    cells: vec![
                        t(lang, "schemes-reevaluation").to_string(),
                        tf(
                            lang,
                            "schemes-months",
                            &[("n", &c.reevaluation_lead_months.to_string())],
                        ),
                    ],
                },
                Row {
                    cells: vec![
                        t(lang, "schemes-number-format").to_string(),
                        format!(
                            "{} → {}",
                            c.number_format.as_str(),
                            c.number_format.format(2024, 1)
                        ),
                    ],
                },
            ]
        })
        .unwrap_or_default();
    let p = scheme.prerequisites();
    let mut prerequisites = Vec::new();
    if p.training_hours > 0 {
        prerequisites.push(Row {
            cells: vec![
                t(lang, "schemes-training-hours").to_string(),
                p.training_hours.to_string(),
            ],
        });
    }
    if !p.completed_plans.is_empty() {
        prerequisites.push(Row {
            cells: vec![
                t(lang, "schemes-completed-plans").to_string(),
                p.completed_plans.join(", "),
            ],
        });
    }
    if let Some(level) = &p.level_held {
        let label = scheme
            .bands()
            .iter()
            .find(|b| &b.key == level)
            .map_or(level.clone(), |b| b.labels.get(sl).to_string());
        prerequisites.push(Row {
            cells: vec![t(lang, "schemes-level-held").to_string(), label],
        });
    }
    [components, bands, panels, certificate, prerequisites]
}

fn version_rows(lang: Lang, key: &str, d: &Detail, ctx: &Ctx) -> Vec<VersionRow> {
    let current = d.current.pick().as_param();
    d.versions
        .iter()
        .map(|v| VersionRow {
            label: match v.origin {
                Origin::Preset => format!("{} ({})", v.version, origin_label(lang, v.origin)),
                Origin::Stored => v.version.to_string(),
            },
            href: format!("/schemes/{key}?version={}", v.param),
            when: v.created_at.map(|at| ctx.time(&at)).unwrap_or_default(),
            current: v.param == current,
        })
        .collect()
}

pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(key): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, WebError> {
    let pick = parse_pick(&q.version)?;
    let d = schemes::get(&state.app, &me, &key, pick).await?;
    let ctx = Ctx::new(lang, Some(&me), &format!("/schemes/{key}"));
    let scheme = &d.current.scheme;
    let [components, bands, panels, certificate, prerequisites] = detail_rows(lang, scheme);
    let page = ShowPage {
        key: key.clone(),
        name: scheme.labels().get(scheme_lang(lang)).to_string(),
        version: version_label(lang, &d.current),
        pick: d.current.pick().as_param(),
        pass_line: scheme.pass_line().to_string(),
        decimals: scheme.decimals(),
        components,
        bands,
        panels,
        ladder: ladder_rows(lang, scheme),
        certificate,
        prerequisites,
        versions: version_rows(lang, &key, &d, &ctx),
        document: d.current.document.clone(),
        can_manage: me.can(Permission::SchemeManage),
        ctx,
    };
    render(&page)
}

// ---------- edit ----------

#[derive(Template)]
#[template(path = "schemes/edit.html")]
struct EditPage {
    ctx: Ctx,
    key: String,
    base: String,
    version: String,
    document: String,
    errors: Vec<(String, String)>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(key): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, WebError> {
    me.require(Permission::SchemeManage)?;
    let pick = parse_pick(&q.version)?;
    let d = schemes::get(&state.app, &me, &key, pick).await?;
    render(&EditPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/schemes/{key}/edit")),
        base: d.current.pick().as_param(),
        version: version_label(lang, &d.current),
        document: d.current.document.clone(),
        key,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    base: String,
    #[serde(default)]
    document: String,
}

pub async fn save(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(key): Path<String>,
    WebForm(f): WebForm<EditForm>,
) -> Result<Response, WebError> {
    me.require(Permission::SchemeManage)?;
    let base = parse_pick(&f.base)?;
    match schemes::save_version(&state.app, &me, &key, base, &f.document).await {
        Ok(row) => Ok(
            Redirect::to(&format!("/schemes/{}?version={}", row.key, row.version)).into_response(),
        ),
        Err(e @ AppError::SchemeInvalid(_)) => {
            let d = schemes::get(&state.app, &me, &key, base).await?;
            let page = EditPage {
                ctx: Ctx::new(lang, Some(&me), &format!("/schemes/{key}/edit")),
                base: f.base.clone(),
                version: version_label(lang, &d.current),
                document: f.document,
                key,
                errors: crate::error::form_errors(lang, &e),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- what-if ----------

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct SideBySide {
    pub label: String,
    pub before: String,
    pub after: String,
}

pub struct ChangeRow {
    pub line: usize,
    pub employee_no: String,
    pub attempt: u32,
    pub before: String,
    pub after: String,
}

pub struct ProblemRow {
    pub line: String,
    pub field: String,
    pub message: String,
}

pub struct Outcome {
    pub current: String,
    pub edited: String,
    pub rows: usize,
    pub table: Vec<SideBySide>,
    pub changes: Vec<ChangeRow>,
    pub problems: Vec<ProblemRow>,
}

#[derive(Template)]
#[template(path = "schemes/what_if.html")]
struct WhatIfPage {
    ctx: Ctx,
    key: String,
    current: Vec<Choice>,
    edited: Vec<Choice>,
    outcome: Option<Outcome>,
}

fn choices(lang: Lang, d: &Detail, selected: &str) -> Vec<Choice> {
    d.versions
        .iter()
        .map(|v| Choice {
            value: v.param.clone(),
            label: match v.origin {
                Origin::Preset => format!("{} ({})", v.version, origin_label(lang, v.origin)),
                Origin::Stored => v.version.to_string(),
            },
            selected: v.param == selected,
        })
        .collect()
}

/// The latest version and the one before it (or the same one when there is only one).
fn defaults(d: &Detail) -> (String, String) {
    let edited = d
        .versions
        .first()
        .map_or_else(|| d.current.pick().as_param(), |v| v.param.clone());
    let current = d
        .versions
        .get(1)
        .map_or_else(|| edited.clone(), |v| v.param.clone());
    (current, edited)
}

pub async fn what_if_form(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let d = schemes::get(&state.app, &me, &key, Pick::Latest).await?;
    let (current, edited) = defaults(&d);
    render(&WhatIfPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/schemes/{key}/what-if")),
        current: choices(lang, &d, &current),
        edited: choices(lang, &d, &edited),
        key,
        outcome: None,
    })
}

fn verdict_text(lang: Lang, scheme: &Scheme, v: &RowVerdict) -> String {
    let sl = scheme_lang(lang);
    let Some(total) = v.total else {
        return t(lang, "schemes-incomplete").to_string();
    };
    let mut s = format!(
        "{} · {}",
        total.fixed(scheme.decimals()),
        t(
            lang,
            if v.passed == Some(true) {
                "schemes-passed"
            } else {
                "schemes-failed"
            }
        )
    );
    if let Some(level) = &v.level {
        let label = scheme
            .bands()
            .iter()
            .find(|b| &b.key == level)
            .map_or(level.clone(), |b| b.labels.get(sl).to_string());
        s.push_str(&format!(" · {label}"));
    }
    if v.hold {
        s.push_str(&format!(" · {}", t(lang, "schemes-hold")));
    }
    s
}

fn outcome(lang: Lang, w: &WhatIf) -> Outcome {
    let sl = scheme_lang(lang);
    let rate = |r: Option<Score>| r.map_or_else(|| "—".to_string(), |s| format!("{}%", s.fixed(2)));
    let mut table = vec![
        SideBySide {
            label: t(lang, "schemes-evaluated").to_string(),
            before: w.before.evaluated.to_string(),
            after: w.after.evaluated.to_string(),
        },
        SideBySide {
            label: t(lang, "schemes-pass-rate").to_string(),
            before: rate(w.before.pass_rate),
            after: rate(w.after.pass_rate),
        },
    ];
    // Every level of either version, in the edited version's order first.
    let mut keys: Vec<String> = Vec::new();
    for (k, _) in w.after.levels.iter().chain(&w.before.levels) {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let count = |levels: &[(String, usize)], k: &str| {
        levels
            .iter()
            .find(|(x, _)| x == k)
            .map_or_else(|| "—".to_string(), |(_, n)| n.to_string())
    };
    for k in keys {
        let label = if k.is_empty() {
            t(lang, "schemes-no-level").to_string()
        } else {
            w.edited
                .scheme
                .bands()
                .iter()
                .chain(w.current.scheme.bands())
                .find(|b| b.key == k)
                .map_or(k.clone(), |b| b.labels.get(sl).to_string())
        };
        table.push(SideBySide {
            label: tf(lang, "schemes-level-count", &[("level", &label)]),
            before: count(&w.before.levels, &k),
            after: count(&w.after.levels, &k),
        });
    }
    Outcome {
        current: version_label(lang, &w.current),
        edited: version_label(lang, &w.edited),
        rows: w.rows,
        table,
        changes: w
            .changes
            .iter()
            .map(|c| ChangeRow {
                line: c.line,
                employee_no: c.employee_no.clone(),
                attempt: c.attempt,
                before: verdict_text(lang, &w.current.scheme, &c.before),
                after: verdict_text(lang, &w.edited.scheme, &c.after),
            })
            .collect(),
        problems: w
            .problems
            .iter()
            .map(|p| ProblemRow {
                line: if p.line == 0 {
                    String::new()
                } else {
                    p.line.to_string()
                },
                field: p.field.clone(),
                message: t(lang, &format!("input-error-{}", p.code)).to_string(),
            })
            .collect(),
    }
}

pub async fn what_if(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(key): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    me.require(Permission::SchemeRead)?;
    let mut upload = crate::upload::read(mp).await?;
    let current = upload.field("current").unwrap_or_default().to_string();
    let edited = upload.field("edited").unwrap_or_default().to_string();
    let file = upload.file.take().map(|(_, b)| b).unwrap_or_default();
    let d = schemes::get(&state.app, &me, &key, Pick::Latest).await?;
    let (dc, de) = defaults(&d);
    let current = if current.trim().is_empty() {
        dc
    } else {
        current
    };
    let edited = if edited.trim().is_empty() { de } else { edited };
    let w = schemes::what_if(
        &state.app,
        &me,
        &key,
        parse_pick(&current)?,
        parse_pick(&edited)?,
        &file,
    )
    .await?;
    // Bad rows are listed beside the comparison of the good ones; only a file that yields
    // nothing to compare is refused.
    let status = if w.problems.is_empty() || w.before.evaluated > 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = WhatIfPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/schemes/{key}/what-if")),
        current: choices(lang, &d, &current),
        edited: choices(lang, &d, &edited),
        outcome: Some(outcome(lang, &w)),
        key,
    };
    Ok((status, render(&page)?).into_response())
}

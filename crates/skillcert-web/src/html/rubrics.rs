//! The rubric library pages: the list, a readable view of one version (the page published
//! before an assessment so judges and candidates read the same rules), the TOML editor that
//! saves a new version, and the TOML download.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use skillcert_app::AppError;
use skillcert_app::rubrics::{self, Detail, Pick, RubricVersion};
use skillcert_app::schemes::Origin;
use skillcert_domain::access::Permission;
use skillcert_domain::practical::rubric::{Critical, CriticalEffect, Item, NotApplicable};
use skillcert_domain::scheme::Lang as LabelLang;

use super::{Ctx, WebForm, render};
use crate::error::WebError;
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rubrics", get(list))
        .route("/rubrics/{key}", get(show))
        .route("/rubrics/{key}/edit", get(edit_form).post(save))
}

fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

fn origin_label(lang: Lang, origin: Origin) -> &'static str {
    t(lang, &format!("rubrics-origin-{}", origin.key()))
}

fn version_label(lang: Lang, v: &RubricVersion) -> String {
    match v.origin {
        Origin::Preset => format!("{} ({})", v.version, origin_label(lang, v.origin)),
        Origin::Stored => v.version.to_string(),
    }
}

/// The `?version=` value that shows `v` again.
fn version_param(v: &RubricVersion) -> String {
    match v.origin {
        Origin::Preset => "preset".into(),
        Origin::Stored => v.version.to_string(),
    }
}

#[derive(Deserialize)]
pub struct VersionQuery {
    #[serde(default)]
    version: String,
}

fn parse_pick(raw: &str) -> Result<Pick, WebError> {
    Pick::parse(raw).ok_or(WebError::BadRequest("bad-query"))
}

// ---------- list ----------

pub struct ListRow {
    pub key: String,
    pub name: String,
    pub sections: usize,
    pub max_points: u32,
    pub origin: &'static str,
    pub version: String,
}

#[derive(Template)]
#[template(path = "rubrics/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
) -> Result<Response, WebError> {
    let items = rubrics::list(&state.app, &me).await?;
    let rows = items
        .into_iter()
        .map(|s| {
            let v = s.latest;
            ListRow {
                name: v.rubric.labels().get(label_lang(lang)).to_string(),
                sections: v.rubric.sections().len(),
                max_points: v.rubric.max_points(),
                origin: origin_label(lang, v.origin),
                version: version_label(lang, &v),
                key: v.key,
            }
        })
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/rubrics"),
        rows,
    })
}

// ---------- show ----------

pub struct BandRow {
    pub range: String,
    pub descriptor: String,
}

pub struct ItemRow {
    pub key: String,
    pub name: String,
    pub max: u32,
    pub allowed: String,
    pub skill: String,
    pub na: &'static str,
    pub critical: String,
    pub bands: Vec<BandRow>,
}

pub struct SectionRow {
    pub key: String,
    pub name: String,
    pub max: u32,
    pub items: Vec<ItemRow>,
}

pub struct TextRow {
    pub name: String,
    pub required: &'static str,
}

pub struct VersionRow {
    pub label: String,
    pub href: String,
    pub when: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "rubrics/show.html")]
struct ShowPage {
    ctx: Ctx,
    key: String,
    name: String,
    version: String,
    param: String,
    max_points: u32,
    na_policy: &'static str,
    sections: Vec<SectionRow>,
    texts: Vec<TextRow>,
    versions: Vec<VersionRow>,
    can_manage: bool,
}

fn critical_text(lang: Lang, c: &Critical) -> String {
    let below = c.fail_below.to_string();
    let effect = match c.effect {
        CriticalEffect::ZeroSection | CriticalEffect::ZeroTotal => {
            t(lang, &format!("rubrics-effect-{}", c.effect.key())).to_string()
        }
        CriticalEffect::CapSection | CriticalEffect::CapTotal => {
            let cap = c.cap.unwrap_or(0).to_string();
            tf(
                lang,
                &format!("rubrics-effect-{}", c.effect.key()),
                &[("cap", &cap)],
            )
        }
    };
    tf(
        lang,
        "rubrics-critical-rule",
        &[("n", &below), ("effect", &effect)],
    )
}

fn item_row(lang: Lang, d: &Detail, it: &Item) -> ItemRow {
    let ll = label_lang(lang);
    let skill = it.skill.as_ref().map_or_else(String::new, |code| {
        d.skills
            .iter()
            .find(|s| &s.code == code)
            .map_or(code.clone(), |s| s.name(lang == Lang::ZhCn).to_string())
    });
    let allowed: Vec<String> = it.allowed_values().iter().map(u32::to_string).collect();
    ItemRow {
        key: it.key.clone(),
        name: it.labels.get(ll).to_string(),
        max: it.max,
        allowed: allowed.join(", "),
        skill,
        na: t(
            lang,
            if it.allow_na {
                "rubrics-yes"
            } else {
                "rubrics-no"
            },
        ),
        critical: it
            .critical
            .as_ref()
            .map_or_else(String::new, |c| critical_text(lang, c)),
        bands: it
            .bands
            .iter()
            .map(|b| BandRow {
                range: if b.min == b.max {
                    b.min.to_string()
                } else {
                    format!("{}–{}", b.min, b.max)
                },
                descriptor: b.labels.get(ll).to_string(),
            })
            .collect(),
    }
}

async fn download(
    state: &AppState,
    me: &skillcert_app::Actor,
    key: &str,
    pick: Pick,
) -> Result<Response, WebError> {
    let d = rubrics::get(&state.app, me, key, pick).await?;
    let name = format!(
        "attachment; filename=\"{}-v{}.toml\"",
        d.current.key, d.current.version
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (header::CONTENT_DISPOSITION, name),
        ],
        d.current.document,
    )
        .into_response())
}

/// `/rubrics/{key}`, and `/rubrics/{key}.toml` for the download (the router cannot match a
/// suffix, and keys never contain a dot).
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(key): Path<String>,
    Query(q): Query<VersionQuery>,
) -> Result<Response, WebError> {
    let pick = parse_pick(&q.version)?;
    if let Some(key) = key.strip_suffix(".toml") {
        return download(&state, &me, key, pick).await;
    }
    let d = rubrics::get(&state.app, &me, &key, pick).await?;
    let ctx = Ctx::new(lang, Some(&me), &format!("/rubrics/{key}"));
    let r = &d.current.rubric;
    let ll = label_lang(lang);
    let sections = r
        .sections()
        .iter()
        .map(|s| SectionRow {
            key: s.key.clone(),
            name: s.labels.get(ll).to_string(),
            max: s.max,
            items: s.items.iter().map(|it| item_row(lang, &d, it)).collect(),
        })
        .collect();
    let texts = r
        .free_text()
        .iter()
        .map(|f| TextRow {
            name: f.labels.get(ll).to_string(),
            required: t(
                lang,
                if f.required {
                    "rubrics-required"
                } else {
                    "rubrics-optional"
                },
            ),
        })
        .collect();
    let param = version_param(&d.current);
    let versions = d
        .versions
        .iter()
        .map(|v| VersionRow {
            label: match v.origin {
                Origin::Preset => format!("{} ({})", v.version, origin_label(lang, v.origin)),
                Origin::Stored => v.version.to_string(),
            },
            href: format!("/rubrics/{key}?version={}", v.param),
            when: v.created_at.map(|at| ctx.time(&at)).unwrap_or_default(),
            current: v.param == param,
        })
        .collect();
    let page = ShowPage {
        name: r.labels().get(ll).to_string(),
        version: version_label(lang, &d.current),
        max_points: r.max_points(),
        na_policy: t(
            lang,
            match r.not_applicable() {
                NotApplicable::Remove => "rubrics-na-remove",
                NotApplicable::CountAsMet => "rubrics-na-count-as-met",
            },
        ),
        sections,
        texts,
        versions,
        param,
        can_manage: me.can(Permission::SchemeManage),
        key,
        ctx,
    };
    render(&page)
}

// ---------- edit ----------

#[derive(Template)]
#[template(path = "rubrics/edit.html")]
struct EditPage {
    ctx: Ctx,
    key: String,
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
    let d = rubrics::get(&state.app, &me, &key, pick).await?;
    render(&EditPage {
        ctx: Ctx::new(lang, Some(&me), &format!("/rubrics/{key}/edit")),
        version: version_label(lang, &d.current),
        document: d.current.document.clone(),
        key,
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct EditForm {
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
    match rubrics::save_version(&state.app, &me, &key, &f.document).await {
        Ok(row) => Ok(
            Redirect::to(&format!("/rubrics/{}?version={}", row.key, row.version)).into_response(),
        ),
        Err(e @ AppError::Rejected(_)) => {
            // The key may be new (a rubric written from scratch), so no version is required.
            let version = match rubrics::get(&state.app, &me, &key, Pick::Latest).await {
                Ok(d) => version_label(lang, &d.current),
                Err(_) => t(lang, "rubrics-new").to_string(),
            };
            let page = EditPage {
                ctx: Ctx::new(lang, Some(&me), &format!("/rubrics/{key}/edit")),
                version,
                document: f.document,
                key,
                errors: crate::error::form_errors(lang, &e),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

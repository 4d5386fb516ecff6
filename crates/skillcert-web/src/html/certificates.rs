//! Certificates (issue 6): the certificate record table of S1 template 5 with its Excel
//! export; one certificate with where it came from, what replaced it and its revocation; the
//! printable certificate with its QR code and the same as a PDF; the public verification
//! pages (no sign-in, the holder's name masked); the signed status lists that credentials
//! point to; and the re-evaluation tasks.
//!
//! Actions post a form and come back with a flash (`?done=…`); a refused revocation shows
//! the certificate again with the reason and the text typed.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{FixedOffset, NaiveDate};
use serde::Deserialize;

use super::download::{attachment, file_name, inline};
use skillcert_app::certification::ERROR_CODES;
use skillcert_app::certification::certificates::{self, Certificate, Verification};
use skillcert_app::store::certification::{CertificateQuery, TaskRow};
use skillcert_app::{Actor, AppError, Page};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::certification::CertificateStatus;
use skillcert_domain::scheme::{Labels, Lang as LabelLang};
use skillcert_reports::Cell;
use skillcert_reports::pdf::{Align, Margins, Paint, PdfDocument, TextStyle};
use skillcert_reports::qr::QrMatrix;

use super::{Ctx, FormErrors, Pager, WebForm, render};
use crate::error::{WebError, form_errors, urlencode};
use crate::i18n::{Lang, t, tf};
use crate::session::Me;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates", get(list))
        .route("/certificates.xlsx", get(list_xlsx))
        .route("/certificates/{number}", get(show))
        .route("/certificates/{number}/print", get(print))
        .route("/certificates/{number}/revoke", post(revoke))
        .route("/reevaluation", get(reevaluation))
        .route("/reevaluation/sync", post(sync))
        .route("/verify", get(verify_form))
        .route("/verify/{number}", get(verify_page))
        .route("/status/{purpose}", get(status_list))
}

/// Re-evaluation task states as stored.
pub const TASK_STATUSES: [&str; 3] = ["open", "passed", "lapsed"];

/// Flash messages after a finished action (`?done=…`).
const DONE: [&str; 2] = ["revoked", "sync"];

/// Longest certificate number the verification page looks up; anything longer names no
/// certificate.
const NUMBER_MAX: usize = 64;

/// The status lists are rebuilt on request; verifiers may cache them this long (seconds).
const STATUS_LIST_MAX_AGE: u32 = 300;

/// Every message key these pages build at run time, for the completeness test.
pub fn dynamic_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for s in CertificateStatus::ALL {
        keys.push(format!("certificates-status-{}", s.key()));
        keys.push(format!("certificates-verify-says-{}", s.key()));
        keys.push(format!("certificates-verify-explain-{}", s.key()));
    }
    for s in TASK_STATUSES {
        keys.push(format!("certificates-task-{s}"));
    }
    for d in DONE {
        keys.push(format!("certificates-done-{d}"));
    }
    for c in ERROR_CODES.iter().filter(|c| c.starts_with("certificate-")) {
        keys.push(format!("problem-{c}"));
    }
    keys
}

// ---------- formatting ----------

fn label_lang(lang: Lang) -> LabelLang {
    match lang {
        Lang::ZhCn => LabelLang::ZhCn,
        Lang::En => LabelLang::En,
    }
}

fn status_label(lang: Lang, s: CertificateStatus) -> &'static str {
    t(lang, &format!("certificates-status-{}", s.key()))
}

fn task_label(lang: Lang, status: &str) -> &'static str {
    if TASK_STATUSES.contains(&status) {
        t(lang, &format!("certificates-task-{status}"))
    } else {
        t(lang, "certificates-task-open")
    }
}

/// What a state means for this certificate, in a sentence.
fn explain(
    lang: Lang,
    status: CertificateStatus,
    valid_until: NaiveDate,
    superseded_by: Option<&str>,
) -> String {
    let key = format!("certificates-verify-explain-{}", status.key());
    match status {
        CertificateStatus::Superseded => {
            tf(lang, &key, &[("number", superseded_by.unwrap_or("—"))])
        }
        _ => tf(lang, &key, &[("date", &date(valid_until))]),
    }
}

/// A total in hundredths as people write it (`86.40`).
fn total_text(hundredths: i32) -> String {
    format!("{}.{:02}", hundredths / 100, (hundredths % 100).abs())
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn done_message(lang: Lang, done: Option<&str>, n: Option<&str>) -> Option<String> {
    let d = done?;
    if !DONE.contains(&d) {
        return None;
    }
    let n = n
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0)
        .to_string();
    Some(tf(lang, &format!("certificates-done-{d}"), &[("n", &n)]))
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Whether the actor reads every department's certificates (so the stored counts apply).
fn reads_all(me: &Actor) -> bool {
    me.can(Permission::CertificationManage)
        || me.scope(Permission::CertificationResults) == Scope::All
}

/// The public address of a certificate's verification page (what its QR code holds).
fn verify_url(state: &AppState, number: &str) -> String {
    format!(
        "{}/verify/{}",
        state.app.issuer.base_url(),
        urlencode(number)
    )
}

/// What the re-evaluation column says about a certificate.
pub struct Reeval {
    pub key: &'static str,
    pub label: &'static str,
    pub successor: Option<String>,
}

fn reeval_of(lang: Lang, c: &Certificate, task: Option<&TaskRow>) -> Option<Reeval> {
    match task {
        Some(task) => {
            let key = TASK_STATUSES
                .iter()
                .copied()
                .find(|s| *s == task.status)
                .unwrap_or("open");
            Some(Reeval {
                key,
                label: task_label(lang, key),
                successor: task
                    .new_number
                    .clone()
                    .or_else(|| c.row.superseded_by_number.clone()),
            })
        }
        // Re-certified before the lead time began: no task, but a successor.
        None => c.row.superseded_by_number.clone().map(|n| Reeval {
            key: "passed",
            label: task_label(lang, "passed"),
            successor: Some(n),
        }),
    }
}

// ---------- the certificate record table ----------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub status: Option<String>,
    pub round_id: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl ListQuery {
    fn to_query(&self) -> CertificateQuery {
        CertificateQuery {
            search: nonblank(&self.q),
            status: self
                .status
                .as_deref()
                .and_then(|s| CertificateStatus::parse(s.trim()))
                .map(|s| s.key().to_string()),
            round_id: self.round_id.as_deref().and_then(|r| r.trim().parse().ok()),
            page: self
                .page
                .as_deref()
                .and_then(|p| p.trim().parse().ok())
                .unwrap_or(1)
                .max(1),
            per_page: self
                .per_page
                .as_deref()
                .and_then(|p| p.trim().parse::<i64>().ok())
                .unwrap_or(50)
                .clamp(1, 500),
            ..CertificateQuery::default()
        }
    }

    /// The filters as a query string (without page), for links that keep them.
    fn filters(q: &CertificateQuery, with_status: bool) -> Vec<String> {
        let mut base = Vec::new();
        if let Some(s) = &q.search {
            base.push(format!("q={}", urlencode(s)));
        }
        if with_status && let Some(s) = &q.status {
            base.push(format!("status={s}"));
        }
        if let Some(r) = q.round_id {
            base.push(format!("round_id={r}"));
        }
        base
    }
}

pub struct ListRow {
    pub c: Certificate,
    pub level: String,
    pub status_key: &'static str,
    pub status: &'static str,
    pub total: String,
    pub reeval: Option<Reeval>,
}

/// A status filter chip.
pub struct Chip {
    pub href: String,
    pub label: &'static str,
    pub count: i64,
    pub key: &'static str,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "certificates/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    pager: Pager,
    chips: Vec<Chip>,
    q: String,
    round_id: Option<i64>,
    export: String,
    filtered: bool,
}

/// Certificates per status for the chips, in the actor's scope and with the same search
/// and round as the list. The stored counts cover every department and no search, so they
/// serve only readers of everything without a search.
async fn status_counts(
    state: &AppState,
    me: &Actor,
    q: &CertificateQuery,
) -> Result<BTreeMap<&'static str, i64>, WebError> {
    let mut counts = BTreeMap::new();
    if reads_all(me) && q.search.is_none() && q.round_id.is_none() {
        for (key, n) in certificates::counts(&state.app).await? {
            if let Some(s) = CertificateStatus::parse(&key) {
                counts.insert(s.key(), n);
            }
        }
    } else {
        let all = certificates::list(
            &state.app,
            me,
            CertificateQuery {
                status: None,
                page: 1,
                per_page: 0,
                ..q.clone()
            },
        )
        .await?;
        for c in all.items {
            *counts.entry(c.status.key()).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Each certificate's re-evaluation task, when it has one.
async fn tasks_by_certificate(
    state: &AppState,
    me: &Actor,
) -> Result<BTreeMap<i64, TaskRow>, WebError> {
    Ok(certificates::tasks(&state.app, me, None)
        .await?
        .into_iter()
        .map(|t| (t.certificate_id, t))
        .collect())
}

fn list_row(lang: Lang, c: Certificate, tasks: &BTreeMap<i64, TaskRow>) -> ListRow {
    let reeval = reeval_of(lang, &c, tasks.get(&c.row.id));
    ListRow {
        level: c.level.get(label_lang(lang)).to_string(),
        status_key: c.status.key(),
        status: status_label(lang, c.status),
        total: total_text(c.row.total),
        reeval,
        c,
    }
}

pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = lq.to_query();
    let page: Page<Certificate> = certificates::list(&state.app, &me, q.clone()).await?;
    let counts = status_counts(&state, &me, &q).await?;
    let tasks = tasks_by_certificate(&state, &me).await?;

    let keep = ListQuery::filters(&q, false);
    let chip_href = |status: Option<&str>| {
        let mut parts = keep.clone();
        if let Some(s) = status {
            parts.push(format!("status={s}"));
        }
        if parts.is_empty() {
            "/certificates".to_string()
        } else {
            format!("/certificates?{}", parts.join("&"))
        }
    };
    let mut chips = vec![Chip {
        href: chip_href(None),
        label: t(lang, "certificates-all"),
        count: counts.values().sum(),
        key: "all",
        active: q.status.is_none(),
    }];
    for s in CertificateStatus::ALL {
        chips.push(Chip {
            href: chip_href(Some(s.key())),
            label: status_label(lang, s),
            count: counts.get(s.key()).copied().unwrap_or(0),
            key: s.key(),
            active: q.status.as_deref() == Some(s.key()),
        });
    }

    let mut base = ListQuery::filters(&q, true);
    let export = if base.is_empty() {
        "/certificates.xlsx".to_string()
    } else {
        format!("/certificates.xlsx?{}", base.join("&"))
    };
    if let Some(p) = lq.per_page.as_deref().filter(|p| !p.trim().is_empty()) {
        base.push(format!("per_page={}", urlencode(p.trim())));
    }
    let pager = Pager {
        page: page.page,
        pages: page.pages(),
        total: page.total,
        base: format!("/certificates?{}", base.join("&")),
    };
    let rows = page
        .items
        .into_iter()
        .map(|c| list_row(lang, c, &tasks))
        .collect();
    render(&ListPage {
        ctx: Ctx::new(lang, Some(&me), "/certificates"),
        rows,
        pager,
        chips,
        filtered: q.search.is_some() || q.status.is_some() || q.round_id.is_some(),
        q: q.search.clone().unwrap_or_default(),
        round_id: q.round_id,
        export,
    })
}

/// `/certificates.xlsx`: the record table (S1 template 5) with the list's filters, every
/// matching row.
pub async fn list_xlsx(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(lq): Query<ListQuery>,
) -> Result<Response, WebError> {
    let q = CertificateQuery {
        page: 1,
        per_page: 0,
        ..lq.to_query()
    };
    let page = certificates::list(&state.app, &me, q).await?;
    let tasks = tasks_by_certificate(&state, &me).await?;
    let headers: Vec<&str> = [
        "certificates-col-number",
        "certificates-col-name",
        "certificates-col-employee-no",
        "certificates-col-department",
        "certificates-col-level",
        "certificates-col-issued-on",
        "certificates-col-valid-until",
        "certificates-col-reevaluation-due",
        "certificates-col-reevaluation-result",
        "certificates-col-status",
        "certificates-col-round",
        "certificates-col-total",
        "certificates-col-awarded-on",
        "certificates-col-revoked-reason",
    ]
    .iter()
    .map(|k| t(lang, k))
    .collect();
    let text = |s: Option<String>| s.filter(|s| !s.is_empty()).map_or(Cell::Empty, Cell::Text);
    let cells: Vec<Vec<Cell>> = page
        .items
        .into_iter()
        .map(|c| {
            let r = list_row(lang, c, &tasks);
            let reeval = r.reeval.as_ref().map(|e| match &e.successor {
                Some(n) => format!("{} ({n})", e.label),
                None => e.label.to_string(),
            });
            let row = &r.c.row;
            vec![
                Cell::Text(row.number.clone()),
                Cell::Text(row.name.clone()),
                Cell::Text(row.employee_no.clone()),
                Cell::Text(row.department.clone()),
                Cell::Text(r.level.clone()),
                Cell::Date(row.issued_on),
                Cell::Date(row.valid_until),
                Cell::Date(row.reevaluation_due),
                text(reeval),
                Cell::Text(r.status.to_string()),
                text(row.round_code.clone()),
                Cell::Number(f64::from(row.total) / 100.0),
                Cell::Date(row.awarded_on),
                text(row.revoked_reason.clone()),
            ]
        })
        .collect();
    let bytes = skillcert_reports::write_xlsx(t(lang, "certificates-sheet"), &headers, &cells)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("certificates xlsx: {e}")))?;
    Ok(attachment(
        bytes,
        crate::api::org::XLSX_MIME,
        "certificates.xlsx",
    ))
}

// ---------- one certificate ----------

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
    pub n: Option<String>,
}

/// Another certificate of the same holder.
pub struct HistoryLine {
    pub number: String,
    pub level: String,
    pub issued_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub status_key: &'static str,
    pub status: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "certificates/show.html")]
struct ShowPage {
    ctx: Ctx,
    c: Certificate,
    level: String,
    scheme: String,
    status_key: &'static str,
    status: &'static str,
    explain: String,
    total: String,
    /// The certificate this one replaced (re-evaluation), if any.
    predecessor: Option<String>,
    history: Vec<HistoryLine>,
    reeval: Option<Reeval>,
    can_revoke: bool,
    can_list: bool,
    can_audit: bool,
    reason: String,
    errors: FormErrors,
    verify_url: String,
}

/// The certificate page with its history; `reason` and `errors` re-render a refused
/// revocation.
async fn show_page(
    state: &AppState,
    lang: Lang,
    me: &Actor,
    number: &str,
    reason: String,
    errors: FormErrors,
    flash: Option<String>,
) -> Result<Response, WebError> {
    let c = certificates::get(&state.app, me, number).await?;
    let ll = label_lang(lang);
    let own = Some(c.row.employee_id) == me.employee_id;
    let others: Vec<Certificate> = if own {
        certificates::mine(&state.app, me).await?
    } else {
        certificates::list(
            &state.app,
            me,
            CertificateQuery {
                search: Some(c.row.employee_no.clone()),
                page: 1,
                per_page: 0,
                ..CertificateQuery::default()
            },
        )
        .await?
        .items
        .into_iter()
        .filter(|o| o.row.employee_id == c.row.employee_id)
        .collect()
    };
    let predecessor = others
        .iter()
        .find(|o| o.row.superseded_by == Some(c.row.id))
        .map(|o| o.row.number.clone());
    let history = others
        .iter()
        .filter(|o| o.row.id != c.row.id)
        .map(|o| HistoryLine {
            number: o.row.number.clone(),
            level: o.level.get(ll).to_string(),
            issued_on: o.row.issued_on,
            valid_until: o.row.valid_until,
            status_key: o.status.key(),
            status: status_label(lang, o.status),
            current: o.status.is_current(),
        })
        .collect();
    let task =
        if me.can(Permission::CertificationManage) || me.can(Permission::CertificationResults) {
            tasks_by_certificate(state, me).await?.remove(&c.row.id)
        } else {
            None
        };
    let reeval = reeval_of(lang, &c, task.as_ref());
    let here = format!("/certificates/{}", urlencode(&c.row.number));
    let page = ShowPage {
        ctx: Ctx::new(lang, Some(me), &here).with_flash(flash),
        level: c.level.get(ll).to_string(),
        scheme: c.scheme.get(ll).to_string(),
        status_key: c.status.key(),
        status: status_label(lang, c.status),
        explain: explain(
            lang,
            c.status,
            c.row.valid_until,
            c.row.superseded_by_number.as_deref(),
        ),
        total: total_text(c.row.total),
        predecessor,
        history,
        reeval,
        can_revoke: me.can(Permission::CertificationManage) && c.row.revoked_at.is_none(),
        can_list: me.can(Permission::CertificationManage)
            || me.can(Permission::CertificationResults),
        can_audit: me.can(Permission::AuditRead),
        reason,
        verify_url: verify_url(state, &c.row.number),
        errors,
        c,
    };
    render(&page)
}

/// `/certificates/{number}`, and `/certificates/{number}.pdf` (the router cannot match a
/// suffix after a parameter, so the PDF is told apart here).
pub async fn show(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(number): Path<String>,
    Query(dq): Query<DoneQuery>,
) -> Result<Response, WebError> {
    if let Some(n) = number.strip_suffix(".pdf") {
        return pdf(&state, lang, &me, n).await;
    }
    let flash = done_message(lang, dq.done.as_deref(), dq.n.as_deref());
    show_page(
        &state,
        lang,
        &me,
        &number,
        String::new(),
        FormErrors::none(),
        flash,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    pub reason: String,
}

pub async fn revoke(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(number): Path<String>,
    WebForm(f): WebForm<RevokeForm>,
) -> Result<Response, WebError> {
    match certificates::revoke(&state.app, &me, &number, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/certificates/{}?done=revoked",
            urlencode(&number)
        ))
        .into_response()),
        Err(e @ AppError::Rejected(_)) => {
            let errors = FormErrors(form_errors(lang, &e));
            let page = show_page(&state, lang, &me, &number, f.reason, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------- the printable certificate and its PDF ----------

/// What a printed certificate states, in both languages.
struct Printed {
    issuer: String,
    name: String,
    employee_no: String,
    department: String,
    level: Labels,
    scheme: Labels,
    number: String,
    issued_on: NaiveDate,
    valid_until: NaiveDate,
    awarded_on: NaiveDate,
    status: CertificateStatus,
    verify_url: String,
}

impl Printed {
    fn of(state: &AppState, c: &Certificate) -> Printed {
        Printed {
            issuer: state.app.issuer.name().to_string(),
            name: c.row.name.clone(),
            employee_no: c.row.employee_no.clone(),
            department: c.row.department.clone(),
            level: c.level.clone(),
            scheme: c.scheme.clone(),
            number: c.row.number.clone(),
            issued_on: c.row.issued_on,
            valid_until: c.row.valid_until,
            awarded_on: c.row.awarded_on,
            status: c.status,
            verify_url: verify_url(state, &c.row.number),
        }
    }

    /// "has passed … and is certified as" in one language.
    fn certified_as(&self, lang: Lang) -> String {
        tf(
            lang,
            "certificates-print-certified-as",
            &[("scheme", self.scheme.get(label_lang(lang)))],
        )
    }
}

fn qr_of(url: &str) -> Result<QrMatrix, WebError> {
    QrMatrix::encode(url)
        .map_err(|e| WebError::App(AppError::Internal(anyhow::anyhow!("QR code of {url}: {e}"))))
}

#[derive(Template)]
#[template(path = "certificates/print.html")]
struct PrintPage {
    ctx: Ctx,
    number: String,
    p: PrintedView,
    qr_svg: String,
}

/// The printed facts as the template shows them: a certificate is printed in both
/// languages, whatever the reader's.
pub struct PrintedView {
    pub issuer: String,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    pub certify: String,
    pub name: String,
    pub employee_no_label: String,
    pub employee_no: String,
    pub department: String,
    pub certified_as_zh: String,
    pub certified_as_en: String,
    pub level_zh: String,
    pub level_en: String,
    /// Label and value of each fact in the bottom block.
    pub facts: Vec<(String, String)>,
    /// Set when the certificate is no longer valid: printed across it.
    pub stamp: Option<String>,
    pub scan: String,
    pub verify_url: String,
}

/// A bilingual label: `中文 / English`.
fn both(key: &str) -> String {
    format!("{} / {}", t(Lang::ZhCn, key), t(Lang::En, key))
}

fn stamp_of(status: CertificateStatus) -> Option<String> {
    (!status.is_current()).then(|| {
        format!(
            "{} / {}",
            status_label(Lang::ZhCn, status),
            status_label(Lang::En, status)
        )
    })
}

impl PrintedView {
    fn of(p: &Printed) -> PrintedView {
        let mut facts = vec![
            (both("certificates-print-number"), p.number.clone()),
            (both("certificates-print-issued-on"), date(p.issued_on)),
            (both("certificates-print-valid-until"), date(p.valid_until)),
        ];
        if p.awarded_on != p.issued_on {
            facts.push((both("certificates-print-awarded-on"), date(p.awarded_on)));
        }
        facts.push((both("certificates-print-issuer"), p.issuer.clone()));
        PrintedView {
            issuer: p.issuer.clone(),
            title_zh: t(Lang::ZhCn, "certificates-print-title"),
            title_en: t(Lang::En, "certificates-print-title"),
            certify: both("certificates-print-certify"),
            name: p.name.clone(),
            employee_no_label: both("certificates-print-employee-no"),
            employee_no: p.employee_no.clone(),
            department: p.department.clone(),
            certified_as_zh: p.certified_as(Lang::ZhCn),
            certified_as_en: p.certified_as(Lang::En),
            level_zh: p.level.zh_cn.clone(),
            level_en: p.level.en.clone(),
            facts,
            stamp: stamp_of(p.status),
            scan: both("certificates-print-scan"),
            verify_url: p.verify_url.clone(),
        }
    }
}

pub async fn print(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let c = certificates::get(&state.app, &me, &number).await?;
    let printed = Printed::of(&state, &c);
    let qr_svg = qr_of(&printed.verify_url)?.to_svg(4);
    let here = format!("/certificates/{}/print", urlencode(&c.row.number));
    render(&PrintPage {
        ctx: Ctx::new(lang, Some(&me), &here),
        number: c.row.number.clone(),
        p: PrintedView::of(&printed),
        qr_svg,
    })
}

/// Draws the certificate on one A4 page: the same text as the printable page.
fn certificate_pdf(
    p: &Printed,
    lang: Lang,
    created: chrono::DateTime<FixedOffset>,
) -> Result<Vec<u8>, WebError> {
    let v = PrintedView::of(p);
    let mut doc = PdfDocument::new(format!("{} {} / {}", p.number, v.title_zh, v.title_en))
        .with_margins(Margins::uniform(56.0))
        .with_lang(lang.reports())
        .with_creation_date(created);
    let size = doc.page_size();
    let (w, h) = (size.width, size.height);
    let cx = w / 2.0;
    let centered = |s: f32| TextStyle::new(s).align(Align::Center);
    doc.page();
    // A double frame.
    let outer = Paint::Stroke {
        gray: 0.25,
        width: 2.0,
    };
    let inner = Paint::Stroke {
        gray: 0.45,
        width: 0.6,
    };
    doc.rect(28.0, 28.0, w - 56.0, h - 56.0, outer);
    doc.rect(36.0, 36.0, w - 72.0, h - 72.0, inner);

    doc.styled_text(cx, 100.0, centered(15.0).gray(0.2), &v.issuer);
    doc.styled_text(cx, 160.0, centered(30.0).bold(), v.title_zh);
    doc.styled_text(cx, 188.0, centered(15.0).gray(0.3), v.title_en);
    doc.line(cx - 120.0, 206.0, cx + 120.0, 206.0, 0.8, 0.5);

    doc.styled_text(cx, 250.0, centered(12.0).gray(0.3), &v.certify);
    doc.styled_text(cx, 292.0, centered(28.0).bold(), &v.name);
    doc.styled_text(
        cx,
        320.0,
        centered(11.0).gray(0.2),
        &format!(
            "{}: {} · {}",
            v.employee_no_label, v.employee_no, v.department
        ),
    );
    doc.styled_text(cx, 362.0, centered(12.0).gray(0.3), &v.certified_as_zh);
    doc.styled_text(cx, 380.0, centered(11.0).gray(0.3), &v.certified_as_en);
    doc.styled_text(cx, 420.0, centered(24.0).bold(), &v.level_zh);
    doc.styled_text(cx, 446.0, centered(15.0), &v.level_en);

    if let Some(stamp) = &v.stamp {
        let stroke = Paint::Stroke {
            gray: 0.0,
            width: 1.5,
        };
        doc.rect(cx - 150.0, 474.0, 300.0, 32.0, stroke);
        doc.styled_text(cx, 496.0, centered(15.0).bold(), stamp);
    }

    // The facts on the left, the QR code on the right.
    let left = 84.0;
    let mut y = 560.0;
    for (label, value) in &v.facts {
        doc.styled_text(left, y, TextStyle::new(9.0).gray(0.4), label);
        doc.styled_text(left, y + 15.0, TextStyle::new(13.0), value);
        y += 34.0;
    }
    let qr = qr_of(&v.verify_url)?;
    let qs = 128.0;
    let (qx, qy) = (w - 84.0 - qs, 556.0);
    doc.qr(qx, qy, qs, &qr);
    doc.link(qx, qy, qs, qs, &v.verify_url);
    doc.styled_text(
        qx + qs / 2.0,
        qy + qs + 14.0,
        centered(9.0).gray(0.3),
        &v.scan,
    );
    doc.styled_text(cx, h - 60.0, centered(8.0).gray(0.4), &v.verify_url);
    doc.link(56.0, h - 70.0, w - 112.0, 14.0, &v.verify_url);
    Ok(doc.finish())
}

async fn pdf(state: &AppState, lang: Lang, me: &Actor, number: &str) -> Result<Response, WebError> {
    let c = certificates::get(&state.app, me, number).await?;
    let printed = Printed::of(state, &c);
    let cst = FixedOffset::east_opt(8 * 3600)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("UTC+8 offset")))?;
    let bytes = certificate_pdf(&printed, lang, state.app.now().with_timezone(&cst))?;
    Ok(inline(
        bytes,
        "application/pdf",
        &format!("{}.pdf", file_name(&c.row.number, "")),
    ))
}

// ---------- public verification ----------

#[derive(Debug, Default, Deserialize)]
pub struct VerifyQuery {
    pub number: Option<String>,
}

/// A verification as the public page shows it.
pub struct VerifyView {
    pub v: Verification,
    pub status_key: &'static str,
    pub says: &'static str,
    pub explain: String,
    pub level: String,
    pub scheme: String,
}

#[derive(Template)]
#[template(path = "certificates/verify.html")]
struct VerifyPage {
    ctx: Ctx,
    number: String,
    found: Option<VerifyView>,
    not_found: bool,
    today: String,
}

/// Looks a typed number up: as typed (trimmed), then in capitals (`cs2026001`).
pub(crate) async fn lookup(state: &AppState, number: &str) -> Result<Verification, AppError> {
    let number = number.trim();
    if number.is_empty() || number.chars().count() > NUMBER_MAX {
        return Err(AppError::NotFound);
    }
    match certificates::verify(&state.app, number).await {
        Err(AppError::NotFound) if number.to_uppercase() != number => {
            certificates::verify(&state.app, &number.to_uppercase()).await
        }
        other => other,
    }
}

/// `/verify`: the form; `?number=` goes to that number's page.
pub async fn verify_form(
    State(state): State<AppState>,
    lang: Lang,
    Query(q): Query<VerifyQuery>,
) -> Result<Response, WebError> {
    if let Some(n) = nonblank(&q.number) {
        return Ok(Redirect::to(&format!("/verify/{}", urlencode(&n))).into_response());
    }
    render(&VerifyPage {
        ctx: Ctx::new(lang, None, "/verify"),
        number: String::new(),
        found: None,
        not_found: false,
        today: date(state.app.today()),
    })
}

/// `/verify/{number}`: no sign-in, no session, nothing but the masked name; an unknown
/// number is a 404 that says so and nothing else.
pub async fn verify_page(
    State(state): State<AppState>,
    lang: Lang,
    Path(number): Path<String>,
) -> Result<Response, WebError> {
    let ll = label_lang(lang);
    let here = format!("/verify/{}", urlencode(number.trim()));
    let today = date(state.app.today());
    match lookup(&state, &number).await {
        Ok(v) => {
            let explain = explain(lang, v.status, v.valid_until, v.superseded_by.as_deref());
            let view = VerifyView {
                status_key: v.status.key(),
                says: t(
                    lang,
                    &format!("certificates-verify-says-{}", v.status.key()),
                ),
                explain,
                level: v.level.get(ll).to_string(),
                scheme: v.scheme.get(ll).to_string(),
                v,
            };
            render(&VerifyPage {
                ctx: Ctx::new(lang, None, &here),
                number: view.v.number.clone(),
                found: Some(view),
                not_found: false,
                today,
            })
        }
        Err(AppError::NotFound) => {
            let page = render(&VerifyPage {
                ctx: Ctx::new(lang, None, &here),
                number: number.trim().chars().take(NUMBER_MAX).collect(),
                found: None,
                not_found: true,
                today,
            })?;
            Ok((StatusCode::NOT_FOUND, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Which issuer key signs the list: the one the credential names.
#[derive(Debug, Default, Deserialize)]
pub struct StatusListQuery {
    pub key: Option<String>,
}

/// `/status/{revocation|suspension}`: the signed Bitstring Status List credential that
/// every certificate's `credentialStatus` points to. Public and cacheable for five minutes.
pub async fn status_list(
    State(state): State<AppState>,
    Path(purpose): Path<String>,
    Query(q): Query<StatusListQuery>,
) -> Result<Response, WebError> {
    let doc = certificates::status_list(&state.app, &purpose, q.key.as_deref()).await?;
    let body = serde_json::to_vec(&doc)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("status list JSON: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CACHE_CONTROL,
                format!("public, max-age={STATUS_LIST_MAX_AGE}"),
            ),
        ],
        body,
    )
        .into_response())
}

// ---------- re-evaluation ----------

#[derive(Debug, Default, Deserialize)]
pub struct TaskQuery {
    pub status: Option<String>,
    pub done: Option<String>,
    pub n: Option<String>,
}

pub struct TaskLine {
    pub task: TaskRow,
    pub level: String,
    pub status: &'static str,
    /// Days from today to the due date (negative: overdue).
    pub days_left: i64,
}

/// The lead time of a preset that issues certificates, for the explanation.
pub struct LeadTime {
    pub scheme: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "certificates/reevaluation.html")]
struct ReevaluationPage {
    ctx: Ctx,
    lines: Vec<TaskLine>,
    chips: Vec<Chip>,
    filtered: bool,
    can_sync: bool,
    leads: Vec<LeadTime>,
}

pub async fn reevaluation(
    State(state): State<AppState>,
    lang: Lang,
    Me(me): Me,
    Query(q): Query<TaskQuery>,
) -> Result<Response, WebError> {
    let ll = label_lang(lang);
    let status = q
        .status
        .as_deref()
        .map(str::trim)
        .and_then(|s| TASK_STATUSES.iter().copied().find(|k| *k == s));
    let all = certificates::tasks(&state.app, &me, None).await?;
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for task in &all {
        *counts.entry(task.status.as_str()).or_insert(0) += 1;
    }
    let mut chips = vec![Chip {
        href: "/reevaluation".to_string(),
        label: t(lang, "certificates-all"),
        count: i64::try_from(all.len()).unwrap_or(i64::MAX),
        key: "all",
        active: status.is_none(),
    }];
    for s in TASK_STATUSES {
        chips.push(Chip {
            href: format!("/reevaluation?status={s}"),
            label: task_label(lang, s),
            count: counts.get(s).copied().unwrap_or(0),
            key: s,
            active: status == Some(s),
        });
    }
    let shown: Vec<TaskRow> = all
        .into_iter()
        .filter(|task| status.is_none_or(|s| task.status == s))
        .collect();
    // The levels' names come from each certificate's round.
    let levels: BTreeMap<i64, String> = if shown.is_empty() {
        BTreeMap::new()
    } else {
        certificates::list(
            &state.app,
            &me,
            CertificateQuery {
                page: 1,
                per_page: 0,
                ..CertificateQuery::default()
            },
        )
        .await?
        .items
        .into_iter()
        .map(|c| (c.row.id, c.level.get(ll).to_string()))
        .collect()
    };
    let today = state.app.today();
    let lines = shown
        .into_iter()
        .map(|task| TaskLine {
            level: levels
                .get(&task.certificate_id)
                .cloned()
                .unwrap_or_else(|| task.level_key.clone()),
            status: task_label(lang, &task.status),
            days_left: (task.valid_until - today).num_days(),
            task,
        })
        .collect();
    let leads = skillcert_domain::scheme::presets::all()
        .into_iter()
        .filter_map(|s| {
            let p = s.certificate()?;
            Some(LeadTime {
                scheme: s.labels().get(ll).to_string(),
                text: tf(
                    lang,
                    "certificates-reevaluation-lead",
                    &[
                        ("validity", &p.validity_months.to_string()),
                        ("lead", &p.reevaluation_lead_months.to_string()),
                    ],
                ),
            })
        })
        .collect();
    render(&ReevaluationPage {
        ctx: Ctx::new(lang, Some(&me), "/reevaluation").with_flash(done_message(
            lang,
            q.done.as_deref(),
            q.n.as_deref(),
        )),
        lines,
        chips,
        filtered: status.is_some(),
        can_sync: me.can(Permission::CertificationManage),
        leads,
    })
}

/// "Check now": opens the tasks whose lead time has begun (the server also does it
/// hourly) and tells holders and supervisors.
pub async fn sync(State(state): State<AppState>, Me(me): Me) -> Result<Response, WebError> {
    me.require(Permission::CertificationManage)?;
    let n = certificates::sync_reevaluation(&state.app).await?;
    Ok(Redirect::to(&format!("/reevaluation?done=sync&n={n}")).into_response())
}

//! Training-hour compliance (S2 rules as data): who and which department falls short, and
//! reminders before the year ends.
//!
//! The page reads one yearly-totals row per employee (`training_records::yearly_totals`) and
//! evaluates them in one pass with the domain's `compliance::evaluate`: each employee becomes
//! one entry for their basic minutes and one for the rest, so 100,000 employees with 50
//! sessions each are judged without reading 5 million ledger rows. The totals do not say
//! when a new hire went on duty, so the basic minutes of the hire year count as taken before
//! duty; a new hire still on probation is "in training".
//!
//! Reminders go to employees short of the yearly minimum (and their supervisors) from the
//! reminder day of the rules to 31 December, once per person and year: the message's link
//! carries the year, and who already holds one is not written to again. The server sends
//! them hourly ([`remind_due`]); a training manager may send them now.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, Offset};
use serde::{Deserialize, Serialize};
use skillcert_domain::access::{Permission, Scope};
use skillcert_domain::org::EmployeeStatus;
use skillcert_domain::training::compliance::{
    self as rules_domain, CompanyCompliance, ComplianceRules, EmployeeRecord, EntrySource,
    LedgerEntry, NewHireCheck, TrainingLevel, YearEvaluation,
};
use skillcert_store::certification as cert_store;
use skillcert_store::training_more::hours as more;
use skillcert_store::training_records::{self as store, YearlyRow};
use skillcert_store::{Conn, Page};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "compliance-syntax",
    "compliance-min-minutes-range",
    "compliance-basic-days-range",
    "compliance-basic-day-minutes-range",
    "compliance-advanced-topics-range",
    "compliance-reminder-lead-range",
    "compliance-follow-up-days-range",
    "compliance-year-out-of-range",
    "compliance-reminders-closed",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[
    "inbox-training-hours-reminder",
    "inbox-training-hours-reminder-supervisor",
];

/// The kind of a reminder; the supervisor's copy adds `-supervisor`.
const REMINDER: &str = "inbox-training-hours-reminder";
/// Years the page accepts.
pub const YEAR_MIN: i32 = 2000;
pub const YEAR_MAX: i32 = 2100;
/// People per page of the list.
pub const PER_PAGE: i64 = 50;
pub const PER_PAGE_MAX: i64 = 500;

/// China Standard Time, the company's days.
fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

/// `(version, rules)` in force: the newest saved version, or S2 when none was saved.
pub(crate) async fn rules_in(c: &mut Conn<'_>) -> AppResult<(Option<i32>, ComplianceRules)> {
    match store::latest_rules(c).await? {
        None => Ok((None, ComplianceRules::s2_default())),
        Some((v, doc)) => {
            let rules = ComplianceRules::parse_toml(&doc)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("stored rules v{v}: {e}")))?;
            Ok((Some(v), rules))
        }
    }
}

/// The rules as shown and edited.
#[derive(Debug, Clone, Serialize)]
pub struct RulesView {
    /// `None` while the shipped S2 defaults apply.
    pub version: Option<i32>,
    pub rules: ComplianceRules,
    /// The TOML document in force (S2's text when none was saved).
    pub document: String,
}

/// The rules in force, for anyone who may read training records.
pub async fn rules(app: &App, actor: &Actor) -> AppResult<RulesView> {
    actor.require(Permission::TrainingRead)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let stored = store::latest_rules(c).await?;
    let (version, rules) = rules_in(c).await?;
    Ok(RulesView {
        version,
        rules,
        document: stored.map_or_else(|| rules_domain::S2_DEFAULT_TOML.to_string(), |s| s.1),
    })
}

/// Saves a new version of the rules from a TOML document; every problem is reported at
/// once and nothing is saved when there is one.
pub async fn save_rules(app: &App, actor: &Actor, document: &str) -> AppResult<i32> {
    actor.require(Permission::TrainingManage)?;
    let rules = ComplianceRules::parse_toml(document).map_err(|e| {
        AppError::Rejected(
            e.0.iter()
                .map(|x| Problem::new(x.field(), x.code()))
                .collect(),
        )
    })?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let (before_version, before) = rules_in(c).await?;
    let version = store::save_rules(c, document, Some(actor.user_id), app.now()).await?;
    audit::record(
        app,
        c,
        &Author::from(actor),
        "compliance_rules.save",
        "compliance_rules",
        version,
        Some(&serde_json::json!({"version": before_version, "rules": before})),
        Some(&serde_json::json!({"version": version, "rules": rules, "document": document})),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}

/// What the compliance page asks for.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ComplianceQuery {
    /// The calendar year; `None` for this year.
    pub year: Option<i32>,
    pub department_id: Option<i64>,
    /// 1-based page of the list of people short.
    pub page: i64,
    /// People per page; 0 or less for every one (the export).
    pub per_page: i64,
}

/// One person short of the yearly minimum, or a new hire short of basic training.
#[derive(Debug, Clone, Serialize)]
pub struct PersonLine {
    pub employee_id: i64,
    pub employee_no: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub status: String,
    pub hire_date: NaiveDate,
    pub credited_minutes: u64,
    pub required_minutes: u32,
    pub shortfall_minutes: u64,
    /// Short of the yearly minimum.
    pub hours_short: bool,
    /// Hired this year: where they stand with the basic days.
    pub new_hire: Option<NewHireCheck>,
    /// A new hire whose basic training is not complete.
    pub basic_short: bool,
}

/// One department's year.
#[derive(Debug, Clone, Serialize)]
pub struct DepartmentLine {
    pub department_id: i64,
    pub department: String,
    pub headcount: u64,
    pub compliant: u64,
    pub short: u64,
    /// Compliant share in basis points (10000 = everyone).
    pub compliant_share_bp: u32,
    pub average_minutes: u64,
    pub new_hires_short: u64,
}

/// The compliance page.
#[derive(Debug, Clone, Serialize)]
pub struct CompliancePage {
    pub year: i32,
    pub rules: ComplianceRules,
    pub rules_version: Option<i32>,
    pub department_id: Option<i64>,
    /// The company (or the actor's departments) as a whole.
    pub company: CompanyCompliance,
    /// Departments with anyone short first, then by compliant share.
    pub departments: Vec<DepartmentLine>,
    /// Departments the actor may choose from, by name.
    pub department_choices: Vec<(i64, String)>,
    pub people: Page<PersonLine>,
    pub remind_from: NaiveDate,
    /// Today is within the reminder window of `year`.
    pub reminders_open: bool,
}

fn year_of(app: &App, year: Option<i32>) -> AppResult<i32> {
    let year = year.unwrap_or_else(|| app.today().year());
    if (YEAR_MIN..=YEAR_MAX).contains(&year) {
        Ok(year)
    } else {
        Err(AppError::Rejected(vec![Problem::new(
            "year",
            "compliance-year-out-of-range",
        )]))
    }
}

/// Evaluates `rows` (already filtered) for `year`: one entry for the basic minutes and one
/// for the rest of each employee, the company's advanced topics as entries of nobody.
fn evaluate_rows(
    rules: &ComplianceRules,
    year: i32,
    rows: &[&YearlyRow],
    topics: &[String],
) -> AppResult<YearEvaluation> {
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| {
        AppError::Rejected(vec![Problem::new("year", "compliance-year-out-of-range")])
    })?;
    let mut employees = Vec::with_capacity(rows.len());
    let mut entries = Vec::with_capacity(rows.len() * 2 + topics.len());
    for r in rows {
        let probation = EmployeeStatus::parse(&r.status) == Some(EmployeeStatus::Probation);
        employees.push(EmployeeRecord {
            employee_id: r.employee_id,
            department_id: r.department_id,
            hired_on: Some(r.hire_date),
            // The day after hiring: the basic minutes (dated the hire day) count as before.
            on_duty_from: (!probation).then(|| r.hire_date + Duration::days(1)),
        });
        let basic = u32::try_from(r.basic_minutes.max(0)).unwrap_or(0);
        let other = u32::try_from((r.minutes - r.basic_minutes).max(0)).unwrap_or(0);
        if basic > 0 {
            entries.push(LedgerEntry {
                employee_id: r.employee_id,
                date: if r.hire_date.year() == year {
                    r.hire_date
                } else {
                    jan1
                },
                minutes: basic,
                source: EntrySource::Session { session_id: 0 },
                level: TrainingLevel::Basic,
                topic: None,
            });
        }
        if other > 0 {
            entries.push(LedgerEntry {
                employee_id: r.employee_id,
                date: jan1,
                minutes: other,
                source: EntrySource::Session { session_id: 0 },
                level: TrainingLevel::Other,
                topic: None,
            });
        }
    }
    for t in topics {
        entries.push(LedgerEntry {
            employee_id: i64::MIN,
            date: jan1,
            minutes: 0,
            source: EntrySource::Session { session_id: 0 },
            level: TrainingLevel::Advanced,
            topic: Some(t.clone()),
        });
    }
    rules_domain::evaluate(rules, year, &employees, &entries).map_err(|e| {
        if matches!(e, rules_domain::EvaluationError::YearOutOfRange(_)) {
            AppError::Rejected(vec![Problem::new(e.field(), e.code())])
        } else {
            AppError::Internal(anyhow::anyhow!("compliance: {e}"))
        }
    })
}

fn is_basic_short(check: Option<&NewHireCheck>) -> bool {
    check.is_some_and(|n| n.missing_minutes > 0)
}

/// The compliance page of `query.year` for the departments the actor may read: who falls
/// short (a page of them), every department's counts and the company's topics. One read of
/// the yearly totals and one pass of the domain's evaluation.
pub async fn page(app: &App, actor: &Actor, query: &ComplianceQuery) -> AppResult<CompliancePage> {
    let scope = actor.require(Permission::TrainingRead)?;
    let year = year_of(app, query.year)?;
    let mut r = app.db.read().await?;
    let c = &mut r.conn();
    let (rules_version, rules) = rules_in(c).await?;
    let all = store::yearly_totals(c, year).await?;
    let topics = store::advanced_topics(c, year, cst()).await?;
    drop(r);
    let in_scope = |d: i64| matches!(scope, Scope::All) || scope.covers(d);
    let mut names: HashMap<i64, &str> = HashMap::new();
    for row in &all {
        if in_scope(row.department_id) {
            names
                .entry(row.department_id)
                .or_insert(row.department.as_str());
        }
    }
    let mut department_choices: Vec<(i64, String)> = names
        .iter()
        .map(|(id, n)| (*id, (*n).to_string()))
        .collect();
    department_choices.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    // A department outside the actor's scope is refused rather than silently shown empty.
    if let Some(d) = query.department_id
        && !in_scope(d)
    {
        return Err(AppError::Forbidden);
    }
    let department_id = query.department_id;
    let rows: Vec<&YearlyRow> = all
        .iter()
        .filter(|r| in_scope(r.department_id))
        .filter(|r| query.department_id.is_none_or(|d| r.department_id == d))
        .collect();
    let eval = evaluate_rows(&rules, year, &rows, &topics)?;
    let index: HashMap<i64, &YearlyRow> = rows.iter().map(|r| (r.employee_id, *r)).collect();

    let mut basic_short_by_dept: HashMap<i64, u64> = HashMap::new();
    let mut short: Vec<PersonLine> = Vec::new();
    let per_page = if query.per_page <= 0 {
        i64::MAX
    } else {
        query.per_page.min(PER_PAGE_MAX)
    };
    let page_no = query.page.max(1);
    let first = (page_no - 1).saturating_mul(per_page);
    let mut total = 0i64;
    for e in &eval.employees {
        let basic_short = is_basic_short(e.new_hire.as_ref());
        if basic_short {
            *basic_short_by_dept.entry(e.department_id).or_default() += 1;
        }
        if e.compliant && !basic_short {
            continue;
        }
        // Only the requested page is built: the list may hold 100,000 people.
        if total >= first && total - first < per_page {
            let Some(row) = index.get(&e.employee_id) else {
                continue;
            };
            short.push(PersonLine {
                employee_id: e.employee_id,
                employee_no: row.employee_no.clone(),
                name: row.name.clone(),
                department_id: e.department_id,
                department: row.department.clone(),
                status: row.status.clone(),
                hire_date: row.hire_date,
                credited_minutes: e.credited_minutes,
                required_minutes: rules.min_minutes_per_year(),
                shortfall_minutes: e.shortfall_minutes,
                hours_short: !e.compliant,
                new_hire: e.new_hire,
                basic_short,
            });
        }
        total += 1;
    }
    let mut departments: Vec<DepartmentLine> = eval
        .departments
        .iter()
        .map(|d| DepartmentLine {
            department_id: d.department_id,
            department: names
                .get(&d.department_id)
                .map(|n| (*n).to_string())
                .unwrap_or_default(),
            headcount: d.headcount,
            compliant: d.compliant,
            short: d.headcount - d.compliant,
            compliant_share_bp: d.compliant_share_bp,
            average_minutes: d.average_minutes,
            new_hires_short: basic_short_by_dept
                .get(&d.department_id)
                .copied()
                .unwrap_or(0),
        })
        .collect();
    departments.sort_by(|a, b| {
        (a.short + a.new_hires_short == 0)
            .cmp(&(b.short + b.new_hires_short == 0))
            .then(a.compliant_share_bp.cmp(&b.compliant_share_bp))
            .then(a.department.cmp(&b.department))
    });
    let today = app.today();
    Ok(CompliancePage {
        year,
        rules,
        rules_version,
        department_id,
        reminders_open: eval.remind_from <= today && today <= eval.year_end,
        remind_from: eval.remind_from,
        company: eval.company,
        departments,
        department_choices,
        people: Page {
            items: short,
            total,
            page: page_no,
            per_page: if per_page == i64::MAX {
                total.max(1)
            } else {
                per_page
            },
        },
    })
}

/// Sends the reminders of `year` that are due today and not yet sent; the number of
/// employees reminded. `Ok(None)` outside the reminder window.
async fn remind(app: &App, author: &Author, year: i32) -> AppResult<Option<usize>> {
    let today = app.today();
    let (rules, rows) = {
        let mut r = app.db.read().await?;
        let c = &mut r.conn();
        let (_, rules) = rules_in(c).await?;
        (rules, store::yearly_totals(c, year).await?)
    };
    let refs: Vec<&YearlyRow> = rows.iter().collect();
    let eval = evaluate_rows(&rules, year, &refs, &[])?;
    if today < eval.remind_from || today > eval.year_end {
        return Ok(None);
    }
    let due = rules_domain::reminders(&eval, today);
    if due.is_empty() {
        return Ok(Some(0));
    }
    let index: HashMap<i64, &YearlyRow> = rows.iter().map(|r| (r.employee_id, r)).collect();
    let link = format!("/my-training/hours?year={year}");
    let boss_kind = format!("{REMINDER}-supervisor");
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let done: BTreeSet<i64> = more::users_messaged(c, REMINDER, &link)
        .await?
        .into_iter()
        .collect();
    let required = format!("{:.1}", f64::from(rules.min_minutes_per_year()) / 60.0);
    let mut sent = 0usize;
    for rem in &due {
        let (own, boss) = cert_store::users_to_notify(c, rem.employee_id).await?;
        let boss_link = format!("/compliance?year={year}&employee={}", rem.employee_id);
        let own_due = own.is_some_and(|u| !done.contains(&u));
        let boss_due = match boss {
            Some(_) => more::users_messaged(c, &boss_kind, &boss_link)
                .await?
                .is_empty(),
            None => false,
        };
        if !own_due && !boss_due {
            continue;
        }
        let row = index.get(&rem.employee_id);
        let params = serde_json::json!({
            "year": year,
            "name": row.map(|r| r.name.as_str()).unwrap_or_default(),
            "done": format!("{:.1}", rem.credited_minutes as f64 / 60.0),
            "needed": format!("{:.1}", rem.needed_minutes as f64 / 60.0),
            "required": required,
        })
        .to_string();
        if let (true, Some(u)) = (own_due, own) {
            cert_store::insert_message(c, u, REMINDER, &params, &link, app.now()).await?;
        }
        if let (true, Some(u)) = (boss_due, boss) {
            cert_store::insert_message(c, u, &boss_kind, &params, &boss_link, app.now()).await?;
        }
        sent += 1;
    }
    if sent > 0 {
        audit::record(
            app,
            c,
            author,
            "compliance.remind",
            "compliance",
            year,
            None::<&()>,
            Some(&serde_json::json!({"year": year, "employees": sent, "on": today})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(sent))
}

/// "Send reminders" on the compliance page: refused outside the reminder window.
pub async fn send_reminders(app: &App, actor: &Actor, year: Option<i32>) -> AppResult<usize> {
    actor.require(Permission::TrainingManage)?;
    let year = year_of(app, year)?;
    remind(app, &Author::from(actor), year)
        .await?
        .ok_or_else(|| {
            AppError::Rejected(vec![Problem::new("year", "compliance-reminders-closed")])
        })
}

/// Hourly housekeeping: this year's reminders once they are due; 0 outside the window.
pub async fn remind_due(app: &App) -> AppResult<usize> {
    let year = app.today().year();
    Ok(remind(app, &Author::system("housekeeping"), year)
        .await?
        .unwrap_or(0))
}

//! Demo training data: needs. Two surveys of the call centre, made through the real services
//! with the clock set back: last spring's, closed, answered by most invitees and partly
//! rated by the demo supervisor (so the needs report and the draft plan have something to
//! show), and this month's, open, which the demo `employee` has not answered yet.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::demo::DemoOrg;
use skillcert_domain::training::survey::{RawAnswer, RawSupervisorRating};
use skillcert_store::{org, users};

use crate::training::surveys::{self, SurveyInput};
use crate::{Actor, App, AppError, AppResult, FixedClock};

/// The skills the demo surveys ask, with a typical self-rating (tenths) that makes some of
/// them clear needs.
const SKILLS: &[(&str, u32)] = &[
    ("listening", 38),
    ("empathy", 36),
    ("verbal-expression", 37),
    ("emotion-management", 29),
    ("complaint-process", 26),
    ("service-norms", 40),
    ("product-knowledge", 33),
    ("crm-operation", 31),
    ("fast-response", 35),
    ("polite-phrases", 42),
];

/// What people typed as wanted content, in their words.
const WANTS: &[&str] = &[
    "投诉处理技巧、情绪管理",
    "CRM 系统操作",
    "产品知识更新；新业务介绍",
    "倾听技巧，沟通话术",
    "应对愤怒客户",
    "投诉处理技巧",
    "情绪管理、压力疏导",
    "",
];

/// 10:00 in Beijing on `day`.
fn on(app: &App, day: NaiveDate) -> App {
    let at = Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default());
    let mut a = app.clone();
    a.clock = Arc::new(FixedClock::new(at));
    a
}

fn actor_of(
    user: &users::User,
    role: Role,
    department_id: Option<i64>,
    tree: &[(i64, Option<i64>)],
) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        employee_id: user.employee_id,
        locale: None,
        session_id: 0,
        csrf_token: String::new(),
        grants: vec![Grant {
            role,
            department_id,
        }],
        tree: tree.to_vec(),
    }
}

async fn user(app: &App, username: &str) -> AppResult<users::User> {
    let mut r = app.db.read().await?;
    users::find_user_by_username(&mut r.conn(), username)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo user {username}")))
}

/// A self-rating 1–5 around the skill's typical value, varying by person.
fn rating(person: usize, skill: usize, typical: u32) -> String {
    let wobble = (person * 7 + skill * 13 + person / 3) % 11;
    let tenths = i64::from(typical) + i64::try_from(wobble).unwrap_or(0) * 3 - 15;
    ((tenths + 5) / 10).clamp(1, 5).to_string()
}

fn answer(person: usize) -> RawAnswer {
    RawAnswer {
        ratings: SKILLS
            .iter()
            .enumerate()
            .map(|(j, (s, typical))| ((*s).to_string(), rating(person, j, *typical)))
            .collect(),
        desired_content: WANTS[person % WANTS.len()].to_string(),
        format: ["offline", "online", "offline", "either"][person % 4].to_string(),
    }
}

fn input(
    code: &str,
    title: &str,
    opens: NaiveDate,
    closes: NaiveDate,
    departments: Vec<i64>,
) -> SurveyInput {
    SurveyInput {
        code: code.into(),
        title: title.into(),
        opens_on: opens.to_string(),
        closes_on: closes.to_string(),
        skills: SKILLS.iter().map(|(s, _)| (*s).to_string()).collect(),
        targets: BTreeMap::from([
            ("complaint-process".to_string(), "4.5".to_string()),
            ("emotion-management".to_string(), "4.2".to_string()),
        ]),
        departments,
        positions: Vec::new(),
    }
}

/// Loads this area's demo records through the services.
pub(crate) async fn load(app: &App, _demo: &DemoOrg) -> AppResult<()> {
    let today = app.today();
    let (tree, departments) = {
        let mut r = app.db.read().await?;
        let ds = org::list_departments(&mut r.conn()).await?;
        let tree: Vec<(i64, Option<i64>)> = ds.iter().map(|d| (d.id, d.parent_id)).collect();
        let by_code: BTreeMap<String, i64> = ds.iter().map(|d| (d.code.clone(), d.id)).collect();
        (tree, by_code)
    };
    let dept = |code: &str| {
        departments
            .get(code)
            .copied()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo department {code}")))
    };
    let manager_user = user(app, "manager").await?;
    let supervisor_user = user(app, "supervisor").await?;
    let employee_user = user(app, "employee").await?;
    let manager = actor_of(&manager_user, Role::TrainingManager, None, &tree);
    let supervisor = actor_of(
        &supervisor_user,
        Role::Supervisor,
        Some(dept("CSC-01")?),
        &tree,
    );

    // Last spring's survey of the whole call centre, answered by most, closed.
    let opens = today - Duration::days(75);
    let closes = today - Duration::days(61);
    let a = on(app, opens);
    let past = surveys::create(
        &a,
        &manager,
        &input(
            &format!("NS-{}-H1", opens.format("%Y")),
            "上半年客服培训需求调查",
            opens,
            closes,
            vec![dept("CSC")?],
        ),
    )
    .await?;
    surveys::open(&a, &manager, past.id).await?;
    let invitees = {
        let mut r = a.db.read().await?;
        let c = &mut r.conn();
        let mut people = Vec::new();
        for id in skillcert_store::training::audience_employees(c, &[dept("CSC")?], &[]).await? {
            people.push(org::get_employee(c, id).await?);
        }
        people
    };
    let mut rated = 0;
    for (i, e) in invitees.iter().enumerate() {
        // About one in seven does not answer.
        if i % 7 == 3 {
            continue;
        }
        let day = opens + Duration::days(i64::try_from(i % 10).unwrap_or(0));
        let a = on(app, day);
        let mut person = actor_of(&manager_user, Role::Employee, Some(e.department_id), &tree);
        person.username = format!("demo:{}", e.employee_no);
        person.employee_id = Some(e.id);
        surveys::answer(&a, &person, past.id, &answer(i)).await?;
        if e.department_id == dept("CSC-01")? && supervisor.employee_id != Some(e.id) && rated < 12
        {
            let ratings = SKILLS
                .iter()
                .enumerate()
                .filter(|(j, _)| (i + j) % 3 != 0)
                .map(|(j, (s, typical))| ((*s).to_string(), rating(i + 5, j, typical - 3)))
                .collect();
            surveys::rate(
                &a,
                &supervisor,
                past.id,
                e.id,
                &RawSupervisorRating { ratings },
            )
            .await?;
            rated += 1;
        }
    }
    surveys::close(&on(app, closes + Duration::days(1)), &manager, past.id).await?;

    // This month's survey of two call-centre departments: open, the demo employee has not
    // answered yet, some colleagues have.
    let opens = today - Duration::days(3);
    let a = on(app, opens);
    let current = surveys::create(
        &a,
        &manager,
        &input(
            &format!("NS-{}-H2", opens.format("%Y")),
            "下半年客服培训需求调查",
            opens,
            today + Duration::days(14),
            vec![dept("CSC-01")?, dept("CSC-02")?],
        ),
    )
    .await?;
    surveys::open(&a, &manager, current.id).await?;
    let people = {
        let mut r = a.db.read().await?;
        skillcert_store::training::audience_employees(
            &mut r.conn(),
            &[dept("CSC-01")?, dept("CSC-02")?],
            &[],
        )
        .await?
    };
    let a = on(app, today - Duration::days(1));
    for (i, id) in people.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        if Some(*id) == employee_user.employee_id {
            continue;
        }
        let mut person = actor_of(&manager_user, Role::Employee, None, &tree);
        person.username = "demo".into();
        person.employee_id = Some(*id);
        surveys::answer(&a, &person, current.id, &answer(i + 1)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_stay_on_the_scale() {
        for p in 0..200 {
            for (j, (_, typical)) in SKILLS.iter().enumerate() {
                let r: u8 = rating(p, j, *typical).parse().unwrap();
                assert!((1..=5).contains(&r));
            }
        }
    }
}

//! Demo training data: this year's plan `PLAN-2026` and its sessions, made through the
//! services with the clock set to when each step happened: `TRS-2026-01` (basic, three
//! weeks ago, lectured by the demo `lecturer`, the demo `employee` and colleagues of the
//! call centre marked present, late, excused or absent), `TRS-2026-02` (advanced, ten days
//! ago, an external lecturer), `TRS-2026-TODAY` (from an hour before the demo was loaded to
//! three hours after, the demo `employee` enrolled and not yet marked, so the check-in can
//! be tried) and `TRS-2026-NEXT` (in two weeks, with places left). Other areas' demos look
//! these codes up.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::demo::DemoOrg;
use skillcert_domain::org::EmployeeStatus;
use skillcert_store::users;

use crate::training::attendance;
use crate::training::plans::{self, PlanInput, StageInput};
use crate::training::sessions::{self, EnrolInput, SessionInput};
use crate::{Actor, App, AppError, AppResult, FixedClock};

/// The app as it was at `at`.
fn on(app: &App, at: DateTime<Utc>) -> App {
    let mut a = app.clone();
    a.clock = Arc::new(FixedClock::new(at));
    a
}

/// `hour`:00 in Beijing on `day`.
fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default()) - sessions::CST
}

async fn actor(app: &App, username: &str, role: Role) -> AppResult<Actor> {
    let mut r = app.db.read().await?;
    let u = users::find_user_by_username(&mut r.conn(), username)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo user {username}")))?;
    Ok(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        employee_id: u.employee_id,
        locale: None,
        session_id: 0,
        csrf_token: String::new(),
        grants: vec![Grant {
            role,
            department_id: None,
        }],
        tree: Vec::new(),
    })
}

fn account_no<'a>(demo: &'a DemoOrg, username: &str) -> AppResult<&'a str> {
    demo.accounts
        .iter()
        .find(|a| a.username == username)
        .and_then(|a| a.employee_no.as_deref())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo account {username}")))
}

/// Staff of a department who have not left, other than the demo accounts' own employees.
fn colleagues<'a>(demo: &'a DemoOrg, department: &str) -> Vec<&'a str> {
    let accounts: Vec<&str> = demo
        .accounts
        .iter()
        .filter_map(|a| a.employee_no.as_deref())
        .collect();
    demo.employees
        .iter()
        .filter(|e| {
            e.department_code == department
                && e.status != EmployeeStatus::Left
                && !accounts.contains(&e.employee_no.as_str())
        })
        .map(|e| e.employee_no.as_str())
        .collect()
}

struct Topic<'a> {
    code: &'a str,
    topic: &'a str,
    level: &'a str,
    skills: &'a str,
    goal: &'a str,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
    place: &'a str,
    online_link: &'a str,
    lecturer: &'a str,
    external: &'a str,
    capacity: &'a str,
    mandatory: bool,
}

fn input(plan_id: i64, t: &Topic<'_>) -> SessionInput {
    let mut i = SessionInput::defaults(Some(plan_id));
    i.code = t.code.into();
    i.topic = t.topic.into();
    i.level = t.level.into();
    i.skills = t.skills.into();
    i.goal = t.goal.into();
    i.starts_at = sessions::local_input(t.starts);
    i.ends_at = sessions::local_input(t.ends);
    i.place = t.place.into();
    i.online_link = t.online_link.into();
    i.lecturer = t.lecturer.into();
    i.lecturer_external = t.external.into();
    i.target_group = "呼叫中心一线客服专员".into();
    i.outline = "1. 场景导入\n2. 话术拆解与示范\n3. 分组角色扮演\n4. 点评与总结".into();
    i.materials = "讲义《客户服务规范》、案例集（每人一份）".into();
    i.assessment_method = "课后作业 + 现场角色扮演评分".into();
    i.capacity = t.capacity.into();
    i.mandatory = t.mandatory;
    i
}

pub(crate) async fn load(app: &App, demo: &DemoOrg) -> AppResult<()> {
    let now = app.now();
    let today = app.today();
    let year = today.year();
    let manager = actor(app, "manager", Role::TrainingManager).await?;
    let lecturer = actor(app, "lecturer", Role::Lecturer).await?;
    let employee = account_no(demo, "employee")?;
    let mentor = account_no(demo, "mentor")?;
    let csc01 = colleagues(demo, "CSC-01");
    let csc02 = colleagues(demo, "CSC-02");

    // The plan, drafted at the start of the year and published.
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d).unwrap_or(today);
    let stage = |name: &str, a: NaiveDate, b: NaiveDate| StageInput {
        name: name.into(),
        starts_on: a.to_string(),
        ends_on: b.to_string(),
    };
    let planned_on = at(day(1, 5), 10).min(now - Duration::days(30));
    let a = on(app, planned_on);
    let plan = plans::create(
        &a,
        &manager,
        &PlanInput {
            code: "PLAN-2026".into(),
            year: year.to_string(),
            title: format!("{year} 年度客服培训计划"),
            stages: vec![
                stage("第一阶段：新员工入职与基础规范", day(1, 1), day(3, 31)),
                stage("第二阶段：专业技能提升", day(4, 1), day(6, 30)),
                stage("第三阶段：投诉处理与情绪管理进阶", day(7, 1), day(9, 30)),
                stage("第四阶段：认证备考与复盘", day(10, 1), day(12, 31)),
            ],
            source_survey_id: None,
        },
    )
    .await?;
    plans::set_status(&a, &manager, plan.id, "published").await?;

    let lecturer_name = "lecturer";
    // 01: basic, three weeks ago, lectured by the demo lecturer.
    let d1 = today - Duration::days(21);
    let t1 = Topic {
        code: "TRS-2026-01",
        topic: "客服礼仪与标准话术（基础）",
        level: "basic",
        skills: "",
        goal: "新员工培训后满意度 ≥ 4.5 / 5",
        starts: at(d1, 9),
        ends: at(d1, 12),
        place: "总部培训中心 301 室",
        online_link: "",
        lecturer: lecturer_name,
        external: "",
        capacity: "30",
        mandatory: true,
    };
    // 02: advanced, ten days ago, an external lecturer.
    let d2 = today - Duration::days(10);
    let t2 = Topic {
        code: "TRS-2026-02",
        topic: "投诉处理与情绪安抚（进阶）",
        level: "advanced",
        skills: "",
        goal: "投诉一次解决率提升 10%",
        starts: at(d2, 14),
        ends: at(d2, 17),
        place: "",
        online_link: "https://meeting.example.com/trs-2026-02",
        lecturer: "",
        external: "外部讲师 李华",
        capacity: "20",
        mandatory: false,
    };
    // Today: from an hour before the demo was loaded to three hours after.
    let t3 = Topic {
        code: "TRS-2026-TODAY",
        topic: "来电倾听与需求确认",
        level: "basic",
        skills: "",
        goal: "通话需求确认准确率 ≥ 95%",
        starts: now - Duration::hours(1),
        ends: now + Duration::hours(3),
        place: "总部培训中心 302 室",
        online_link: "",
        lecturer: lecturer_name,
        external: "",
        capacity: "25",
        mandatory: true,
    };
    // Next: in two weeks, with places left.
    let d4 = today + Duration::days(14);
    let t4 = Topic {
        code: "TRS-2026-NEXT",
        topic: "服务补救与客户挽留",
        level: "advanced",
        skills: "",
        goal: "客户挽留成功率提升 5%",
        starts: at(d4, 9),
        ends: at(d4, 12),
        place: "总部培训中心 301 室",
        online_link: "",
        lecturer: lecturer_name,
        external: "",
        capacity: "20",
        mandatory: false,
    };

    let nos = |list: &[&str]| list.join(", ");
    // Each session is set up a week before it starts (or, for today's, the day before).
    let setup = |t: &Topic<'_>| {
        if t.starts > now {
            now - Duration::days(1)
        } else {
            (t.starts - Duration::days(7)).min(now - Duration::days(1))
        }
    };

    // 01 with its sign-in sheet.
    let a = on(app, setup(&t1));
    let s1 = sessions::create(&a, &manager, &input(plan.id, &t1)).await?;
    let mut group1 = vec![employee, mentor];
    group1.extend(csc01.iter().take(8));
    sessions::enrol(
        &a,
        &manager,
        s1.id,
        &EnrolInput {
            employee_nos: nos(&group1),
            ..EnrolInput::default()
        },
    )
    .await?;
    let a = on(app, t1.starts + Duration::minutes(30));
    let marks = [
        "present", "present", "late", "present", "absent", "excused", "present", "late", "present",
        "absent",
    ];
    let mut bulk = attendance::BulkInput::default();
    for (no, m) in group1.iter().zip(marks) {
        let id = {
            let mut r = a.db.read().await?;
            skillcert_store::org::find_employee_by_no(&mut r.conn(), no)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo employee {no}")))?
                .id
        };
        bulk.marks.insert(id, m.to_string());
    }
    attendance::mark_bulk(&a, &lecturer, s1.id, &bulk).await?;

    // 02, marked by the training manager (the lecturer is external).
    let a = on(app, setup(&t2));
    let s2 = sessions::create(&a, &manager, &input(plan.id, &t2)).await?;
    let mut group2 = vec![mentor];
    group2.extend(csc02.iter().take(4));
    sessions::enrol(
        &a,
        &manager,
        s2.id,
        &EnrolInput {
            employee_nos: nos(&group2),
            ..EnrolInput::default()
        },
    )
    .await?;
    let a = on(app, t2.starts + Duration::minutes(20));
    let mut bulk = attendance::BulkInput {
        rest: "present".into(),
        ..attendance::BulkInput::default()
    };
    if let Some(no) = group2.last() {
        let mut r = a.db.read().await?;
        if let Some(e) = skillcert_store::org::find_employee_by_no(&mut r.conn(), no).await? {
            bulk.marks.insert(e.id, "absent".into());
        }
    }
    attendance::mark_bulk(&a, &manager, s2.id, &bulk).await?;

    // Today's, nobody marked yet.
    let a = on(app, setup(&t3));
    let s3 = sessions::create(&a, &manager, &input(plan.id, &t3)).await?;
    let mut group3 = vec![employee];
    group3.extend(csc01.iter().take(6));
    sessions::enrol(
        &a,
        &manager,
        s3.id,
        &EnrolInput {
            employee_nos: nos(&group3),
            ..EnrolInput::default()
        },
    )
    .await?;

    // The next one, with places left.
    let a = on(app, setup(&t4));
    let s4 = sessions::create(&a, &manager, &input(plan.id, &t4)).await?;
    let mut group4 = vec![employee];
    group4.extend(csc01.iter().skip(2).take(4));
    sessions::enrol(
        &a,
        &manager,
        s4.id,
        &EnrolInput {
            employee_nos: nos(&group4),
            ..EnrolInput::default()
        },
    )
    .await?;
    Ok(())
}

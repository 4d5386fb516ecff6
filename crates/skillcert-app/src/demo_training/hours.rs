//! Demo training data: hours. The demo `employee` recorded three external trainings with
//! proof (one approved by the training manager and credited, one pending in the queue, one
//! rejected), and the compliance rules are saved as version 1 (the S2 defaults). Most of the
//! staff have attended no session this year, so the compliance page shows people and
//! departments short of hours.

use chrono::Duration;
use skillcert_domain::access::{Grant, Role};
use skillcert_domain::demo::DemoOrg;
use skillcert_domain::training::compliance::S2_DEFAULT_TOML;
use skillcert_store::users;

use crate::training::hours::{ExternalInput, Proof};
use crate::training::{compliance, hours};
use crate::{Actor, App, AppError, AppResult};

/// A one-page PDF, enough to pass the content check and to open.
const PROOF_PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n\
trailer << /Root 1 0 R >>\n%%EOF\n";

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

/// Loads this area's demo records through the services.
pub(crate) async fn load(app: &App, _demo: &DemoOrg) -> AppResult<()> {
    let manager = actor(app, "manager", Role::TrainingManager).await?;
    let employee = actor(app, "employee", Role::Employee).await?;
    compliance::save_rules(app, &manager, S2_DEFAULT_TOML).await?;
    let today = app.today();
    let trainings = [
        (
            "客户投诉处理与情绪管理公开课",
            "市消费者协会",
            30,
            "4",
            "advanced",
            Some(true),
        ),
        (
            "普通话水平测试培训",
            "市语言文字培训中心",
            12,
            "6",
            "basic",
            None,
        ),
        (
            "办公软件操作入门",
            "线上学习平台",
            20,
            "2",
            "other",
            Some(false),
        ),
    ];
    for (title, provider, days_ago, hours_typed, level, decision) in trainings {
        let id = hours::record_external(
            app,
            &employee,
            &ExternalInput {
                title: title.into(),
                provider: provider.into(),
                held_on: (today - Duration::days(days_ago)).to_string(),
                hours: hours_typed.into(),
                level: level.into(),
            },
            Some(&Proof {
                filename: "结业证明.pdf".into(),
                bytes: PROOF_PDF.to_vec(),
            }),
        )
        .await?;
        if let Some(approve) = decision {
            let note = if approve {
                "证明材料齐全，计入学时"
            } else {
                "与岗位无关，不计入学时"
            };
            hours::decide_external(app, &manager, id, approve, note).await?;
        }
    }
    Ok(())
}

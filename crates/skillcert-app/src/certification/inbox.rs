//! The in-app inbox: messages are stored as a translation key and its arguments, so each
//! reader sees them in their own language.

use serde::Serialize;
use skillcert_store::certification::{self as store, MessageRow};
use skillcert_store::{Conn, Page};

use crate::{Actor, App, AppResult};

/// Every message kind; each is a locale key taking the params named in its text.
pub const KINDS: &[&str] = &[
    "inbox-result-published",
    "inbox-certificate-issued",
    "inbox-reevaluation-due",
    "inbox-reevaluation-due-supervisor",
    "inbox-appeal-decided",
    "inbox-application-decided",
];

/// Sends a message to the employee's account and, when `supervisor` is set, to their
/// supervisor's (with the `-supervisor` variant of the kind). Employees without an
/// account get nothing: there is no one to read it.
pub(crate) async fn notify_employee(
    app: &App,
    c: &mut Conn<'_>,
    employee_id: i64,
    kind: &str,
    params: &serde_json::Value,
    link: &str,
    supervisor: bool,
) -> AppResult<()> {
    let (own, boss) = store::users_to_notify(c, employee_id).await?;
    let text = params.to_string();
    if let Some(user) = own {
        store::insert_message(c, user, kind, &text, link, app.now()).await?;
    }
    if supervisor && let Some(user) = boss {
        let kind = format!("{kind}-supervisor");
        store::insert_message(c, user, &kind, &text, link, app.now()).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct Message {
    #[serde(flatten)]
    pub row: MessageRow,
    pub params_map: serde_json::Map<String, serde_json::Value>,
}

pub async fn list(app: &App, actor: &Actor, page: i64) -> AppResult<Page<Message>> {
    let mut r = app.db.read().await?;
    let p = store::messages(&mut r.conn(), actor.user_id, page, 50).await?;
    Ok(Page {
        items: p
            .items
            .into_iter()
            .map(|row| Message {
                params_map: serde_json::from_str(&row.params).unwrap_or_default(),
                row,
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    })
}

pub async fn unread(app: &App, actor: &Actor) -> AppResult<i64> {
    let mut r = app.db.read().await?;
    Ok(store::unread_count(&mut r.conn(), actor.user_id).await?)
}

/// Marks one message, or all with `None`, as read. Reading is not audited: it changes
/// nothing anyone else relies on.
pub async fn mark_read(app: &App, actor: &Actor, id: Option<i64>) -> AppResult<u64> {
    let mut tx = app.db.begin().await?;
    let n = store::mark_read(&mut tx.conn(), actor.user_id, id, app.now()).await?;
    tx.commit().await?;
    Ok(n)
}

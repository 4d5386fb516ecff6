//! Recording changes and checking the chain.

use serde::Serialize;
use skillcert_domain::access::Permission;
use skillcert_domain::audit::{ChainBreak, GENESIS, verify};
use skillcert_store::audit::{self as store, AuditQuery, AuditRow, NewAudit};
use skillcert_store::{Conn, Page};

use crate::{Actor, App, AppResult};

/// Who made a change: a signed-in user or the system itself (CLI, demo loader).
#[derive(Debug, Clone)]
pub struct Author {
    pub user_id: Option<i64>,
    pub label: String,
}

impl Author {
    pub fn system(label: &str) -> Self {
        Author {
            user_id: None,
            label: format!("system:{label}"),
        }
    }
}

impl From<&Actor> for Author {
    fn from(a: &Actor) -> Self {
        Author {
            user_id: Some(a.user_id),
            label: a.label(),
        }
    }
}

fn json<T: Serialize>(v: Option<&T>) -> String {
    match v {
        Some(v) => serde_json::to_string(v).unwrap_or_else(|_| "null".into()),
        None => "null".into(),
    }
}

/// One change as the audit log records it.
pub fn entry<B: Serialize, A: Serialize>(
    app: &App,
    author: &Author,
    action: &str,
    entity: &str,
    entity_id: Option<String>,
    before: Option<&B>,
    after: Option<&A>,
) -> NewAudit {
    NewAudit {
        at: app.now(),
        actor_user_id: author.user_id,
        actor: author.label.clone(),
        action: action.to_string(),
        entity: entity.to_string(),
        entity_id,
        before: json(before),
        after: json(after),
    }
}

/// Appends one record in the caller's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn record<B: Serialize, A: Serialize>(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<&B>,
    after: Option<&A>,
) -> AppResult<()> {
    let e = entry(
        app,
        author,
        action,
        entity,
        Some(entity_id.to_string()),
        before,
        after,
    );
    store::append(c, vec![e]).await?;
    Ok(())
}

/// Records the creation of `entity` number `id` (action `<entity>.create`).
pub async fn created<A: Serialize>(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    entity: &str,
    id: impl ToString,
    after: &A,
) -> AppResult<()> {
    let action = format!("{entity}.create");
    record(
        app,
        c,
        author,
        &action,
        entity,
        id,
        None::<&()>,
        Some(after),
    )
    .await
}

/// Records a change of `entity` number `id` (action `<entity>.update`).
pub async fn updated<T: Serialize>(
    app: &App,
    c: &mut Conn<'_>,
    author: &Author,
    entity: &str,
    id: impl ToString,
    before: &T,
    after: &T,
) -> AppResult<()> {
    let action = format!("{entity}.update");
    record(
        app,
        c,
        author,
        &action,
        entity,
        id,
        Some(before),
        Some(after),
    )
    .await
}

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub records: i64,
    pub ok: bool,
    /// The first broken record, if any.
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// Walks the chain from the first record in batches. Used by `skillcert audit verify` and the
/// audit page.
pub async fn verify_chain(app: &App) -> AppResult<Verification> {
    let mut r = app.db.read().await?;
    let mut c = r.conn();
    let mut prev = GENESIS.to_string();
    let mut after = 0;
    let mut n = 0;
    loop {
        let batch = store::read_chain(&mut c, after, 5000).await?;
        if batch.is_empty() {
            break;
        }
        // Each batch continues from the previous batch's last hash, so a record deleted,
        // inserted or reordered anywhere (the first one included) breaks a link.
        let records: Vec<_> = batch.iter().map(AuditRow::chained).collect();
        match verify(after, &prev, &records) {
            Ok(last) => prev = last,
            Err(e) => return Ok(broken(n, e)),
        }
        n += batch.len() as i64;
        after = batch.last().map(|r| r.seq).unwrap_or(after);
    }
    Ok(Verification {
        records: n,
        ok: true,
        first_bad_seq: None,
        problem: None,
    })
}

fn broken(n: i64, e: ChainBreak) -> Verification {
    let seq = match e {
        ChainBreak::Edited { seq } | ChainBreak::Unlinked { seq } => seq,
    };
    Verification {
        records: n,
        ok: false,
        first_bad_seq: Some(seq),
        problem: Some(e.to_string()),
    }
}

/// The audit log page (admins only).
pub async fn list(app: &App, actor: &Actor, q: &AuditQuery) -> AppResult<Page<AuditRow>> {
    actor.require(Permission::AuditRead)?;
    let mut r = app.db.read().await?;
    Ok(store::list(&mut r.conn(), q).await?)
}

pub async fn verify_as(app: &App, actor: &Actor) -> AppResult<Verification> {
    actor.require(Permission::AuditRead)?;
    verify_chain(app).await
}

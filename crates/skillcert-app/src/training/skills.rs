//! The competency model as data: skills grouped basic / professional / etiquette, with
//! zh-CN and en names, editable (issue 7 item 1).
//!
//! Questions, rubric items, surveys and plans refer to skills by code, so a code is fixed
//! once created: skills are added and renamed, never re-coded or deleted.

use serde::{Deserialize, Serialize};
use skillcert_domain::access::Permission;
use skillcert_domain::exam::skills::SkillGroup;
use skillcert_domain::text::{TextError, clean};
use skillcert_store::training_more::needs::{self as store, SkillRow};

use crate::audit::{self, Author};
use crate::{Actor, App, AppError, AppResult, Problem};

/// Refusal codes of this area; each has a locale key `problem-<code>`.
pub const ERROR_CODES: &[&str] = &[
    "skill-code-format",
    "skill-code-taken",
    "skill-group-unknown",
    "skill-name-zh-missing",
    "skill-name-en-missing",
    "skill-name-too-long",
    "skill-name-bad-characters",
    "skill-position-invalid",
];

/// Inbox message kinds of this area; each is a locale key taking the params named in its text.
pub const INBOX_KINDS: &[&str] = &[];

/// Longest skill code: codes appear in URLs, JSON keys and form field names.
pub const CODE_MAX: usize = 40;
/// Longest skill name, in characters.
pub const NAME_MAX: usize = 60;
/// Highest list position.
pub const POSITION_MAX: i32 = 9999;

/// The skill form or API body, every field as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SkillInput {
    /// Only read when creating; the code of an existing skill never changes.
    pub code: String,
    /// `basic`, `professional` or `etiquette`.
    pub group: String,
    pub name_zh: String,
    pub name_en: String,
    /// The place in lists (0–9999); blank puts the skill last.
    pub position: String,
}

impl SkillInput {
    pub fn of(row: &SkillRow) -> SkillInput {
        SkillInput {
            code: row.code.clone(),
            group: row.grp.clone(),
            name_zh: row.name_zh.clone(),
            name_en: row.name_en.clone(),
            position: row.position.to_string(),
        }
    }
}

/// Whether `raw` is a skill code: a lower-case ASCII letter, then lower-case letters,
/// digits, `-` or `_`, 2 to [`CODE_MAX`] characters. Lower case only, so that `Listening`
/// and `listening` cannot both exist.
pub fn valid_code(raw: &str) -> bool {
    let mut chars = raw.chars();
    raw.len() >= 2
        && raw.len() <= CODE_MAX
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn name(
    raw: &str,
    field: &'static str,
    missing: &'static str,
    problems: &mut Vec<Problem>,
) -> String {
    match clean(raw, NAME_MAX) {
        Ok(s) => s,
        Err(TextError::Empty) => {
            problems.push(Problem::new(field, missing));
            String::new()
        }
        Err(TextError::TooLong { .. }) => {
            problems.push(Problem::new(field, "skill-name-too-long"));
            String::new()
        }
        Err(_) => {
            problems.push(Problem::new(field, "skill-name-bad-characters"));
            String::new()
        }
    }
}

/// Checks everything but the code; `next_position` is used for a blank position.
fn read(input: &SkillInput, code: String, next_position: i32) -> Result<SkillRow, AppError> {
    let mut problems = Vec::new();
    let group = SkillGroup::parse(&input.group);
    if group.is_none() {
        problems.push(Problem::new("group", "skill-group-unknown"));
    }
    let name_zh = name(
        &input.name_zh,
        "name_zh",
        "skill-name-zh-missing",
        &mut problems,
    );
    let name_en = name(
        &input.name_en,
        "name_en",
        "skill-name-en-missing",
        &mut problems,
    );
    let position = match input.position.trim() {
        "" => Some(next_position.min(POSITION_MAX)),
        p => p
            .parse::<i32>()
            .ok()
            .filter(|p| (0..=POSITION_MAX).contains(p)),
    };
    if position.is_none() {
        problems.push(Problem::new("position", "skill-position-invalid"));
    }
    match (group, position) {
        (Some(g), Some(position)) if problems.is_empty() => Ok(SkillRow {
            code,
            grp: g.key().to_string(),
            name_zh,
            name_en,
            position,
        }),
        _ => Err(AppError::Rejected(problems)),
    }
}

/// Every skill in list order; anyone signed in may read the model (surveys ask about it).
pub async fn list(app: &App, _actor: &Actor) -> AppResult<Vec<SkillRow>> {
    let mut r = app.db.read().await?;
    Ok(store::skill_rows(&mut r.conn()).await?)
}

pub async fn get(app: &App, _actor: &Actor, code: &str) -> AppResult<SkillRow> {
    let mut r = app.db.read().await?;
    store::skill_by_code(&mut r.conn(), code)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds a skill to the model. Audited.
pub async fn create(app: &App, actor: &Actor, input: &SkillInput) -> AppResult<SkillRow> {
    actor.require(Permission::TrainingManage)?;
    let code = input.code.trim().to_string();
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let rows = store::skill_rows(c).await?;
    let next = rows.iter().map(|r| r.position).max().unwrap_or(0) + 1;
    let mut problems = Vec::new();
    if !valid_code(&code) {
        problems.push(Problem::new("code", "skill-code-format"));
    } else if rows.iter().any(|r| r.code == code) {
        problems.push(Problem::new("code", "skill-code-taken"));
    }
    let row = match read(input, code, next) {
        Ok(row) if problems.is_empty() => row,
        Ok(_) => return Err(AppError::Rejected(problems)),
        Err(AppError::Rejected(more)) => {
            problems.extend(more);
            return Err(AppError::Rejected(problems));
        }
        Err(e) => return Err(e),
    };
    store::insert_skill(c, &row).await.map_err(|e| match e {
        skillcert_store::StoreError::Conflict { .. } => {
            AppError::Rejected(vec![Problem::new("code", "skill-code-taken")])
        }
        other => other.into(),
    })?;
    audit::created(app, c, &Author::from(actor), "skill", &row.code, &row).await?;
    tx.commit().await?;
    Ok(row)
}

/// Renames, regroups or moves a skill; its code stays. Audited with before and after.
pub async fn update(
    app: &App,
    actor: &Actor,
    code: &str,
    input: &SkillInput,
) -> AppResult<SkillRow> {
    actor.require(Permission::TrainingManage)?;
    let mut tx = app.db.begin().await?;
    let c = &mut tx.conn();
    let before = store::skill_by_code(c, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = read(input, before.code.clone(), before.position)?;
    if !store::update_skill(c, &row).await? {
        return Err(AppError::NotFound);
    }
    audit::updated(
        app,
        c,
        &Author::from(actor),
        "skill",
        &row.code,
        &before,
        &row,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_lower_case_words() {
        for ok in ["listening", "crm-operation", "a1", "complaint_handling"] {
            assert!(valid_code(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "Listening",
            "1abc",
            "-x",
            "倾听",
            "a b",
            &"x".repeat(41),
        ] {
            assert!(!valid_code(bad), "{bad}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let input = SkillInput {
            code: String::new(),
            group: "other".into(),
            name_zh: " ".into(),
            name_en: "x".repeat(61),
            position: "-1".into(),
        };
        let Err(AppError::Rejected(p)) = read(&input, "x".into(), 1) else {
            panic!("refused")
        };
        let codes: Vec<_> = p.iter().map(|p| (p.field.as_str(), p.code)).collect();
        assert_eq!(
            codes,
            [
                ("group", "skill-group-unknown"),
                ("name_zh", "skill-name-zh-missing"),
                ("name_en", "skill-name-too-long"),
                ("position", "skill-position-invalid"),
            ]
        );
        let ok = SkillInput {
            group: "etiquette".into(),
            name_zh: "礼貌用语".into(),
            name_en: "Polite phrases".into(),
            ..SkillInput::default()
        };
        assert_eq!(read(&ok, "polite".into(), 24).unwrap().position, 24);
    }
}

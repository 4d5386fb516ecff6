//! The competency model of seed-rules §2: skills grouped as basic, professional and
//! etiquette. The skills themselves are data (seeded by the migration); questions, rubric
//! items and plans tag themselves with skill codes.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkillGroup {
    Basic,
    Professional,
    Etiquette,
}

impl SkillGroup {
    pub const ALL: [SkillGroup; 3] = [
        SkillGroup::Basic,
        SkillGroup::Professional,
        SkillGroup::Etiquette,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SkillGroup::Basic => "basic",
            SkillGroup::Professional => "professional",
            SkillGroup::Etiquette => "etiquette",
        }
    }

    pub fn parse(raw: &str) -> Option<SkillGroup> {
        Self::ALL.into_iter().find(|g| g.key() == raw.trim())
    }
}

/// One skill of the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub code: String,
    pub group: SkillGroup,
    pub name_zh: String,
    pub name_en: String,
}

impl Skill {
    pub fn name(&self, lang_zh: bool) -> &str {
        if lang_zh {
            &self.name_zh
        } else {
            &self.name_en
        }
    }
}

//! The schemes shipped with the product, one per variant in the seeds.
//!
//! They are TOML files embedded at build time, so the text a customer can export and edit
//! is exactly the text the tests check. Their component keys are a public contract: input
//! files and stored results refer to them.

use super::Scheme;

/// `(key, TOML source)` of every preset, in the order the product lists them.
pub const SOURCES: [(&str, &str); 4] = [
    (
        "s1-certification",
        include_str!("../../presets/s1-certification.toml"),
    ),
    (
        "s4-etiquette-exam",
        include_str!("../../presets/s4-etiquette-exam.toml"),
    ),
    (
        "s4-routine-assessment",
        include_str!("../../presets/s4-routine-assessment.toml"),
    ),
    (
        "s2-skill-review",
        include_str!("../../presets/s2-skill-review.toml"),
    ),
];

/// The TOML text of a preset, for export and as the starting point of an edit.
pub fn source(key: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
}

/// Every preset. A preset that failed to parse would be skipped, but the tests make sure
/// none does, so this never needs an error path at run time.
pub fn all() -> Vec<Scheme> {
    SOURCES
        .iter()
        .filter_map(|(_, s)| Scheme::parse_toml(s).ok())
        .collect()
}

pub fn get(key: &str) -> Option<Scheme> {
    source(key).and_then(|s| Scheme::parse_toml(s).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_under_its_own_key() {
        for (key, src) in SOURCES {
            let scheme = Scheme::parse_toml(src).map_err(|e| format!("{key}: {e}"));
            assert_eq!(scheme.map(|s| s.key().to_string()), Ok(key.to_string()));
        }
        assert_eq!(all().len(), SOURCES.len());
        assert!(get("s1-certification").is_some());
        assert!(get("nope").is_none());
    }

    #[test]
    fn component_keys_are_the_public_contract() {
        let keys = |k: &str| -> Vec<String> {
            get(k).map_or(vec![], |s| {
                s.components().iter().map(|c| c.key.clone()).collect()
            })
        };
        assert_eq!(keys("s1-certification"), ["theory", "practical", "daily"]);
        assert_eq!(
            keys("s4-etiquette-exam"),
            ["attendance", "written", "practical"]
        );
        assert_eq!(
            keys("s4-routine-assessment"),
            ["attendance", "inspection", "onsite"]
        );
        assert_eq!(keys("s2-skill-review"), ["quality", "skill"]);
    }
}

//! zh-CN and en, both complete. Messages live in `locales/*.txt` as `key = value` lines;
//! `{name}` in a value is replaced by an argument. Every request carries its own [`Lang`]:
//! there is no global "current language".

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    ZhCn,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(raw: &str) -> Option<Lang> {
        let r = raw.trim().to_ascii_lowercase();
        if r.starts_with("zh") {
            Some(Lang::ZhCn)
        } else if r.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The first supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l)
    }

    pub fn reports(self) -> skillcert_reports::Lang {
        match self {
            Lang::ZhCn => skillcert_reports::Lang::ZhCn,
            Lang::En => skillcert_reports::Lang::En,
        }
    }
}

/// One file per area, so that areas can be translated independently.
const ZH_CN: [&str; 21] = [
    include_str!("../locales/zh-CN/core.txt"),
    include_str!("../locales/zh-CN/org.txt"),
    include_str!("../locales/zh-CN/users.txt"),
    include_str!("../locales/zh-CN/api.txt"),
    include_str!("../locales/zh-CN/schemes.txt"),
    include_str!("../locales/zh-CN/questions.txt"),
    include_str!("../locales/zh-CN/exams.txt"),
    include_str!("../locales/zh-CN/take.txt"),
    include_str!("../locales/zh-CN/rubrics.txt"),
    include_str!("../locales/zh-CN/scenarios.txt"),
    include_str!("../locales/zh-CN/practical.txt"),
    include_str!("../locales/zh-CN/events.txt"),
    include_str!("../locales/zh-CN/judging.txt"),
    include_str!("../locales/zh-CN/rounds.txt"),
    include_str!("../locales/zh-CN/appeals.txt"),
    include_str!("../locales/zh-CN/certificates.txt"),
    include_str!("../locales/zh-CN/round_report.txt"),
    include_str!("../locales/zh-CN/training_needs.txt"),
    include_str!("../locales/zh-CN/training_sessions.txt"),
    include_str!("../locales/zh-CN/training_records.txt"),
    include_str!("../locales/zh-CN/training_hours.txt"),
];
const EN: [&str; 21] = [
    include_str!("../locales/en/core.txt"),
    include_str!("../locales/en/org.txt"),
    include_str!("../locales/en/users.txt"),
    include_str!("../locales/en/api.txt"),
    include_str!("../locales/en/schemes.txt"),
    include_str!("../locales/en/questions.txt"),
    include_str!("../locales/en/exams.txt"),
    include_str!("../locales/en/take.txt"),
    include_str!("../locales/en/rubrics.txt"),
    include_str!("../locales/en/scenarios.txt"),
    include_str!("../locales/en/practical.txt"),
    include_str!("../locales/en/events.txt"),
    include_str!("../locales/en/judging.txt"),
    include_str!("../locales/en/rounds.txt"),
    include_str!("../locales/en/appeals.txt"),
    include_str!("../locales/en/certificates.txt"),
    include_str!("../locales/en/round_report.txt"),
    include_str!("../locales/en/training_needs.txt"),
    include_str!("../locales/en/training_sessions.txt"),
    include_str!("../locales/en/training_records.txt"),
    include_str!("../locales/en/training_hours.txt"),
];

fn parse<const N: usize>(files: [&'static str; N]) -> HashMap<&'static str, &'static str> {
    files
        .iter()
        .flat_map(|src| src.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static MESSAGES: LazyLock<[HashMap<&'static str, &'static str>; 2]> =
    LazyLock::new(|| [parse(ZH_CN), parse(EN)]);

fn table(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    match lang {
        Lang::ZhCn => &MESSAGES[0],
        Lang::En => &MESSAGES[1],
    }
}

/// The message for `key`, falling back to the other language; a key missing in both shows as
/// a marker (and fails the completeness tests).
pub fn t(lang: Lang, key: &str) -> &'static str {
    table(lang)
        .get(key)
        .or_else(|| table(other(lang)).get(key))
        .copied()
        .unwrap_or("⟦?⟧")
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::ZhCn => Lang::En,
        Lang::En => Lang::ZhCn,
    }
}

/// Whether `key` exists in `lang`.
pub fn has(lang: Lang, key: &str) -> bool {
    table(lang).contains_key(key)
}

/// The message for `key` with `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// Every key of a language, for the completeness test.
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let mut v: Vec<_> = table(lang).keys().copied().collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let zh = keys(Lang::ZhCn);
        let en = keys(Lang::En);
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        for l in Lang::ALL {
            for k in keys(l) {
                assert!(!t(l, k).is_empty(), "{k} is empty in {}", l.tag());
            }
        }
    }

    #[test]
    fn accept_language_picks_by_quality() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, zh-TW;q=0.5"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("fr"), None);
    }

    #[test]
    fn placeholders_are_filled() {
        assert!(tf(Lang::En, "error-throttled", &[("minutes", "7")]).contains('7'));
    }
}

//! The state of a certificate on a given day (seed-rules §5, anchors §4.6).
//!
//! Only revocation, suspension and supersession are stored; expiry and "expiring" follow
//! from the dates, so a certificate never needs a nightly job to become expired.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The stored facts that override the dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CertificateFlags {
    /// Withdrawn for good (fraud, or an appeal that lowered the level).
    pub revoked: bool,
    /// Replaced by a newer certificate after re-evaluation or an appeal.
    pub superseded: bool,
    /// An appeal against the result behind it is pending; reversible.
    pub suspended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    /// Valid, and re-evaluation is due (S1: from one month before expiry).
    Expiring,
    Expired,
    Suspended,
    Revoked,
    Superseded,
}

impl CertificateStatus {
    pub const ALL: [CertificateStatus; 6] = [
        CertificateStatus::Valid,
        CertificateStatus::Expiring,
        CertificateStatus::Expired,
        CertificateStatus::Suspended,
        CertificateStatus::Revoked,
        CertificateStatus::Superseded,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Expiring => "expiring",
            CertificateStatus::Expired => "expired",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Revoked => "revoked",
            CertificateStatus::Superseded => "superseded",
        }
    }

    pub fn parse(raw: &str) -> Option<CertificateStatus> {
        CertificateStatus::ALL.into_iter().find(|s| s.key() == raw)
    }

    /// Whether the holder may rely on it today (and it counts as a level held).
    pub fn is_current(self) -> bool {
        matches!(self, CertificateStatus::Valid | CertificateStatus::Expiring)
    }

    /// The state on `today`. Revocation wins over everything, then supersession, then
    /// suspension, then the dates; `valid_until` is the last valid day.
    pub fn on(
        today: NaiveDate,
        valid_until: NaiveDate,
        reevaluation_due: NaiveDate,
        flags: CertificateFlags,
    ) -> CertificateStatus {
        if flags.revoked {
            CertificateStatus::Revoked
        } else if flags.superseded {
            CertificateStatus::Superseded
        } else if flags.suspended {
            CertificateStatus::Suspended
        } else if today > valid_until {
            CertificateStatus::Expired
        } else if today >= reevaluation_due {
            CertificateStatus::Expiring
        } else {
            CertificateStatus::Valid
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(today: &str, flags: CertificateFlags) -> CertificateStatus {
        CertificateStatus::on(d(today), d("2027-11-23"), d("2027-10-23"), flags)
    }

    #[test]
    fn dates_decide_without_flags() {
        let none = CertificateFlags::default();
        assert_eq!(at("2026-11-23", none), CertificateStatus::Valid);
        assert_eq!(at("2027-10-22", none), CertificateStatus::Valid);
        assert_eq!(at("2027-10-23", none), CertificateStatus::Expiring);
        assert_eq!(at("2027-11-23", none), CertificateStatus::Expiring);
        assert_eq!(at("2027-11-24", none), CertificateStatus::Expired);
    }

    #[test]
    fn flags_override_dates_in_order() {
        let all = CertificateFlags {
            revoked: true,
            superseded: true,
            suspended: true,
        };
        assert_eq!(at("2026-11-23", all), CertificateStatus::Revoked);
        let f = CertificateFlags {
            revoked: false,
            ..all
        };
        assert_eq!(at("2028-01-01", f), CertificateStatus::Superseded);
        let f = CertificateFlags {
            suspended: true,
            ..CertificateFlags::default()
        };
        assert_eq!(at("2028-01-01", f), CertificateStatus::Suspended);
    }

    #[test]
    fn keys_round_trip_and_only_valid_ones_are_current() {
        for s in CertificateStatus::ALL {
            assert_eq!(CertificateStatus::parse(s.key()), Some(s));
        }
        assert_eq!(CertificateStatus::parse("lost"), None);
        let current: Vec<_> = CertificateStatus::ALL
            .into_iter()
            .filter(|s| s.is_current())
            .collect();
        assert_eq!(
            current,
            [CertificateStatus::Valid, CertificateStatus::Expiring]
        );
    }
}

/// A holder's name as the public verification page shows it: first and last character,
/// the rest masked (张三 → 张*, 王小明 → 王*明), so that a verifier can match the person
/// in front of them without the page disclosing the name to everyone.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [one] => format!("{one}*"),
        [first, second] => {
            let _ = second;
            format!("{first}*")
        }
        [first, middle @ .., last] => {
            let stars: String = middle.iter().map(|_| '*').collect();
            format!("{first}{stars}{last}")
        }
    }
}

#[cfg(test)]
mod mask_tests {
    use super::mask_name;

    #[test]
    fn masks_all_but_the_ends() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("王小明"), "王*明");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(" "), "");
        assert_eq!(mask_name("Anna Lee"), "A******e");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    proptest! {
        /// A certificate is current exactly when no flag is set and today is on or before
        /// its last valid day; any flag makes it not current, whatever the dates.
        #[test]
        fn current_iff_unflagged_and_in_date(
            today in 0i64..800, until in 0i64..800, lead in 0i64..60,
            revoked: bool, superseded: bool, suspended: bool,
        ) {
            let flags = CertificateFlags { revoked, superseded, suspended };
            let s = CertificateStatus::on(day(today), day(until), day(until - lead), flags);
            let unflagged = !revoked && !superseded && !suspended;
            prop_assert_eq!(s.is_current(), unflagged && today <= until);
            if revoked {
                prop_assert_eq!(s, CertificateStatus::Revoked);
            }
        }
    }
}

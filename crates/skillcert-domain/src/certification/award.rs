//! The level a passing candidate is certified at.

use crate::scheme::Scheme;

/// The lower of the band the total reached and the level applied for: a certificate
/// never states more than the candidate asked to be examined for (S1 template 4 records
/// the level applied for), and a candidate who passes below it still gets the band they
/// reached. `None` when the total reached no band, or a key is unknown.
pub fn awarded_level<'a>(scheme: &'a Scheme, reached: &str, applied: &str) -> Option<&'a str> {
    let bands = scheme.bands();
    let r = bands.iter().position(|b| b.key == reached)?;
    let a = bands.iter().position(|b| b.key == applied)?;
    Some(bands[r.min(a)].key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheme::presets;

    #[test]
    fn never_above_the_level_applied_for() {
        let s1 = presets::get("s1-certification").unwrap();
        assert_eq!(
            awarded_level(&s1, "senior", "intermediate"),
            Some("intermediate")
        );
        assert_eq!(awarded_level(&s1, "junior", "senior"), Some("junior"));
        assert_eq!(awarded_level(&s1, "senior", "senior"), Some("senior"));
        assert_eq!(awarded_level(&s1, "guru", "senior"), None);
        assert_eq!(awarded_level(&s1, "senior", "guru"), None);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use crate::scheme::presets;
    use proptest::prelude::*;

    proptest! {
        /// The award is never above the band reached nor above the level applied for.
        #[test]
        fn never_above_either(r in 0usize..3, a in 0usize..3) {
            let s1 = presets::get("s1-certification").unwrap();
            let keys: Vec<&str> = s1.bands().iter().map(|b| b.key.as_str()).collect();
            let got = awarded_level(&s1, keys[r], keys[a]).unwrap();
            let rank = keys.iter().position(|k| *k == got).unwrap();
            prop_assert_eq!(rank, r.min(a));
        }
    }
}

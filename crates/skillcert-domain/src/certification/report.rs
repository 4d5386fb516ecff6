//! The arithmetic of S1's assessment evaluation report: how much of the available points
//! each group of people got per skill or rubric item, and which are weakest.

use std::collections::BTreeMap;

use serde::Serialize;

/// Points one candidate got out of a maximum on one skill or rubric item (one question,
/// or one judge's mark of one item).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub candidate: i64,
    pub department: i64,
    pub key: String,
    pub got: f64,
    pub max: f64,
}

/// A key's share of points over some observations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    pub key: String,
    pub got: f64,
    pub max: f64,
    /// `got / max`, 0–1.
    pub share: f64,
    /// Observations behind it.
    pub n: usize,
}

/// Below this share of the points a skill or item counts as weak: the pass line of the
/// seeds (60 of 100).
pub const WEAK_BELOW: f64 = 0.6;

/// Shares per key over the observations that `keep` accepts, weakest first (ties by key).
/// Keys without any available points are left out: nothing can be said about them.
pub fn shares<'a>(
    obs: impl IntoIterator<Item = &'a Observation>,
    keep: impl Fn(&Observation) -> bool,
) -> Vec<Share> {
    let mut sums: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    for o in obs.into_iter().filter(|o| keep(o)) {
        let e = sums.entry(o.key.as_str()).or_insert((0.0, 0.0, 0));
        e.0 += o.got;
        e.1 += o.max;
        e.2 += 1;
    }
    let mut out: Vec<Share> = sums
        .into_iter()
        .filter(|(_, (_, max, _))| *max > 0.0)
        .map(|(key, (got, max, n))| Share {
            key: key.to_string(),
            got,
            max,
            share: got / max,
            n,
        })
        .collect();
    out.sort_by(|a, b| a.share.total_cmp(&b.share).then_with(|| a.key.cmp(&b.key)));
    out
}

/// At most `limit` of the weak shares (below [`WEAK_BELOW`]), weakest first.
pub fn weakest(shares: &[Share], limit: usize) -> Vec<Share> {
    shares
        .iter()
        .filter(|s| s.share < WEAK_BELOW)
        .take(limit)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(candidate: i64, department: i64, key: &str, got: f64, max: f64) -> Observation {
        Observation {
            candidate,
            department,
            key: key.into(),
            got,
            max,
        }
    }

    #[test]
    fn shares_are_pooled_points_weakest_first() {
        let obs = vec![
            o(1, 10, "listening", 1.0, 2.0),
            o(2, 10, "listening", 0.0, 2.0),
            o(1, 10, "empathy", 4.0, 5.0),
            o(2, 20, "empathy", 5.0, 5.0),
            o(2, 20, "etiquette", 0.0, 0.0),
        ];
        let all = shares(&obs, |_| true);
        assert_eq!(all.len(), 2, "a key with no points available is left out");
        assert_eq!(all[0].key, "listening");
        assert!((all[0].share - 0.25).abs() < 1e-12);
        assert_eq!(all[0].n, 2);
        assert!((all[1].share - 0.9).abs() < 1e-12);
        let dept = shares(&obs, |x| x.department == 20);
        assert_eq!(dept.len(), 1);
        assert_eq!(dept[0].key, "empathy");
        let one = shares(&obs, |x| x.candidate == 1);
        assert_eq!(weakest(&one, 3).len(), 1, "only listening is below 60%");
        assert!(weakest(&all, 0).is_empty());
    }
}

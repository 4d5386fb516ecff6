//! Marking short answers: one marker, or two with a third when they diverge.

use serde::{Deserialize, Serialize};

/// How short answers of a session are marked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkingPolicy {
    /// Two independent markers per answer.
    pub double: bool,
    /// With double marking: the largest difference (hundredths) accepted without a third marker.
    pub divergence: u32,
}

/// Where an answer's marking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkState {
    /// Needs another marker; `round` is 1, 2 or 3.
    Needs { round: u8 },
    /// The final mark in hundredths.
    Final(u32),
}

fn mean_half_up(a: u32, b: u32) -> u32 {
    (a + b).div_ceil(2)
}

/// Resolves the marks given so far, in the order they were given.
///
/// Two marks within the divergence give their mean (half-up). Past it, a third marker
/// decides together with the nearer of the first two; when both are equally near, the mean
/// of all three (half-up) is taken, so no single marker decides alone.
pub fn resolve(marks: &[u32], policy: MarkingPolicy) -> MarkState {
    match (policy.double, marks) {
        (_, []) => MarkState::Needs { round: 1 },
        (false, [m, ..]) => MarkState::Final(*m),
        (true, [_]) => MarkState::Needs { round: 2 },
        (true, [a, b]) if a.abs_diff(*b) <= policy.divergence => {
            MarkState::Final(mean_half_up(*a, *b))
        }
        (true, [_, _]) => MarkState::Needs { round: 3 },
        (true, [a, b, c, ..]) => {
            let (da, db) = (a.abs_diff(*c), b.abs_diff(*c));
            MarkState::Final(match da.cmp(&db) {
                std::cmp::Ordering::Less => mean_half_up(*a, *c),
                std::cmp::Ordering::Greater => mean_half_up(*b, *c),
                std::cmp::Ordering::Equal => (a + b + c).div_ceil(3),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOUBLE: MarkingPolicy = MarkingPolicy {
        double: true,
        divergence: 500,
    };

    #[test]
    fn single_marking_takes_the_first_mark() {
        let p = MarkingPolicy::default();
        assert_eq!(resolve(&[], p), MarkState::Needs { round: 1 });
        assert_eq!(resolve(&[1800], p), MarkState::Final(1800));
    }

    #[test]
    fn double_marking_within_tolerance_averages() {
        assert_eq!(resolve(&[2000], DOUBLE), MarkState::Needs { round: 2 });
        assert_eq!(resolve(&[2000, 2401], DOUBLE), MarkState::Final(2201));
        assert_eq!(resolve(&[2000, 2500], DOUBLE), MarkState::Final(2250));
    }

    #[test]
    fn divergent_marks_go_to_a_third_marker() {
        assert_eq!(
            resolve(&[1000, 2600], DOUBLE),
            MarkState::Needs { round: 3 }
        );
        assert_eq!(resolve(&[1000, 2600, 2400], DOUBLE), MarkState::Final(2500));
        assert_eq!(resolve(&[1000, 2600, 1200], DOUBLE), MarkState::Final(1100));
        assert_eq!(resolve(&[1000, 2000, 1500], DOUBLE), MarkState::Final(1500));
    }
}

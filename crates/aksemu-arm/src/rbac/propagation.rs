//! How long role-assignment changes take to reach the evaluator, in virtual
//! time (`serve --rbac-propagation <bound> [--rbac-propagation-seed <n>]`): a
//! fixed delay, or, with a seed, a delay drawn per assignment between zero and
//! the bound. The draw depends only on the seed and the assignment's id, so a
//! run is reproducible and every replica draws the same.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Propagation {
    /// The delay, or with a seed its upper bound, in seconds.
    pub max_secs: i64,
    pub seed: Option<u64>,
}

impl Propagation {
    pub fn fixed(secs: i64) -> Self {
        Self {
            max_secs: secs,
            seed: None,
        }
    }

    pub fn is_on(&self) -> bool {
        self.max_secs > 0
    }

    /// The delay for one assignment.
    pub fn delay_for(&self, assignment_id: &str) -> i64 {
        match self.seed {
            _ if self.max_secs <= 0 => 0,
            None => self.max_secs,
            Some(seed) => {
                let mut input = seed.to_be_bytes().to_vec();
                input.extend_from_slice(assignment_id.to_lowercase().as_bytes());
                let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &input);
                let mut b = [0u8; 8];
                b.copy_from_slice(&d.as_ref()[..8]);
                (u64::from_be_bytes(b) % (self.max_secs as u64 + 1)) as i64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_delays_are_bounded_and_reproducible() {
        let p = Propagation {
            max_secs: 3600,
            seed: Some(7),
        };
        let ds: Vec<i64> = (0..50).map(|i| p.delay_for(&format!("/a/{i}"))).collect();
        assert!(ds.iter().all(|d| (0..=3600).contains(d)));
        assert!(ds.iter().any(|d| *d != ds[0]), "delays vary");
        assert_eq!(p.delay_for("/A/1"), p.delay_for("/a/1"));
        assert_eq!(Propagation::fixed(60).delay_for("/x"), 60);
        assert_eq!(Propagation::fixed(0).delay_for("/x"), 0);
    }
}

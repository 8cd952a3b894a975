//! Run ids: short, lowercase, unique per run (`r7f3k2`). They name journal runs and go into every
//! temporary alias, because an address removed by one run stays reserved for a while and the next
//! run must not try to add it again (README "Fix").

use std::fmt;
use std::str::FromStr;

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Characters after the leading `r`: 36^5 ≈ 60 million ids.
const RANDOM_LEN: usize = 5;

/// A run id: `r` followed by five lowercase letters or digits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RunId(String);

/// A string that is not a run id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a run id (expected 'r' and five lowercase letters or digits, like r7f3k2)")]
pub struct RunIdError(pub String);

impl RunId {
    /// The length of every run id.
    pub const LEN: usize = RANDOM_LEN + 1;

    /// A new random id drawn from `rng`.
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> RunId {
        let mut id = String::with_capacity(RANDOM_LEN + 1);
        id.push('r');
        for _ in 0..RANDOM_LEN {
            id.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
        }
        RunId(id)
    }

    /// A new random id from the thread's generator.
    pub fn random() -> RunId {
        Self::generate(&mut rand::rng())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RunId {
    type Err = RunIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = s.len() == RANDOM_LEN + 1
            && s.starts_with('r')
            && s.bytes().skip(1).all(|b| ALPHABET.contains(&b));
        if valid {
            Ok(RunId(s.to_owned()))
        } else {
            Err(RunIdError(s.to_owned()))
        }
    }
}

impl TryFrom<String> for RunId {
    type Error = RunIdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<RunId> for String {
    fn from(id: RunId) -> String {
        id.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn generated_ids_parse_back_and_differ() {
        let ids: HashSet<RunId> = (0..1000).map(|_| RunId::random()).collect();
        assert!(
            ids.len() > 995,
            "1000 random ids should almost never collide"
        );
        for id in &ids {
            assert_eq!(id.as_str().parse::<RunId>().as_ref(), Ok(id));
        }
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in ["", "r", "x7f3k2", "r7F3k2", "r7f3k2x", "r7f-k2"] {
            assert!(bad.parse::<RunId>().is_err(), "{bad:?} should be rejected");
        }
    }
}

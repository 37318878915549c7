//! Durations and deadlines as the data writes them: `3d`, `15d+`, `3-30d`,
//! `3mo`, `48h`, `5wd`, `permanent`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// The unit of a time span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimeUnit {
    /// Hours (`h`).
    Hours,
    /// Natural days (`d`).
    Days,
    /// Working days (`wd`).
    WorkingDays,
    /// Calendar months (`mo`).
    Months,
    /// Years (`y`).
    Years,
}

impl TimeUnit {
    fn suffix(self) -> &'static str {
        match self {
            TimeUnit::Hours => "h",
            TimeUnit::Days => "d",
            TimeUnit::WorkingDays => "wd",
            TimeUnit::Months => "mo",
            TimeUnit::Years => "y",
        }
    }
}

/// A sanction duration or deadline.
///
/// `min` and `max` are equal for a fixed span, differ for a range (`3-30d`),
/// and `max` is absent for an open-ended minimum (`15d+`, 15天以上).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duration {
    /// The text as written in the data.
    pub text: String,
    /// Never ends.
    pub permanent: bool,
    /// Shortest span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    /// Longest span; `None` with `min` set means "at least".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    /// Unit of `min` and `max`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<TimeUnit>,
}

impl Duration {
    /// Whether the span is fixed (not a range, not open-ended, not permanent).
    pub fn is_fixed(&self) -> bool {
        !self.permanent && self.min.is_some() && self.min == self.max
    }
}

/// Why a duration string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration `{text}`: {reason} (write e.g. 3d, 15d+, 3-30d, 3mo, 48h, 5wd, permanent)"
)]
pub struct DurationError {
    text: String,
    reason: &'static str,
}

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason| DurationError {
            text: s.to_string(),
            reason,
        };
        let t = s.trim();
        if t == "permanent" {
            return Ok(Duration {
                text: t.to_string(),
                permanent: true,
                min: None,
                max: None,
                unit: None,
            });
        }
        let (body, open) = match t.strip_suffix('+') {
            Some(b) => (b, true),
            None => (t, false),
        };
        let split = body
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(|| err("no unit"))?;
        let (nums, suffix) = body.split_at(split);
        let unit = match suffix {
            "h" => TimeUnit::Hours,
            "d" => TimeUnit::Days,
            "wd" => TimeUnit::WorkingDays,
            "mo" => TimeUnit::Months,
            "y" => TimeUnit::Years,
            _ => return Err(err("unknown unit")),
        };
        let parse = |n: &str| n.parse::<u32>().map_err(|_| err("not a whole number"));
        let (min, max) = match nums.split_once('-') {
            Some((a, b)) => {
                if open {
                    return Err(err("a range cannot also be open-ended"));
                }
                let (a, b) = (parse(a)?, parse(b)?);
                if a > b {
                    return Err(err("range runs backwards"));
                }
                (a, Some(b))
            }
            None => {
                let a = parse(nums)?;
                (a, if open { None } else { Some(a) })
            }
        };
        if min == 0 && max == Some(0) {
            return Err(err("zero length"));
        }
        Ok(Duration {
            text: t.to_string(),
            permanent: false,
            min: Some(min),
            max,
            unit: Some(unit),
        })
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.permanent {
            return f.write_str("permanent");
        }
        let u = self.unit.map(TimeUnit::suffix).unwrap_or("");
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => write!(f, "{a}{u}"),
            (Some(a), Some(b)) => write!(f, "{a}-{b}{u}"),
            (Some(a), None) => write!(f, "{a}{u}+"),
            _ => f.write_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Full { text: String },
        }
        let text = match Repr::deserialize(d)? {
            Repr::Text(t) | Repr::Full { text: t } => t,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Duration {
        s.parse().unwrap()
    }

    #[test]
    fn parses_every_form() {
        assert_eq!((p("3d").min, p("3d").max), (Some(3), Some(3)));
        assert!(p("3d").is_fixed());
        assert_eq!((p("15d+").min, p("15d+").max), (Some(15), None));
        assert_eq!((p("3-30d").min, p("3-30d").max), (Some(3), Some(30)));
        assert_eq!(p("3mo").unit, Some(TimeUnit::Months));
        assert_eq!(p("5wd").unit, Some(TimeUnit::WorkingDays));
        assert!(p("permanent").permanent);
        for s in ["3d", "15d+", "3-30d", "6mo", "48h", "1y", "permanent"] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn rejects_nonsense() {
        for s in ["", "3", "d", "3x", "30-3d", "3-30d+", "0d", "-1d", "3.5d"] {
            assert!(s.parse::<Duration>().is_err(), "{s} should not parse");
        }
    }
}

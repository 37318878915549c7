//! Money as a whole number of fen (分, 1/100 yuan).
//!
//! Every amount in the ledger, in prices and in quotes is an `i64` count of
//! fen: sums are exact, and a figure printed twice prints the same. Yuan
//! figures from the rulebook (unit prices, tier prices, formula results)
//! are converted once, at the boundary, rounding half away from zero to
//! the nearest fen.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in fen (分); negative amounts are debits where a sign matters.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    /// Zero.
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan.
    pub const fn yuan(y: i64) -> Fen {
        Fen(y * 100)
    }

    /// A yuan figure (from the rulebook or a formula) rounded half away
    /// from zero to the nearest fen; `None` if not finite or out of range.
    pub fn from_yuan_f64(y: f64) -> Option<Fen> {
        let f = (y * 100.0).round();
        if !f.is_finite() || f.abs() > 9.0e15 {
            return None;
        }
        Some(Fen(f as i64))
    }

    /// The amount in fen.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Checked addition.
    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }

    /// Checked subtraction.
    pub fn checked_sub(self, o: Fen) -> Option<Fen> {
        self.0.checked_sub(o.0).map(Fen)
    }

    /// Checked multiplication by a count.
    pub fn checked_mul(self, n: i64) -> Option<Fen> {
        self.0.checked_mul(n).map(Fen)
    }
}

impl fmt::Display for Fen {
    /// `¥12.34`, `-¥0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}¥{}.{:02}", a / 100, a % 100)
    }
}

/// Why a money figure could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("金额格式无效 `{0}`：应为元，最多两位小数，如 12.5 (invalid amount `{0}`: yuan with at most two decimals, e.g. 12.5)")]
pub struct MoneyParseError(pub String);

impl FromStr for Fen {
    type Err = MoneyParseError;

    /// Parses yuan with at most two decimals: `12`, `12.5`, `-0.05`, `¥3.20`.
    fn from_str(s: &str) -> Result<Fen, MoneyParseError> {
        let err = || MoneyParseError(s.to_string());
        let t = s.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let t = t.strip_prefix('¥').unwrap_or(t);
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t, ""),
        };
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 2
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let w: i64 = whole.parse().map_err(|_| err())?;
        let mut f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| err())?
        };
        if frac.len() == 1 {
            f *= 10;
        }
        let v = w
            .checked_mul(100)
            .and_then(|v| v.checked_add(f))
            .ok_or_else(err)?;
        Ok(Fen(if neg { -v } else { v }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!("12".parse::<Fen>().unwrap(), Fen(1200));
        assert_eq!("12.5".parse::<Fen>().unwrap(), Fen(1250));
        assert_eq!("¥0.05".parse::<Fen>().unwrap(), Fen(5));
        assert_eq!("-3.20".parse::<Fen>().unwrap(), Fen(-320));
        assert!("1.234".parse::<Fen>().is_err());
        assert!("abc".parse::<Fen>().is_err());
        assert!(".5".parse::<Fen>().is_err());
        assert_eq!(Fen(123456).to_string(), "¥1234.56");
        assert_eq!(Fen(-5).to_string(), "-¥0.05");
    }

    #[test]
    fn from_yuan_rounds_half_away() {
        assert_eq!(Fen::from_yuan_f64(1089.041095), Some(Fen(108904)));
        assert_eq!(Fen::from_yuan_f64(0.005), Some(Fen(1)));
        assert_eq!(Fen::from_yuan_f64(f64::NAN), None);
    }
}

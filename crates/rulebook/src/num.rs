//! A number from the data that prints as an integer when it is one.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A rulebook number: TOML integers and floats alike, printed without a
/// trailing `.0` when whole so that `10` stays `10` in JSON output.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Num(pub f64);

impl Num {
    /// The value as a float.
    pub fn get(self) -> f64 {
        self.0
    }

    /// The value as an integer, when it is a whole number that fits.
    pub fn as_i64(self) -> Option<i64> {
        let v = self.0;
        (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_i64() {
            Some(i) => write!(f, "{i}"),
            None => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_i64() {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_f64(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v.is_finite() {
            Ok(Num(v))
        } else {
            Err(serde::de::Error::custom("number must be finite"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_print_as_integers() {
        assert_eq!(serde_json::to_string(&Num(10.0)).unwrap(), "10");
        assert_eq!(serde_json::to_string(&Num(3.5)).unwrap(), "3.5");
        assert_eq!(Num(20.0).to_string(), "20");
    }
}

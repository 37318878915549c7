//! Time as an input: seconds since the Unix epoch (UTC), RFC 3339 text, and
//! calendar arithmetic for sanction durations (natural days, working days,
//! months, years) without a time-zone database: the seeds count in Beijing
//! time, which has no daylight saving, so every day is 86,400 seconds.

use bylaw_rulebook::{Duration, TimeUnit};

/// A point in time: seconds since 1970-01-01T00:00:00Z.
pub type Time = i64;

const DAY: i64 = 86_400;

/// Days since the epoch of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SSZ` (or `+00:00`, or a bare date meaning midnight UTC).
pub fn parse(s: &str) -> Result<Time, String> {
    let s = s.trim();
    let err = || format!("`{s}` is not a time like 2026-11-21T08:00:00Z");
    let (date, clock) = match s.split_once(['T', ' ']) {
        Some((d, c)) => (d, Some(c)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y: i64 = dp.next().and_then(|x| x.parse().ok()).ok_or_else(err)?;
    let m: u32 = dp.next().and_then(|x| x.parse().ok()).ok_or_else(err)?;
    let d: u32 = dp.next().and_then(|x| x.parse().ok()).ok_or_else(err)?;
    if dp.next().is_some() || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return Err(err());
    }
    let mut secs = 0i64;
    if let Some(c) = clock {
        let c = c
            .strip_suffix('Z')
            .or_else(|| c.strip_suffix("+00:00"))
            .ok_or_else(err)?;
        let mut cp = c.split(':');
        let h: i64 = cp.next().and_then(|x| x.parse().ok()).ok_or_else(err)?;
        let mi: i64 = cp.next().and_then(|x| x.parse().ok()).ok_or_else(err)?;
        let se: i64 = cp
            .next()
            .map(|x| x.split('.').next().unwrap_or("0").parse().ok())
            .unwrap_or(Some(0))
            .ok_or_else(err)?;
        if h > 23 || mi > 59 || se > 60 {
            return Err(err());
        }
        secs = h * 3600 + mi * 60 + se;
    }
    Ok(days_from_civil(y, m, d) * DAY + secs)
}

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format(t: Time) -> String {
    let days = t.div_euclid(DAY);
    let rem = t.rem_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Adds `n` units to `t`. Working days skip Saturdays and Sundays (public
/// holidays are not known here); months keep the day of month, clamped to
/// the month's last day.
pub fn add(t: Time, n: u32, unit: TimeUnit) -> Time {
    let n64 = i64::from(n);
    match unit {
        TimeUnit::Hours => t + n64 * 3600,
        TimeUnit::Days => t + n64 * DAY,
        TimeUnit::WorkingDays => {
            let mut day = t.div_euclid(DAY);
            let rem = t.rem_euclid(DAY);
            let mut left = n;
            while left > 0 {
                day += 1;
                // 1970-01-01 was a Thursday: weekday 0 = Monday.
                let weekday = (day + 3).rem_euclid(7);
                if weekday < 5 {
                    left -= 1;
                }
            }
            day * DAY + rem
        }
        TimeUnit::Months | TimeUnit::Years => {
            let months = if unit == TimeUnit::Years {
                n64 * 12
            } else {
                n64
            };
            let days = t.div_euclid(DAY);
            let rem = t.rem_euclid(DAY);
            let (y, m, d) = civil_from_days(days);
            let total = y * 12 + i64::from(m - 1) + months;
            let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
            let nd = d.min(days_in_month(ny, nm));
            days_from_civil(ny, nm, nd) * DAY + rem
        }
    }
}

/// The end of a duration starting at `t`: `None` when permanent; the
/// shortest span (or `chosen` units, for a range or an open minimum).
pub fn end_of(t: Time, d: &Duration, chosen: Option<u32>) -> Option<Time> {
    if d.permanent {
        return None;
    }
    let unit = d.unit?;
    let min = d.min.unwrap_or(0);
    let n = match (chosen, d.max) {
        (Some(c), Some(max)) => c.clamp(min, max),
        (Some(c), None) => c.max(min),
        (None, _) => min,
    };
    Some(add(t, n, unit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_arithmetic() {
        let t = parse("2026-11-21T08:30:00Z").unwrap();
        assert_eq!(format(t), "2026-11-21T08:30:00Z");
        assert_eq!(format(parse("2024-02-29").unwrap()), "2024-02-29T00:00:00Z");
        assert!(parse("2023-02-29").is_err());
        assert!(parse("2026-13-01").is_err());
        assert!(parse("yesterday").is_err());
        assert_eq!(format(add(t, 3, TimeUnit::Days)), "2026-11-24T08:30:00Z");
        assert_eq!(
            format(add(
                parse("2026-01-31T00:00:00Z").unwrap(),
                1,
                TimeUnit::Months
            )),
            "2026-02-28T00:00:00Z"
        );
        assert_eq!(format(add(t, 6, TimeUnit::Months)), "2027-05-21T08:30:00Z");
        // 2026-11-21 is a Saturday: 5 working days later is Friday the 27th.
        assert_eq!(
            format(add(t, 5, TimeUnit::WorkingDays)),
            "2026-11-27T08:30:00Z"
        );
    }
}

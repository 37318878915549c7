//! Low-balance alerts (`wecom-admin/recharge.low-balance-alert.*`).
//!
//! Off by default (`recharge.low-balance-alert`). Once set, whenever the
//! available balance is strictly below the alert amount (低于), a message
//! goes to the recipients, and again at the set frequency for as long as
//! the balance stays below (`.trigger`); when the balance recovers the
//! alerts stop, and a later drop starts them again at once. The settings
//! can be changed or the alert disabled at any time (`.adjust`); a change
//! takes effect immediately (a balance already below alerts at once under
//! the new settings).
//!
//! The alert amount is a natural number of yuan (`.amount`); recipients are
//! members, departments or tags (`.recipients`), resolved when each alert is
//! sent, so people who join or leave are followed. A department means its
//! members and those of its sub-departments (a choice: the seed says 部门内成员).
//! Frequencies are hourly, daily (the default) or weekly (`.frequency`), their
//! intervals read from the rulebook.

use std::collections::BTreeSet;

use bylaw_rulebook::{Rulebook, Unit};
use serde::{Deserialize, Serialize};

use crate::directory::Directory;
use crate::money::Fen;
use crate::tenant::Time;

/// Clause ids this module cites.
pub mod rule {
    /// Off by default; amount, recipients, frequency.
    pub const ALERT: &str = "wecom-admin/recharge.low-balance-alert";
    /// Any natural number of yuan.
    pub const AMOUNT: &str = "wecom-admin/recharge.low-balance-alert.amount";
    /// Members, departments, tags.
    pub const RECIPIENTS: &str = "wecom-admin/recharge.low-balance-alert.recipients";
    /// Daily by default; weekly or hourly.
    pub const FREQUENCY: &str = "wecom-admin/recharge.low-balance-alert.frequency";
    /// Below the amount → message at the frequency.
    pub const TRIGGER: &str = "wecom-admin/recharge.low-balance-alert.trigger";
    /// Change or disable at any time.
    pub const ADJUST: &str = "wecom-admin/recharge.low-balance-alert.adjust";
}

/// How often an alert repeats.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Frequency {
    /// 按小时.
    Hourly,
    /// 按天 (default).
    #[default]
    Daily,
    /// 按周.
    Weekly,
}

impl Frequency {
    /// The rulebook's variant name.
    pub fn variant(self) -> &'static str {
        match self {
            Frequency::Hourly => "hourly",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }

    /// Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Frequency::Hourly => "按小时",
            Frequency::Daily => "按天",
            Frequency::Weekly => "按周",
        }
    }
}

impl std::str::FromStr for Frequency {
    type Err = AlertError;

    /// `hourly`/`daily`/`weekly` or 按小时/按天/按周.
    fn from_str(s: &str) -> Result<Frequency, AlertError> {
        match s.trim() {
            "hourly" | "按小时" => Ok(Frequency::Hourly),
            "daily" | "按天" => Ok(Frequency::Daily),
            "weekly" | "按周" => Ok(Frequency::Weekly),
            other => Err(AlertError::Frequency(other.to_string())),
        }
    }
}

/// Who receives the alert.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recipient {
    /// A member (企业内的任意成员).
    Member(String),
    /// A department's members (部门内成员), sub-departments included.
    Department(String),
    /// A tag's members (标签内成员).
    Tag(String),
}

impl std::str::FromStr for Recipient {
    type Err = AlertError;

    /// `member:ID`, `dept:ID` or `tag:NAME`.
    fn from_str(s: &str) -> Result<Recipient, AlertError> {
        let bad = || AlertError::Recipient(s.to_string());
        let (k, v) = s.split_once(':').ok_or_else(bad)?;
        if v.trim().is_empty() {
            return Err(bad());
        }
        match k {
            "member" => Ok(Recipient::Member(v.into())),
            "dept" | "department" => Ok(Recipient::Department(v.into())),
            "tag" => Ok(Recipient::Tag(v.into())),
            _ => Err(bad()),
        }
    }
}

/// The settings of the alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertSettings {
    /// Alert when the balance is below this many yuan (预警金额).
    pub threshold_yuan: i64,
    /// Who is told (提醒对象).
    pub recipients: Vec<Recipient>,
    /// How often (预警频率).
    #[serde(default)]
    pub frequency: Frequency,
}

/// Why alert settings were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    /// The rulebook lacks an interval.
    #[error("规则库缺少 {rule} 的 alert-interval/{variant} (the rulebook lacks alert-interval/{variant})", rule = rule::FREQUENCY)]
    Rulebook {
        /// The variant.
        variant: &'static str,
    },
    /// Negative amount.
    #[error("threshold_yuan: 预警金额须为自然数（非负整数），实际为 {0} (the alert amount must be a non-negative whole number of yuan, got {0}) [{rule}]", rule = rule::AMOUNT)]
    Amount(i64),
    /// No recipients.
    #[error("recipients: 至少设置一个提醒对象 (name at least one recipient) [{rule}]", rule = rule::RECIPIENTS)]
    NoRecipients,
    /// A recipient that names nothing.
    #[error("recipients: 未知的提醒对象 `{0}` (unknown recipient `{0}`: give member:ID, dept:ID or tag:NAME of this tenant) [{rule}]", rule = rule::RECIPIENTS)]
    Recipient(String),
    /// An unknown frequency.
    #[error("frequency: 不支持的预警频率 `{0}`，可选 按小时/按天/按周 (hourly, daily, weekly) [{rule}]", rule = rule::FREQUENCY)]
    Frequency(String),
    /// Disabling an alert that is off.
    #[error("余额预警未开启 (the low-balance alert is off) [{rule}]", rule = rule::ADJUST)]
    Off,
}

/// Intervals of the frequencies, from the rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertRules {
    /// Seconds between alerts for hourly, daily, weekly.
    pub intervals: [Time; 3],
}

impl AlertRules {
    /// Reads the intervals (`recharge.low-balance-alert.frequency`).
    pub fn from_rulebook(rb: &Rulebook) -> Result<AlertRules, AlertError> {
        let r = rb.rule(rule::FREQUENCY);
        let get = |f: Frequency| -> Result<Time, AlertError> {
            let t = r
                .and_then(|r| r.threshold("alert-interval", Some(f.variant())))
                .ok_or(AlertError::Rulebook {
                    variant: f.variant(),
                })?;
            let v = t
                .value
                .and_then(|v| v.as_i64())
                .ok_or(AlertError::Rulebook {
                    variant: f.variant(),
                })?;
            let secs = match t.unit {
                Unit::Hours => 3_600,
                Unit::Days => 86_400,
                _ => {
                    return Err(AlertError::Rulebook {
                        variant: f.variant(),
                    })
                }
            };
            Ok(v * secs)
        };
        Ok(AlertRules {
            intervals: [
                get(Frequency::Hourly)?,
                get(Frequency::Daily)?,
                get(Frequency::Weekly)?,
            ],
        })
    }

    /// The interval of a frequency.
    pub fn interval(&self, f: Frequency) -> Time {
        match f {
            Frequency::Hourly => self.intervals[0],
            Frequency::Daily => self.intervals[1],
            Frequency::Weekly => self.intervals[2],
        }
    }
}

/// A low-balance message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertNotice {
    /// When.
    pub at: Time,
    /// The balance.
    pub balance: Fen,
    /// The alert amount.
    pub threshold: Fen,
    /// Member ids to tell, resolved now.
    pub recipients: Vec<String>,
    /// When it repeats if the balance stays below.
    pub next_at: Time,
    /// The message, Chinese.
    pub zh: String,
    /// The message, English.
    pub en: String,
    /// `recharge.low-balance-alert.trigger`.
    pub rule: &'static str,
}

/// One tenant's alert.
#[derive(Debug, Clone, Default)]
pub struct Alert {
    settings: Option<AlertSettings>,
    last_sent: Option<Time>,
}

impl Alert {
    /// The settings, if on.
    pub fn settings(&self) -> Option<&AlertSettings> {
        self.settings.as_ref()
    }

    /// When the last alert of the current episode went out.
    pub fn last_sent(&self) -> Option<Time> {
        self.last_sent
    }

    /// Validates settings against the directory.
    pub fn validate(s: &AlertSettings, dir: &Directory) -> Result<(), AlertError> {
        if s.threshold_yuan < 0 {
            return Err(AlertError::Amount(s.threshold_yuan));
        }
        if s.recipients.is_empty() {
            return Err(AlertError::NoRecipients);
        }
        for r in &s.recipients {
            let ok = match r {
                Recipient::Member(m) => dir.is_member(m),
                Recipient::Department(d) => dir.dept(d).is_ok(),
                Recipient::Tag(t) => !dir.tagged(t).is_empty(),
            };
            if !ok {
                return Err(AlertError::Recipient(match r {
                    Recipient::Member(m) => format!("member:{m}"),
                    Recipient::Department(d) => format!("dept:{d}"),
                    Recipient::Tag(t) => format!("tag:{t}"),
                }));
            }
        }
        Ok(())
    }

    /// Sets or changes the settings (`.adjust`): a new episode starts.
    pub fn set(&mut self, s: AlertSettings, dir: &Directory) -> Result<(), AlertError> {
        Alert::validate(&s, dir)?;
        self.settings = Some(s);
        self.last_sent = None;
        Ok(())
    }

    /// Disables the alert (`.adjust`).
    pub fn disable(&mut self) -> Result<(), AlertError> {
        if self.settings.take().is_none() {
            return Err(AlertError::Off);
        }
        self.last_sent = None;
        Ok(())
    }

    /// The members the recipients name now, sorted and without repeats.
    pub fn resolve(recipients: &[Recipient], dir: &Directory) -> Vec<String> {
        let mut out = BTreeSet::new();
        for r in recipients {
            match r {
                Recipient::Member(m) => {
                    if dir.is_member(m) {
                        out.insert(m.clone());
                    }
                }
                Recipient::Department(d) => {
                    if let Ok(d) = dir.dept(d) {
                        for (_, m) in dir.members() {
                            if m.departments.iter().any(|x| dir.within(*x, d)) {
                                out.insert(m.id.clone());
                            }
                        }
                    }
                }
                Recipient::Tag(t) => {
                    for i in dir.tagged(t) {
                        out.insert(dir.member_rec(i).id.clone());
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// When the next alert is due for this balance, if any (for a scheduler).
    pub fn due(&self, balance: Fen, rules: &AlertRules) -> Option<Time> {
        let s = self.settings.as_ref()?;
        if balance >= Fen::yuan(s.threshold_yuan) {
            return None;
        }
        Some(match self.last_sent {
            None => Time::MIN,
            Some(t) => t.saturating_add(rules.interval(s.frequency)),
        })
    }

    /// Looks at the balance at `at`: sends an alert when one is due, and
    /// ends the episode when the balance has recovered (`.trigger`).
    pub fn evaluate(
        &mut self,
        balance: Fen,
        at: Time,
        dir: &Directory,
        rules: &AlertRules,
    ) -> Option<AlertNotice> {
        let s = self.settings.as_ref()?;
        let threshold = Fen::yuan(s.threshold_yuan);
        if balance >= threshold {
            self.last_sent = None;
            return None;
        }
        let interval = rules.interval(s.frequency);
        if let Some(t) = self.last_sent {
            if at < t.saturating_add(interval) {
                return None;
            }
        }
        self.last_sent = Some(at);
        let recipients = Alert::resolve(&s.recipients, dir);
        Some(AlertNotice {
            at,
            balance,
            threshold,
            next_at: at.saturating_add(interval),
            zh: format!(
                "余额不足提醒：企业可用余额 {balance} 低于预警金额 {threshold}，请及时充值（{}提醒）",
                s.frequency.zh()
            ),
            en: format!(
                "low balance: the available balance {balance} is below the alert amount {threshold}; please top up (repeats {})",
                s.frequency.variant()
            ),
            recipients,
            rule: rule::TRIGGER,
        })
    }
}

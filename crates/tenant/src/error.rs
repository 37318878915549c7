//! Typed errors of the tenant core. Messages are Chinese first, then English.

/// Why a command on a tenant was refused. The state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenantError {
    /// An id names nothing.
    #[error("未知的{what} unknown {what_en} `{id}`")]
    Unknown {
        /// What, in Chinese.
        what: &'static str,
        /// What, in English.
        what_en: &'static str,
        /// The id.
        id: String,
    },
    /// The id is taken.
    #[error("已存在 already exists: {0}")]
    Exists(String),
    /// A field's value is not acceptable.
    #[error("{field}: {zh} ({en})")]
    Invalid {
        /// The field.
        field: String,
        /// The problem, in Chinese.
        zh: String,
        /// The problem, in English.
        en: String,
    },
    /// The actor may not do this; the decision says why.
    #[error("{zh} ({en}) [{rule}]")]
    Denied {
        /// The rule that decided.
        rule: String,
        /// Why, in Chinese.
        zh: String,
        /// Why, in English.
        en: String,
    },
    /// A grant exceeds what the grantor holds; every missing part is named.
    #[error("授权超出授予者自身权限 the grant exceeds the grantor's rights: {}", .missing.join("; "))]
    Exceeds {
        /// The parts the grantor does not hold.
        missing: Vec<String>,
    },
}

impl TenantError {
    /// An unknown-id error.
    pub fn unknown(what: &'static str, what_en: &'static str, id: &str) -> Self {
        TenantError::Unknown {
            what,
            what_en,
            id: id.to_string(),
        }
    }
}

//! The listing file: what a developer submits (schema in `docs/LISTING.md`).

use serde::{Deserialize, Serialize};

/// Which market the listing is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Tencent Meeting's app market.
    Meeting,
    /// WeChat mini programs.
    Miniprogram,
    /// WeCom third-party apps.
    WecomIsv,
}

/// How far a Meeting listing goes: go live, market search, market showcase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// 上线 (`meeting-listing`).
    Listing,
    /// 应用市场搜索 (`meeting-search`).
    Search,
    /// 应用市场展示 (`meeting-showcase`).
    Showcase,
}

/// Preview images per device (paths relative to the listing file).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Previews {
    /// Desktop previews.
    #[serde(default)]
    pub desktop: Vec<String>,
    /// Mobile previews.
    #[serde(default)]
    pub mobile: Vec<String>,
}

/// The company behind the listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    /// 企业名称.
    pub name: Option<String>,
    /// 企业 LOGO (path).
    pub logo: Option<String>,
    /// 应用官网.
    pub website: Option<String>,
    /// 客服电话.
    pub support_phone: Option<String>,
}

/// A declared qualification document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Qualification {
    /// Document name as the seeds write it (《金融许可证》).
    pub kind: String,
    /// Licence number.
    pub number: Option<String>,
    /// Holder.
    pub holder: Option<String>,
}

/// One listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// Market.
    pub platform: Platform,
    /// Meeting level (default `listing`).
    pub level: Option<Level>,
    /// 名称.
    pub name: Option<String>,
    /// Logo image path.
    pub logo: Option<String>,
    /// 类目.
    pub category: Option<String>,
    /// 简介.
    pub intro: Option<String>,
    /// 详细描述.
    pub description: Option<String>,
    /// 预览页图片.
    #[serde(default)]
    pub previews: Previews,
    /// 版本号.
    pub version: Option<String>,
    /// 更新说明.
    pub release_notes: Option<String>,
    /// 隐私协议地址.
    pub privacy_url: Option<String>,
    /// 使用条款地址.
    pub terms_url: Option<String>,
    /// Privacy-policy text, inline.
    pub privacy_policy: Option<String>,
    /// Privacy-policy text, as a file path.
    pub privacy_policy_file: Option<String>,
    /// 企业信息.
    #[serde(default)]
    pub company: Company,
    /// 搜索关键词.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Declared features: payment, ugc, search-box, login, location,
    /// live-streaming, ai-generation, messaging, …
    #[serde(default)]
    pub features: Vec<String>,
    /// Declared business kinds (业务类别) of the qualification tables, e.g. 贷款业务.
    #[serde(default)]
    pub businesses: Vec<String>,
    /// Declared qualification documents.
    #[serde(default)]
    pub qualifications: Vec<Qualification>,
}

impl Listing {
    /// Parses JSON or TOML (chosen by the file name's extension, else sniffed).
    pub fn parse(name: &str, text: &str) -> Result<Listing, String> {
        let json = name.ends_with(".json")
            || (!name.ends_with(".toml") && text.trim_start().starts_with('{'));
        if json {
            serde_json::from_str(text)
                .map_err(|e| format!("{name}:{}:{}: {e}", e.line(), e.column()))
        } else {
            toml::from_str(text).map_err(|e| {
                let at = e
                    .span()
                    .map(|s| {
                        let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                        format!(":{line}")
                    })
                    .unwrap_or_default();
                format!("{name}{at}: {}", e.message())
            })
        }
    }

    /// Every image path the listing names, with the field it is in.
    pub fn image_paths(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(p) = &self.logo {
            out.push(("logo".to_string(), p.clone()));
        }
        for (i, p) in self.previews.desktop.iter().enumerate() {
            out.push((format!("previews.desktop[{i}]"), p.clone()));
        }
        for (i, p) in self.previews.mobile.iter().enumerate() {
            out.push((format!("previews.mobile[{i}]"), p.clone()));
        }
        if let Some(p) = &self.company.logo {
            out.push(("company.logo".to_string(), p.clone()));
        }
        out
    }
}

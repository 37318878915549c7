//! `bylaw serve` and `bylaw keys`: the HTTP server and its API keys.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Result};
use bylaw_server::auth::{generate, Role, KEY_REVOKED};
use bylaw_server::{AppState, Limits, ServeConfig, Sourcing};
use bylaw_store::NewEvent;
use clap::{Args, Subcommand, ValueEnum};

/// Log line formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// Arguments of `bylaw serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "BYLAW_ADDR")]
    pub addr: String,
    /// `sqlite://PATH` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(long, default_value = "sqlite://./bylaw.db", env = "BYLAW_DATABASE")]
    pub database: String,
    /// Directory of extra lexicons (`*.tsv`), allowlists (`allow*.tsv`) and
    /// `policy.toml`, read at start and at every reload.
    #[arg(long, value_name = "DIR", env = "BYLAW_LEXICONS")]
    pub lexicons: Option<PathBuf>,
    /// Compiled-lexicon cache directory (default: $BYLAW_CACHE or ~/.cache/bylaw).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Requests per second allowed per API key (0: no limit).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Burst above --rate, in requests (default: one second's worth).
    #[arg(long)]
    pub burst: Option<f64>,
    /// How often to pick up events other nodes wrote, in milliseconds.
    #[arg(long, default_value_t = 500)]
    pub poll_ms: u64,
    /// Largest JSON body, bytes.
    #[arg(long, default_value_t = Limits::default().body_bytes)]
    pub max_body: usize,
    /// Longest text to scan, characters.
    #[arg(long, default_value_t = Limits::default().text_chars)]
    pub max_text: usize,
    /// Most texts in one batch.
    #[arg(long, default_value_t = Limits::default().batch)]
    pub max_batch: usize,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Let webhooks reach loopback, private and link-local addresses (for
    /// receivers on the operator's own network). Off by default, so a
    /// provider's webhook cannot make the server call into that network.
    #[arg(long, env = "BYLAW_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
}

/// Arguments of `bylaw keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// The database.
    #[arg(
        long,
        global = true,
        default_value = "sqlite://./bylaw.db",
        env = "BYLAW_DATABASE"
    )]
    pub database: String,
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// Key commands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print its token (shown this once; only its hash is stored).
    Add {
        /// operator, reviewer, provider, tenant-admin or scanner.
        #[arg(long)]
        role: String,
        /// Provider: its subject id; tenant admin: its tenant id.
        #[arg(long)]
        owner: Option<String>,
        /// Tenant admin: the member it acts as.
        #[arg(long)]
        member: Option<String>,
        /// A label for people.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List keys (no secrets).
    List,
    /// Revoke a key.
    Revoke {
        /// Key id.
        id: String,
    },
}

fn config(a: &ServeArgs) -> Result<ServeConfig> {
    let addr = a
        .addr
        .parse()
        .map_err(|e| anyhow!("--addr `{}`: {e} (want HOST:PORT)", a.addr))?;
    let limits = Limits {
        body_bytes: a.max_body,
        text_chars: a.max_text,
        batch: a.max_batch,
        ..Limits::default()
    };
    Ok(ServeConfig {
        addr,
        database: a.database.clone(),
        sourcing: Sourcing {
            rulebooks: None,
            lexicons: a.lexicons.clone(),
            cache: Some(
                a.cache
                    .clone()
                    .unwrap_or_else(bylaw_textguard::cache::default_dir),
            ),
        },
        limits,
        rate: a.rate,
        burst: a.burst.unwrap_or(a.rate),
        poll: Duration::from_millis(a.poll_ms),
        webhook_private: a.webhook_allow_private,
    })
}

/// Runs the server until SIGINT/SIGTERM.
pub fn serve(a: ServeArgs, rulebooks: Option<PathBuf>) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match a.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    let mut cfg = config(&a)?;
    cfg.sourcing.rulebooks = rulebooks;
    let state = AppState::open(cfg.clone()).map_err(|e| anyhow!("{e}"))?;
    if state.keys.is_empty() {
        let (token, rec) =
            generate(Role::Operator, None, None, "bootstrap").map_err(|e| anyhow!("{e}"))?;
        state.add_key(&rec).map_err(|e| anyhow!("{e}"))?;
        eprintln!(
            "首个运营密钥（仅显示这一次）first operator key (shown this once):\n  {token}\n\
             用法 use: curl -H 'Authorization: Bearer {token}' http://{}/v1/rules",
            cfg.addr
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(cfg.addr)
            .await
            .map_err(|e| anyhow!("--addr {}: {e}", cfg.addr))?;
        let v = state.version.get();
        tracing::info!(
            addr = %listener.local_addr()?, database = %cfg.database,
            rulebook = v.rulebook_version(), lexicon = v.lexicon_version(),
            "listening"
        );
        drop(v);
        // Tests and scripts read this line to find the port.
        eprintln!("listening on http://{}", listener.local_addr()?);
        bylaw_server::serve(state, listener).await?;
        Ok::<(), anyhow::Error>(())
    })
}

/// Runs a key command.
pub fn keys(a: KeysArgs) -> Result<()> {
    let mut log =
        bylaw_server::state::open_log(&a.database).map_err(|e| anyhow!("{}: {e}", a.database))?;
    let at = bylaw_enforce::time::format(bylaw_server::state::now());
    match a.command {
        KeysCommand::Add {
            role,
            owner,
            member,
            label,
        } => {
            let role: Role = serde_json::from_value(serde_json::Value::String(role.clone()))
                .map_err(|_| {
                    anyhow!("--role `{role}`: want operator, reviewer, provider, tenant-admin or scanner")
                })?;
            let (token, rec) = generate(role, owner, member, &label).map_err(|e| anyhow!("{e}"))?;
            log.append(&[NewEvent {
                key: format!("{}:{}", bylaw_server::auth::KEY_CREATED, rec.id),
                at,
                kind: bylaw_server::auth::KEY_CREATED.into(),
                payload: serde_json::to_string(&rec)?,
            }])?;
            println!("{token}");
            eprintln!(
                "已创建 created key {} ({}); the token above is shown this once",
                rec.id,
                rec.role.as_str()
            );
        }
        KeysCommand::List => {
            let store = bylaw_server::auth::KeyStore::default();
            log.for_each_since(0, |ev| {
                if ev.kind.starts_with("server.key.") {
                    let _ = store.apply(&ev.kind, &ev.payload);
                }
                Ok(())
            })?;
            for k in store.list() {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.role.as_str(),
                    k.owner.as_deref().unwrap_or("-"),
                    k.member.as_deref().unwrap_or("-"),
                    k.label
                );
            }
        }
        KeysCommand::Revoke { id } => {
            log.append(&[NewEvent {
                key: format!("{KEY_REVOKED}:{id}"),
                at,
                kind: KEY_REVOKED.into(),
                payload: serde_json::json!({ "id": id }).to_string(),
            }])?;
            eprintln!("已吊销 revoked key {id}");
        }
    }
    Ok(())
}

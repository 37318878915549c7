//! PostgreSQL for tests (cargo feature `testing`): a server named by an environment variable, or a throwaway cluster this module starts.
//!
//! Other crates enable it in their dev-dependencies:
//! `bylaw-store = { workspace = true, features = ["testing"] }`, then call
//! [`postgres()`] and [`PgTest::fresh_url`] for an empty database per test.
//!
//! - `BYLAW_TEST_POSTGRES=postgres://user@host:port/db`: use that server
//!   (the user must be allowed to `CREATE DATABASE`).
//! - Otherwise `initdb` and `pg_ctl` are looked up on `PATH`, then in
//!   `/usr/lib/postgresql/*/bin`, and a cluster is created in
//!   `$CARGO_TARGET_DIR/pgtest` (else `<workspace>/target/pgtest`): data in
//!   `data/`, server log in `server.log`. It listens on 127.0.0.1 only, on
//!   the first free port from 54329, with trust authentication and without
//!   fsync (test data need not survive a power cut). When the tests run as
//!   root the server runs as the `postgres` user. Several test processes
//!   share it: the first one starts it (a lock file serialises starts), the
//!   others and later runs reuse it. It is left running; stop it with
//!   `pg_ctl -D target/pgtest/data stop -m fast` (as root:
//!   `runuser -u postgres -- pg_ctl -D target/pgtest/data stop -m fast`),
//!   and delete `target/pgtest` to start from scratch. It serves TLS
//!   (`ssl = on`) with a certificate for `localhost` from a CA made at
//!   `initdb` time, whose certificate is `target/pgtest/ca.crt`
//!   ([`PgTest::tls_root`]).
//! - Nothing found: [`postgres()`] prints `skipped: no PostgreSQL (…)` and
//!   returns `Ok(None)`, unless `BYLAW_REQUIRE_POSTGRES=1`, which makes it an
//!   error so that CI fails instead of skipping.
//!
//! Databases from earlier runs (named `bylaw_t_<unix time>_…`) are dropped
//! once they are an hour old.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postgres::{Client, Config, NoTls};

/// The environment variable naming a PostgreSQL server for tests.
pub const URL_ENV: &str = "BYLAW_TEST_POSTGRES";
/// The environment variable that, set to `1`, makes a missing PostgreSQL an error instead of a skip.
pub const REQUIRE_ENV: &str = "BYLAW_REQUIRE_POSTGRES";
/// The first port tried for the throwaway cluster.
const FIRST_PORT: u16 = 54329;
/// How many ports after [`FIRST_PORT`] are tried.
const PORTS_TRIED: u16 = 100;
/// The prefix of the databases [`PgTest::fresh_url`] creates.
const DB_PREFIX: &str = "bylaw_t_";
/// Test databases older than this are dropped.
const DB_MAX_AGE: Duration = Duration::from_secs(3600);

/// A PostgreSQL server tests may create databases on.
#[derive(Debug, Clone)]
pub struct PgTest {
    /// URL of the server's `postgres` database (or the one `BYLAW_TEST_POSTGRES` names).
    server: String,
    /// The cluster this module started, if it did.
    cluster: Option<Cluster>,
}

/// The test cluster's CA certificate, beside its `data` folder.
const CA_FILE: &str = "ca.crt";

/// A certificate authority and one server certificate it signed, as PEM.
#[derive(Debug, Clone)]
pub struct TestPki {
    /// The CA's certificate (what a client trusts).
    pub ca_pem: String,
    /// The server's certificate.
    pub server_cert_pem: String,
    /// The server's private key.
    pub server_key_pem: String,
}

/// Makes a fresh CA and a server certificate for `names` (DNS names or IP
/// addresses), for TLS tests.
pub fn test_pki(names: &[&str]) -> Result<TestPki, String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let err = |e: rcgen::Error| format!("test certificates: {e}");
    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "bylaw test CA");
    let ca_cert = ca.self_signed(&ca_key).map_err(err)?;
    let key = KeyPair::generate().map_err(err)?;
    let mut server =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .map_err(err)?;
    server.distinguished_name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("server"),
    );
    let cert = server
        .signed_by(&key, &Issuer::from_params(&ca, &ca_key))
        .map_err(err)?;
    Ok(TestPki {
        ca_pem: ca_cert.pem(),
        server_cert_pem: cert.pem(),
        server_key_pem: key.serialize_pem(),
    })
}

/// A throwaway cluster under the target directory.
#[derive(Debug, Clone)]
struct Cluster {
    /// The folder holding `initdb` and `pg_ctl`.
    bin: PathBuf,
    /// `target/pgtest`.
    dir: PathBuf,
    /// Whether the server commands run as the `postgres` user (the tests run as root).
    as_postgres: bool,
}

/// What looking for a server found.
#[derive(Debug, Clone)]
enum Found {
    /// A working server.
    Server(PgTest),
    /// None, and why.
    Missing(String),
}

/// The PostgreSQL server for tests: `Ok(None)` (after printing `skipped: no PostgreSQL (…)`) when there is none and `BYLAW_REQUIRE_POSTGRES` is not `1`.
///
/// The first call in a process finds or starts the server; later calls
/// return the same answer.
pub fn postgres() -> Result<Option<PgTest>, String> {
    static FOUND: OnceLock<Result<Found, String>> = OnceLock::new();
    match FOUND.get_or_init(find) {
        Ok(Found::Server(pg)) => Ok(Some(pg.clone())),
        Ok(Found::Missing(why)) if required() => Err(format!(
            "{REQUIRE_ENV}=1 but there is no PostgreSQL to test with: {why}"
        )),
        Ok(Found::Missing(why)) => {
            eprintln!(
                "skipped: no PostgreSQL ({why}); install PostgreSQL (initdb, pg_ctl) or set {URL_ENV}=postgres://…"
            );
            Ok(None)
        }
        Err(e) => Err(e.clone()),
    }
}

/// Whether `BYLAW_REQUIRE_POSTGRES` asks for PostgreSQL to be there.
fn required() -> bool {
    std::env::var(REQUIRE_ENV).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

impl PgTest {
    /// The URL of the server's maintenance database (for raw SQL such as `pg_terminate_backend`).
    pub fn server_url(&self) -> &str {
        &self.server
    }

    /// Creates a new empty database with a unique name and returns its URL.
    pub fn fresh_url(&self) -> Result<String, String> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!(
            "{DB_PREFIX}{}_{}_{n}",
            unix_now().as_secs(),
            std::process::id()
        );
        let mut client = connect(&self.server)?;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .map_err(|e| format!("CREATE DATABASE {name}: {}", pg_error(&e)))?;
        Ok(with_dbname(&self.server, &name))
    }

    /// The CA certificate file the server's TLS certificate chains to (it
    /// is issued for `localhost`, not for `127.0.0.1`), for a cluster this
    /// module started with TLS; `None` for the server `BYLAW_TEST_POSTGRES`
    /// names, or a cluster made before TLS was set up (delete
    /// `target/pgtest` to remake it).
    pub fn tls_root(&self) -> Option<PathBuf> {
        let ca = self.cluster.as_ref()?.dir.join(CA_FILE);
        ca.is_file().then_some(ca)
    }

    /// Restarts the server (`pg_ctl restart -m fast`), for tests of reconnection; an error for a server this module did not start.
    pub fn restart(&self) -> Result<(), String> {
        let Some(cluster) = &self.cluster else {
            return Err(format!(
                "the server named by {URL_ENV} is not one these tests may restart"
            ));
        };
        let _lock = StartLock::take(&cluster.dir.join("start.lock"))?;
        let data = cluster.dir.join("data");
        let log = cluster.dir.join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "-m".as_ref(),
                "fast".as_ref(),
                "restart".as_ref(),
            ],
        )?;
        connect(&self.server).map(drop)
    }
}

/// Looks for a server: the environment's, else a cluster of our own.
fn find() -> Result<Found, String> {
    if let Some(url) = std::env::var(URL_ENV).ok().filter(|u| !u.trim().is_empty()) {
        let pg = PgTest {
            server: url.clone(),
            cluster: None,
        };
        connect(&url).map_err(|e| format!("{URL_ENV}: {e}"))?;
        drop_old_databases(&pg.server);
        return Ok(Found::Server(pg));
    }
    let Some(bin) = find_bin() else {
        return Ok(Found::Missing(
            "initdb and pg_ctl are not on PATH nor in /usr/lib/postgresql/*/bin".into(),
        ));
    };
    let as_postgres = euid() == Some(0);
    let owner = if as_postgres {
        match postgres_user() {
            Some(ids) => Some(ids),
            None => {
                return Ok(Found::Missing(
                    "running as root, and there is no `postgres` user to run the server as".into(),
                ))
            }
        }
    } else {
        None
    };
    let cluster = Cluster {
        bin,
        dir: pgtest_dir(),
        as_postgres,
    };
    let port = cluster.start(owner)?;
    let server = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    drop_old_databases(&server);
    Ok(Found::Server(PgTest {
        server,
        cluster: Some(cluster),
    }))
}

impl Cluster {
    /// Creates the cluster if needed and starts it unless it runs; returns its port.
    fn start(&self, owner: Option<(u32, u32)>) -> Result<u16, String> {
        fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        if let Some((uid, gid)) = owner {
            chown(&self.dir, uid, gid)?;
        }
        let _lock = StartLock::take(&self.dir.join("start.lock"))?;
        let data = self.dir.join("data");
        if !data.join("PG_VERSION").is_file() {
            self.init(&data, owner)?;
        }
        if let Some(port) = running_port(&data) {
            return Ok(port);
        }
        let port = (FIRST_PORT..FIRST_PORT + PORTS_TRIED)
            .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
            .ok_or_else(|| format!("no free port in {FIRST_PORT}..{}", FIRST_PORT + PORTS_TRIED))?;
        let log = self.dir.join("server.log");
        if let Some((uid, gid)) = owner {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .map_err(|e| format!("{}: {e}", log.display()))?;
            chown(&log, uid, gid)?;
        }
        let port_option = format!("-p {port}");
        let started = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "-o".as_ref(),
                port_option.as_ref(),
                "start".as_ref(),
            ],
        );
        if let Err(e) = started {
            let tail = fs::read_to_string(&log)
                .map(|t| {
                    let lines: Vec<&str> = t.lines().collect();
                    lines[lines.len().saturating_sub(15)..].join("\n")
                })
                .unwrap_or_default();
            return Err(format!("{e}\nserver log {}:\n{tail}", log.display()));
        }
        Ok(port)
    }

    /// Runs `initdb` into a scratch folder, adds the test settings, and moves it to `data`.
    fn init(&self, data: &Path, owner: Option<(u32, u32)>) -> Result<(), String> {
        let scratch = self.dir.join("data.init");
        if scratch.exists() {
            fs::remove_dir_all(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
        }
        fs::create_dir(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
        if let Some((uid, gid)) = owner {
            chown(&scratch, uid, gid)?;
        }
        self.run(
            "initdb",
            &[
                "-D".as_ref(),
                scratch.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        let conf = scratch.join("postgresql.conf");
        let mut file = OpenOptions::new()
            .append(true)
            .open(&conf)
            .map_err(|e| format!("{}: {e}", conf.display()))?;
        file.write_all(
            b"\n# bylaw test cluster (bylaw_store::testing)\n\
              listen_addresses = '127.0.0.1'\n\
              unix_socket_directories = ''\n\
              max_connections = 200\n\
              shared_buffers = 32MB\n\
              fsync = off\n\
              full_page_writes = off\n\
              log_min_messages = warning\n\
              ssl = on\n",
        )
        .map_err(|e| format!("{}: {e}", conf.display()))?;
        // TLS: a certificate for `localhost` from a CA of our own, whose
        // certificate the tests trust (PgTest::tls_root).
        let pki = test_pki(&["localhost"])?;
        let write = |path: PathBuf, text: &str, mode: u32| -> Result<(), String> {
            use std::os::unix::fs::PermissionsExt;
            fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            fs::set_permissions(&path, fs::Permissions::from_mode(mode))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            match owner {
                Some((uid, gid)) => chown(&path, uid, gid),
                None => Ok(()),
            }
        };
        write(scratch.join("server.crt"), &pki.server_cert_pem, 0o644)?;
        write(scratch.join("server.key"), &pki.server_key_pem, 0o600)?;
        write(self.dir.join(CA_FILE), &pki.ca_pem, 0o644)?;
        fs::rename(&scratch, data).map_err(|e| format!("{}: {e}", data.display()))
    }

    /// Runs one of the server's programs (as `postgres` when we are root); an error carries its output.
    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<(), String> {
        let exe = self.bin.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        // The server user may not be allowed into the caller's folder. The
        // output goes to a file, not a pipe: a server started by `pg_ctl`
        // could inherit a pipe and keep it open, and reading it would hang.
        let out_path = self.dir.join(format!("{program}.out"));
        let out =
            fs::File::create(&out_path).map_err(|e| format!("{}: {e}", out_path.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("{}: {e}", out_path.display()))?;
        cmd.args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let status = cmd
            .status()
            .map_err(|e| format!("{}: {e}", exe.display()))?;
        if status.success() {
            return Ok(());
        }
        Err(format!(
            "{} failed ({status}):\n{}",
            exe.display(),
            fs::read_to_string(&out_path).unwrap_or_default()
        ))
    }
}

/// The port of the cluster running on `data`, if it runs and answers.
fn running_port(data: &Path) -> Option<u16> {
    let pid_file = fs::read_to_string(data.join("postmaster.pid")).ok()?;
    let mut lines = pid_file.lines();
    let pid = lines.next()?.trim();
    let port: u16 = lines.nth(2)?.trim().parse().ok()?;
    if !Path::new("/proc").join(pid).exists() {
        return None;
    }
    connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres")).ok()?;
    Some(port)
}

/// `$CARGO_TARGET_DIR/pgtest` when that is absolute, else `<workspace>/target/pgtest`.
fn pgtest_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        if dir.is_absolute() {
            return dir.join("pgtest");
        }
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    fs::canonicalize(&workspace)
        .unwrap_or(workspace)
        .join("target")
        .join("pgtest")
}

/// The folder holding `initdb` and `pg_ctl`: on `PATH`, else the newest `/usr/lib/postgresql/*/bin`.
fn find_bin() -> Option<PathBuf> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("pg_ctl").is_file();
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has(d)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

/// The effective user id, from `/proc/self/status`.
fn euid() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// The uid and gid of the `postgres` user, from `/etc/passwd`.
fn postgres_user() -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:"))?;
    let mut fields = line.split(':').skip(2);
    Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
}

/// Gives `path` to `uid:gid`.
fn chown(path: &Path, uid: u32, gid: u32) -> Result<(), String> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(|e| format!("chown {}: {e}", path.display()))
}

/// Connects to `url` (3 s timeout) and checks the server answers.
fn connect(url: &str) -> Result<Client, String> {
    let mut config: Config = url.parse().map_err(|e| format!("{url}: {e}"))?;
    config.connect_timeout(Duration::from_secs(3));
    let mut client = config
        .connect(NoTls)
        .map_err(|e| format!("connect {}: {}", crate::redact(url), pg_error(&e)))?;
    client.batch_execute("SELECT 1").map_err(|e| pg_error(&e))?;
    Ok(client)
}

/// A PostgreSQL error with its cause (the client's own text is only "db error").
fn pg_error(e: &postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Drops the test databases of earlier runs that are older than [`DB_MAX_AGE`]; failures are ignored.
fn drop_old_databases(server: &str) {
    let Ok(mut client) = connect(server) else {
        return;
    };
    let Ok(rows) = client.query(
        "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
        &[&DB_PREFIX],
    ) else {
        return;
    };
    let now = unix_now().as_secs();
    for row in rows {
        let Ok(name) = row.try_get::<_, String>(0) else {
            continue;
        };
        let born = name
            .strip_prefix(DB_PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|secs| secs.parse::<u64>().ok());
        if born.is_some_and(|b| now.saturating_sub(b) > DB_MAX_AGE.as_secs()) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
        }
    }
}

/// The time since the Unix epoch.
fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// `url` with its database replaced by `name` (query parameters kept).
fn with_dbname(url: &str, name: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url} dbname={name}");
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{scheme}://{authority}/{name}{query}")
}

/// A lock file serialising cluster starts across test processes; removed on drop.
struct StartLock(PathBuf);

impl StartLock {
    /// Waits (up to three minutes) until the lock file can be created, taking over one left by a dead process.
    fn take(path: &Path) -> Result<StartLock, String> {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut file) => {
                    // Best effort: an empty file is judged by its age instead.
                    let _ = write!(file, "{}", std::process::id());
                    return Ok(StartLock(path.to_path_buf()));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if lock_is_stale(path) {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if Instant::now() > deadline {
                        return Err(format!(
                            "{} is held by another process; remove it if no test runs",
                            path.display()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(format!("{}: {e}", path.display())),
            }
        }
    }
}

impl Drop for StartLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// Whether the lock at `path` was left by a process that is gone (or is older than five minutes).
fn lock_is_stale(path: &Path) -> bool {
    let age = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .unwrap_or_default();
    if age > Duration::from_secs(300) {
        return true;
    }
    match fs::read_to_string(path).map(|s| s.trim().to_string()) {
        Ok(pid) if !pid.is_empty() => !Path::new("/proc").join(&pid).exists(),
        _ => age > Duration::from_secs(10),
    }
}

#[cfg(test)]
mod tests {
    use super::with_dbname;

    #[test]
    fn database_names_are_replaced() {
        assert_eq!(
            with_dbname("postgres://postgres@127.0.0.1:54329/postgres", "x"),
            "postgres://postgres@127.0.0.1:54329/x"
        );
        assert_eq!(
            with_dbname("postgres://u:p@h:1?connect_timeout=3", "x"),
            "postgres://u:p@h:1/x?connect_timeout=3"
        );
        assert_eq!(with_dbname("postgresql://h", "x"), "postgresql://h/x");
    }
}

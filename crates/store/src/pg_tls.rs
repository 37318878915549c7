//! TLS to PostgreSQL (rustls), with libpq's meanings of `sslmode` and
//! `sslrootcert`.
//!
//! Why it works this way: a `postgres://` URL that works with `psql` should
//! work here and mean the same, since operators copy them from their
//! managed-database console. The `postgres` client understands only
//! `sslmode=disable|prefer|require`, and leaves verification to the TLS
//! connector; so this module takes `sslmode` and `sslrootcert` off the URL,
//! hands the client the mode it knows, and builds a connector that checks
//! what libpq would check:
//!
//! | `sslmode` | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default) | when the server offers it | no (chain only when `sslrootcert` is given, as libpq) |
//! | `require` | always | no (chain only when `sslrootcert` is given, as libpq) |
//! | `verify-ca` | always | chain against the roots |
//! | `verify-full` | always | chain, and the host name (or IP) against the certificate |
//!
//! Roots come from `sslrootcert=PATH` (PEM, one or more certificates),
//! `sslrootcert=system` (the Mozilla roots built into this binary; nothing
//! is read or fetched at run time), or else libpq's default file
//! `~/.postgresql/root.crt`; a verifying mode without any of them is an
//! error naming the parameter. Without verification the connection is
//! encrypted but not authenticated, exactly as libpq's `require`: use a
//! `verify-*` mode against a network you do not control.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How far the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verify {
    /// Not at all (encryption only).
    Nothing,
    /// The chain against the roots.
    Chain,
    /// The chain and the host name.
    Full,
}

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Roots {
    /// None given.
    Unset,
    /// A PEM file.
    File(PathBuf),
    /// The Mozilla roots built in (`sslrootcert=system`).
    System,
}

/// The TLS settings of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    /// What to check.
    pub(crate) verify: Verify,
    /// The roots to check against.
    pub(crate) roots: Roots,
}

/// Takes `sslmode` and `sslrootcert` off `url`: the URL for the `postgres`
/// client (its `sslmode` one it knows) and the TLS settings, or what is
/// wrong with a parameter.
pub(crate) fn split_url(url: &str) -> Result<(String, Settings), String> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut kept = Vec::new();
    let mut mode = "prefer";
    let mut roots = Roots::Unset;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                mode = match value {
                    "disable" | "prefer" | "require" | "verify-ca" | "verify-full" => value,
                    other => {
                        return Err(format!(
                            "sslmode={other} is not supported: use disable, prefer, require, verify-ca or verify-full"
                        ))
                    }
                }
            }
            "sslrootcert" => {
                let path = percent_decode(value)
                    .ok_or_else(|| format!("sslrootcert={value}: bad percent-encoding"))?;
                roots = match path.as_str() {
                    "" => return Err("sslrootcert is empty".into()),
                    "system" => Roots::System,
                    _ => Roots::File(PathBuf::from(path)),
                };
            }
            _ => kept.push(pair),
        }
    }
    // The client's own modes; the verifying ones are `require` plus the
    // connector's checks.
    kept.push(match mode {
        "disable" => "sslmode=disable",
        "prefer" => "sslmode=prefer",
        _ => "sslmode=require",
    });
    let verify = match mode {
        "verify-full" => Verify::Full,
        "verify-ca" => Verify::Chain,
        // libpq: with a root certificate, require (and prefer) check the chain.
        _ if roots != Roots::Unset => Verify::Chain,
        _ => Verify::Nothing,
    };
    if verify != Verify::Nothing && roots == Roots::Unset {
        roots = match default_root_file() {
            Some(p) => Roots::File(p),
            None => {
                return Err(format!(
                    "sslmode={mode} needs trusted roots: add sslrootcert=PATH (the CA's PEM file) or sslrootcert=system"
                ))
            }
        };
    }
    Ok((
        format!("{base}?{}", kept.join("&")),
        Settings { verify, roots },
    ))
}

/// libpq's default root file, `~/.postgresql/root.crt`, when it exists.
fn default_root_file() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    let p = PathBuf::from(home).join(".postgresql").join("root.crt");
    p.is_file().then_some(p)
}

/// Decodes `%XX` escapes; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The connector for `settings`, or what is wrong with the roots.
pub(crate) fn connector(settings: &Settings) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let config = match settings.verify {
        Verify::Nothing => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth(),
        Verify::Chain | Verify::Full => {
            let roots = load_roots(&settings.roots)?;
            let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| format!("TLS roots: {e}"))?;
            if settings.verify == Verify::Full {
                builder.with_webpki_verifier(webpki).with_no_client_auth()
            } else {
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
                    .with_no_client_auth()
            }
        }
    };
    Ok(MakeRustlsConnect::new(config))
}

/// The trusted roots.
fn load_roots(roots: &Roots) -> Result<RootCertStore, String> {
    match roots {
        Roots::System => Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        }),
        Roots::Unset => Err("no trusted roots".into()),
        Roots::File(path) => {
            let shown = path.display();
            let mut store = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("sslrootcert {shown}: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("sslrootcert {shown}: {e}"))?;
                store
                    .add(cert)
                    .map_err(|e| format!("sslrootcert {shown}: {e}"))?;
            }
            if store.is_empty() {
                return Err(format!("sslrootcert {shown}: no certificate in the file"));
            }
            Ok(store)
        }
    }
}

/// Accepts any certificate but still checks that the server holds its key
/// (the handshake signatures): libpq's `require` without roots.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Checks the chain but not the name: libpq's `verify-ca`.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(url: &str) -> (String, Settings) {
        split_url(url).unwrap()
    }

    #[test]
    fn sslmode_and_sslrootcert_are_taken_off_the_url() {
        let (u, s) = split("postgres://u@h/db");
        assert_eq!(u, "postgres://u@h/db?sslmode=prefer");
        assert_eq!(s.verify, Verify::Nothing);
        let (u, s) = split("postgres://u@h/db?connect_timeout=3&sslmode=require");
        assert_eq!(u, "postgres://u@h/db?connect_timeout=3&sslmode=require");
        assert_eq!(s.verify, Verify::Nothing);
        let (u, s) = split("postgres://u@h/db?sslmode=disable");
        assert_eq!(u, "postgres://u@h/db?sslmode=disable");
        assert_eq!(s.verify, Verify::Nothing);
        let (u, s) = split("postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem");
        assert_eq!(u, "postgres://u@h/db?sslmode=require");
        assert_eq!(s.verify, Verify::Full);
        assert_eq!(s.roots, Roots::File("/etc/ca.pem".into()));
        let (_, s) = split("postgres://u@h/db?sslmode=verify-ca&sslrootcert=system");
        assert_eq!((s.verify, s.roots), (Verify::Chain, Roots::System));
        // libpq: a root certificate makes require check the chain.
        let (_, s) = split("postgres://u@h/db?sslmode=require&sslrootcert=/ca.pem");
        assert_eq!(s.verify, Verify::Chain);
    }

    #[test]
    fn bad_tls_parameters_are_named() {
        let e = split_url("postgres://h/db?sslmode=allow").unwrap_err();
        assert!(e.contains("sslmode=allow"), "{e}");
        let e = split_url("postgres://h/db?sslmode=verify-full&sslrootcert=").unwrap_err();
        assert!(e.contains("sslrootcert"), "{e}");
        let e = split_url("postgres://h/db?sslrootcert=%zz").unwrap_err();
        assert!(e.contains("sslrootcert"), "{e}");
        let no_roots = Settings {
            verify: Verify::Full,
            roots: Roots::File("/nonexistent/ca.pem".into()),
        };
        let e = connector(&no_roots).err().unwrap();
        assert!(e.contains("/nonexistent/ca.pem"), "{e}");
    }

    #[test]
    fn verify_without_roots_names_sslrootcert_unless_libpq_default_exists() {
        if default_root_file().is_some() {
            return;
        }
        let e = split_url("postgres://h/db?sslmode=verify-full").unwrap_err();
        assert!(e.contains("sslrootcert"), "{e}");
    }
}

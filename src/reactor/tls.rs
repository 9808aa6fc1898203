//! TLS material: the `tls-*` directives turned into one rustls server configuration (the
//! `tls-port` listener) and one client configuration (instance links under
//! `tls-replication yes`), as Redis's `tlsConfigure` builds its two `SSL_CTX`s, with its
//! error texts. What rustls cannot honour (TLS 1.0/1.1, finite-field DH parameters, OpenSSL
//! cipher-string keywords, encrypted keys) is refused or named in a notice, never skipped
//! silently. [`TlsContext`] is swapped whole on reload; connections keep the `Arc`s they
//! were created with.

use std::fmt;
use std::io;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache, WebPkiClientVerifier};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig,
    SignatureScheme, SupportedCipherSuite, SupportedProtocolVersion,
};

use crate::config::GenericOptions;

/// `tls-auth-clients`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthClients {
    No,
    Yes,
    Optional,
}

/// The `tls-*` directives as the TLS layer reads them (file names, not contents: a
/// reload reads the files again).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    pub port: u16,
    pub replication: bool,
    pub cluster: bool,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub key_file_pass: Option<String>,
    pub client_cert_file: Option<String>,
    pub client_key_file: Option<String>,
    pub client_key_file_pass: Option<String>,
    pub ca_cert_file: Option<String>,
    pub ca_cert_dir: Option<String>,
    pub auth_clients: Option<AuthClients>,
    pub protocols: Option<String>,
    pub ciphers: Option<String>,
    pub ciphersuites: Option<String>,
    pub prefer_server_ciphers: bool,
    pub session_caching: bool,
    pub session_cache_size: u64,
    pub session_cache_timeout: u64,
    pub dh_params_file: Option<String>,
}

impl TlsSettings {
    /// Reads the directives from the loaded config.
    pub fn from_config(g: &GenericOptions) -> TlsSettings {
        let s = |name: &str| g.value(name).filter(|v| !v.is_empty());
        let n = |name: &str, d: u64| s(name).and_then(|v| v.parse().ok()).unwrap_or(d);
        TlsSettings {
            port: g.tls_port,
            replication: g.tls_replication,
            cluster: s("tls-cluster").as_deref() == Some("yes"),
            cert_file: s("tls-cert-file"),
            key_file: s("tls-key-file"),
            key_file_pass: s("tls-key-file-pass"),
            client_cert_file: s("tls-client-cert-file"),
            client_key_file: s("tls-client-key-file"),
            client_key_file_pass: s("tls-client-key-file-pass"),
            ca_cert_file: s("tls-ca-cert-file"),
            ca_cert_dir: s("tls-ca-cert-dir"),
            auth_clients: Some(match s("tls-auth-clients").as_deref() {
                Some("no") => AuthClients::No,
                Some("optional") => AuthClients::Optional,
                _ => AuthClients::Yes,
            }),
            protocols: s("tls-protocols"),
            ciphers: s("tls-ciphers"),
            ciphersuites: s("tls-ciphersuites"),
            prefer_server_ciphers: s("tls-prefer-server-ciphers").as_deref() == Some("yes"),
            session_caching: s("tls-session-caching").as_deref() != Some("no"),
            session_cache_size: n("tls-session-cache-size", 20480),
            session_cache_timeout: n("tls-session-cache-timeout", 300),
            dh_params_file: s("tls-dh-params-file"),
        }
    }

    /// Redis configures TLS when a TLS port, TLS replication or TLS cluster is asked for.
    pub fn enabled(&self) -> bool {
        self.port != 0 || self.replication || self.cluster
    }

    /// Sets one of the file directives (`""` unsets it); other names are ignored.
    pub fn set_file(&mut self, name: &str, value: &str) {
        let v = (!value.is_empty()).then(|| value.to_string());
        match name {
            "tls-cert-file" => self.cert_file = v,
            "tls-key-file" => self.key_file = v,
            "tls-key-file-pass" => self.key_file_pass = v,
            "tls-client-cert-file" => self.client_cert_file = v,
            "tls-client-key-file" => self.client_key_file = v,
            "tls-client-key-file-pass" => self.client_key_file_pass = v,
            "tls-ca-cert-file" => self.ca_cert_file = v,
            "tls-ca-cert-dir" => self.ca_cert_dir = v,
            _ => {}
        }
    }

    fn auth(&self) -> AuthClients {
        self.auth_clients.unwrap_or(AuthClients::Yes)
    }
}

/// Why TLS could not be configured; `Display` is Redis's log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsError {
    NoCertFile,
    NoKeyFile,
    NoCaConfigured,
    InvalidProtocols,
    /// Only TLS 1.0/1.1 were asked for: rustls implements neither.
    OnlyLegacyProtocols,
    Certificate {
        path: String,
        reason: String,
    },
    PrivateKey {
        path: String,
        reason: String,
    },
    Ca {
        reason: String,
    },
    Ciphers(String),
    Ciphersuites(String),
    DhParams {
        path: String,
        reason: String,
    },
    /// rustls refused the combination (e.g. a key that does not match the certificate).
    Rustls(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::NoCertFile => write!(f, "No tls-cert-file configured!"),
            TlsError::NoKeyFile => write!(f, "No tls-key-file configured!"),
            TlsError::NoCaConfigured => write!(
                f,
                "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, \
                 tls-replication or tls-auth-clients are enabled!"
            ),
            TlsError::InvalidProtocols => write!(
                f,
                "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', \
                 'TLSv1.2' and 'TLSv1.3'."
            ),
            TlsError::OnlyLegacyProtocols => write!(
                f,
                "tls-protocols names only TLSv1/TLSv1.1, which this build (rustls) does not \
                 implement: add 'TLSv1.2' and/or 'TLSv1.3'."
            ),
            TlsError::Certificate { path, reason } => {
                write!(f, "Failed to load certificate: {path}: {reason}")
            }
            TlsError::PrivateKey { path, reason } => {
                write!(f, "Failed to load private key: {path}: {reason}")
            }
            TlsError::Ca { reason } => write!(
                f,
                "Failed to configure CA certificate(s) file/directory: {reason}"
            ),
            TlsError::Ciphers(s) => write!(f, "Failed to configure ciphers: {s}"),
            TlsError::Ciphersuites(s) => write!(f, "Failed to configure ciphersuites: {s}"),
            TlsError::DhParams { path, reason } => write!(f, "Failed to load {path}: {reason}"),
            TlsError::Rustls(e) => write!(f, "Failed to configure TLS: {e}"),
        }
    }
}

/// The configured material: what new connections are created from.
pub struct TlsContext {
    pub server: Arc<ServerConfig>,
    /// `None` when no CA is configured (then no outgoing TLS is possible, and none is
    /// asked for: `tls-replication` requires a CA).
    pub client: Option<Arc<ClientConfig>>,
}

/// A configured context and the notices to log about what was not applied.
pub struct Configured {
    pub context: TlsContext,
    pub notices: Vec<String>,
}

/// An io error as OpenSSL's system-library text shows it (no "(os error N)").
fn io_reason(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s.get(..i).unwrap_or(&s).to_string(),
        None => s,
    }
}

fn read_file(path: &str) -> Result<Vec<u8>, io::Error> {
    std::fs::read(path)
}

/// A certificate chain file (PEM, leaf first), as `SSL_CTX_use_certificate_chain_file`.
fn load_chain(path: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let err = |reason: String| TlsError::Certificate {
        path: path.to_string(),
        reason,
    };
    let bytes = read_file(path).map_err(|e| err(io_reason(&e)))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| err(format!("{e:?}")))?;
    if certs.is_empty() {
        return Err(err("no PEM certificate found (no start line)".into()));
    }
    Ok(certs)
}

/// A private key file (PEM: PKCS#8, PKCS#1 or SEC1). An encrypted key cannot be read by
/// this build; `pass` is then named in the error.
fn load_key(
    path: &str,
    pass: Option<&str>,
    notices: &mut Vec<String>,
    directive: &str,
) -> Result<PrivateKeyDer<'static>, TlsError> {
    let err = |reason: String| TlsError::PrivateKey {
        path: path.to_string(),
        reason,
    };
    let bytes = read_file(path).map_err(|e| err(io_reason(&e)))?;
    if memchr::memmem::find(&bytes, b"ENCRYPTED").is_some() {
        return Err(err(format!(
            "the key is encrypted, and this build (rustls) cannot decrypt PEM keys{}; store \
             it decrypted (openssl pkey -in {path} -out <new file>) with file permissions \
             protecting it",
            if pass.is_some() {
                format!(" even with {directive}")
            } else {
                String::new()
            }
        )));
    }
    if pass.is_some() {
        notices.push(format!(
            "{directive} is ignored: {path} is not encrypted, no passphrase is needed"
        ));
    }
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| err(format!("{e:?}")))
}

/// The trust anchors from `tls-ca-cert-file` and every certificate in `tls-ca-cert-dir`.
fn load_roots(s: &TlsSettings) -> Result<Option<RootCertStore>, TlsError> {
    if s.ca_cert_file.is_none() && s.ca_cert_dir.is_none() {
        return Ok(None);
    }
    let mut roots = RootCertStore::empty();
    let mut add_pem = |bytes: &[u8], origin: &str| -> Result<usize, TlsError> {
        let mut n = 0;
        for c in CertificateDer::pem_slice_iter(bytes) {
            let c = c.map_err(|e| TlsError::Ca {
                reason: format!("{origin}: {e:?}"),
            })?;
            roots.add(c).map_err(|e| TlsError::Ca {
                reason: format!("{origin}: {e}"),
            })?;
            n += 1;
        }
        Ok(n)
    };
    if let Some(f) = &s.ca_cert_file {
        let bytes = read_file(f).map_err(|e| TlsError::Ca {
            reason: format!("{f}: {}", io_reason(&e)),
        })?;
        if add_pem(&bytes, f)? == 0 {
            return Err(TlsError::Ca {
                reason: format!("{f}: no PEM certificate found"),
            });
        }
    }
    if let Some(d) = &s.ca_cert_dir {
        let entries = std::fs::read_dir(d).map_err(|e| TlsError::Ca {
            reason: format!("{d}: {}", io_reason(&e)),
        })?;
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            // Hash links (`abcd1234.0`) and the files they point at are both read; a
            // duplicate anchor is harmless. Files that hold no certificate are skipped.
            if let Ok(bytes) = std::fs::read(&p) {
                let shown = p.display().to_string();
                let _ = add_pem(&bytes, &shown);
            }
        }
    }
    if roots.is_empty() {
        return Err(TlsError::Ca {
            reason: "no CA certificate found".into(),
        });
    }
    Ok(Some(roots))
}

/// `tls-protocols`; TLS 1.0/1.1 are dropped with a notice.
fn protocol_versions(
    s: &TlsSettings,
    notices: &mut Vec<String>,
) -> Result<Vec<&'static SupportedProtocolVersion>, TlsError> {
    let Some(p) = &s.protocols else {
        return Ok(vec![&rustls::version::TLS13, &rustls::version::TLS12]);
    };
    let (mut v12, mut v13, mut legacy) = (false, false, Vec::new());
    for tok in p.split(' ').filter(|t| !t.is_empty()) {
        match tok.to_ascii_lowercase().as_str() {
            "tlsv1" | "tlsv1.1" => legacy.push(tok.to_string()),
            "tlsv1.2" => v12 = true,
            "tlsv1.3" => v13 = true,
            _ => return Err(TlsError::InvalidProtocols),
        }
    }
    if !legacy.is_empty() {
        if !v12 && !v13 {
            return Err(TlsError::OnlyLegacyProtocols);
        }
        notices.push(format!(
            "tls-protocols: {} ignored: this build (rustls) implements only TLSv1.2 and TLSv1.3",
            legacy.join(" ")
        ));
    }
    let mut out = Vec::new();
    if v13 {
        out.push(&rustls::version::TLS13);
    }
    if v12 {
        out.push(&rustls::version::TLS12);
    }
    Ok(out)
}

/// OpenSSL names of the TLS 1.2 suites rustls implements.
const TLS12_NAMES: &[(&str, &str)] = &[
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// OpenSSL cipher-string keywords: meaningful to OpenSSL, with no rustls equivalent.
fn is_openssl_keyword(tok: &str) -> bool {
    tok.starts_with(['!', '-', '+', '@'])
        || tok
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !tok.contains('-')
}

fn suite_name(s: &SupportedCipherSuite) -> String {
    format!("{:?}", s.suite())
}

/// A TLS 1.3 suite's IANA name, as `tls-ciphersuites` spells it (rustls says `TLS13_...`).
fn iana13(s: &SupportedCipherSuite) -> String {
    suite_name(s).replacen("TLS13_", "TLS_", 1)
}

/// The suites to offer: `tls-ciphers` (TLS 1.2, an OpenSSL cipher string) and
/// `tls-ciphersuites` (TLS 1.3, a colon list of IANA names) filter the provider's suites.
fn cipher_suites(
    s: &TlsSettings,
    notices: &mut Vec<String>,
) -> Result<Vec<SupportedCipherSuite>, TlsError> {
    let all = ring::default_provider().cipher_suites;
    let is13 = |c: &SupportedCipherSuite| matches!(c, SupportedCipherSuite::Tls13(_));
    let mut out: Vec<SupportedCipherSuite> = Vec::new();
    match &s.ciphers {
        None => out.extend(all.iter().filter(|c| !is13(c)).copied()),
        Some(list) => {
            let (mut picked, mut ignored, mut keyword) = (Vec::new(), Vec::new(), false);
            for tok in list.split([':', ',', ' ']).filter(|t| !t.is_empty()) {
                let iana = TLS12_NAMES
                    .iter()
                    .find(|(o, _)| o.eq_ignore_ascii_case(tok))
                    .map(|(_, i)| *i);
                match iana.and_then(|i| all.iter().find(|c| suite_name(c) == i)) {
                    Some(c) => picked.push(*c),
                    None => {
                        keyword |= is_openssl_keyword(tok);
                        ignored.push(tok.to_string());
                    }
                }
            }
            if picked.is_empty() && !keyword {
                return Err(TlsError::Ciphers(list.clone()));
            }
            if !ignored.is_empty() {
                notices.push(format!(
                    "tls-ciphers: {} ignored: OpenSSL cipher-string keywords and suites this \
                     build (rustls) does not implement have no equivalent{}",
                    ignored.join(":"),
                    if picked.is_empty() {
                        "; rustls's default TLSv1.2 suites are used"
                    } else {
                        ""
                    }
                ));
            }
            if picked.is_empty() {
                out.extend(all.iter().filter(|c| !is13(c)).copied());
            } else {
                out.extend(picked);
            }
        }
    }
    match &s.ciphersuites {
        None => out.extend(all.iter().filter(|c| is13(c)).copied()),
        Some(list) => {
            let (mut picked, mut ignored) = (Vec::new(), Vec::new());
            for tok in list.split(':').filter(|t| !t.is_empty()) {
                match all
                    .iter()
                    .find(|c| is13(c) && iana13(c).eq_ignore_ascii_case(tok))
                {
                    Some(c) => picked.push(*c),
                    None => ignored.push(tok.to_string()),
                }
            }
            if picked.is_empty() {
                return Err(TlsError::Ciphersuites(list.clone()));
            }
            if !ignored.is_empty() {
                notices.push(format!(
                    "tls-ciphersuites: {} ignored: not implemented by this build (rustls)",
                    ignored.join(":")
                ));
            }
            out.extend(picked);
        }
    }
    Ok(out)
}

/// Verifies a server's chain against the configured CA but not its name, as Redis does:
/// OpenSSL in Redis checks the chain (`SSL_VERIFY_PEER`) and never the host name, and
/// instances are usually reached by IP address, which their certificates rarely name.
/// Everything else (chain, validity dates, key usage, handshake signatures) is webpki's.
#[derive(Debug)]
struct ChainOnlyVerifier(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnlyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the name only after the chain: a name error means the chain is good.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
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

fn rustls_err(e: impl fmt::Display) -> TlsError {
    TlsError::Rustls(e.to_string())
}

/// Builds the server and client configurations, as Redis's `tlsConfigure`: every check
/// and file read happens here, so a failure leaves whatever context was in use untouched.
pub fn configure(s: &TlsSettings) -> Result<Configured, TlsError> {
    let mut notices = Vec::new();
    let cert_file = s.cert_file.as_deref().ok_or(TlsError::NoCertFile)?;
    let key_file = s.key_file.as_deref().ok_or(TlsError::NoKeyFile)?;
    let needs_ca = s.auth() != AuthClients::No || s.cluster || s.replication;
    if needs_ca && s.ca_cert_file.is_none() && s.ca_cert_dir.is_none() {
        return Err(TlsError::NoCaConfigured);
    }
    let versions = protocol_versions(s, &mut notices)?;
    let chain = load_chain(cert_file)?;
    let key = load_key(
        key_file,
        s.key_file_pass.as_deref(),
        &mut notices,
        "tls-key-file-pass",
    )?;
    let roots = load_roots(s)?.map(Arc::new);
    let suites = cipher_suites(s, &mut notices)?;
    if let Some(dh) = &s.dh_params_file {
        std::fs::File::open(dh).map_err(|e| TlsError::DhParams {
            path: dh.clone(),
            reason: io_reason(&e),
        })?;
        notices.push(format!(
            "tls-dh-params-file {dh} is ignored: this build (rustls) offers no finite-field \
             DHE suites; key exchange is ECDHE (X25519, P-256, P-384)"
        ));
    }
    if s.session_cache_timeout != 300 {
        notices.push(
            "tls-session-cache-timeout is not applied: rustls keeps resumable sessions until \
             tls-session-cache-size evicts them"
                .into(),
        );
    }
    let provider = Arc::new(CryptoProvider {
        cipher_suites: suites,
        ..ring::default_provider()
    });

    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(rustls_err)?;
    let builder = match (s.auth(), &roots) {
        (AuthClients::No, _) | (_, None) => builder.with_no_client_auth(),
        (auth, Some(r)) => {
            let v = WebPkiClientVerifier::builder_with_provider(r.clone(), provider.clone());
            let v = if auth == AuthClients::Optional {
                v.allow_unauthenticated()
            } else {
                v
            };
            builder.with_client_cert_verifier(v.build().map_err(rustls_err)?)
        }
    };
    let mut server = builder
        .with_single_cert(chain.clone(), key.clone_key())
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::PrivateKey {
                path: key_file.to_string(),
                reason: e.to_string(),
            },
            _ => TlsError::Certificate {
                path: cert_file.to_string(),
                reason: e.to_string(),
            },
        })?;
    server.ignore_client_order = s.prefer_server_ciphers;
    server.session_storage = if s.session_caching && s.session_cache_size > 0 {
        ServerSessionMemoryCache::new(usize::try_from(s.session_cache_size).unwrap_or(20480))
    } else {
        if s.session_caching {
            notices.push(
                "tls-session-cache-size 0 (unlimited in OpenSSL) disables the session cache: \
                 rustls's cache is always bounded"
                    .into(),
            );
        }
        Arc::new(NoServerSessionStorage {})
    };

    // The client side presents tls-client-cert-file, or else the server certificate (Redis
    // uses its server context for outgoing links when no client certificate is set).
    let client = match &roots {
        None => None,
        Some(r) => {
            let (cchain, ckey) = match (&s.client_cert_file, &s.client_key_file) {
                (Some(c), Some(k)) => (
                    load_chain(c)?,
                    load_key(
                        k,
                        s.client_key_file_pass.as_deref(),
                        &mut notices,
                        "tls-client-key-file-pass",
                    )?,
                ),
                _ => (chain, key),
            };
            let inner = WebPkiServerVerifier::builder_with_provider(r.clone(), provider.clone())
                .build()
                .map_err(rustls_err)?;
            let cfg = ClientConfig::builder_with_provider(provider)
                .with_protocol_versions(&versions)
                .map_err(rustls_err)?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnlyVerifier(inner)))
                .with_client_auth_cert(cchain, ckey)
                .map_err(rustls_err)?;
            Some(Arc::new(cfg))
        }
    };
    Ok(Configured {
        context: TlsContext {
            server: Arc::new(server),
            client,
        },
        notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> TlsSettings {
        TlsSettings {
            port: 1,
            cert_file: Some("/nonexistent/c.pem".into()),
            key_file: Some("/nonexistent/k.pem".into()),
            ca_cert_file: Some("/nonexistent/ca.pem".into()),
            session_caching: true,
            session_cache_size: 20480,
            session_cache_timeout: 300,
            ..TlsSettings::default()
        }
    }

    fn err(s: &TlsSettings) -> String {
        match configure(s) {
            Ok(_) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn missing_directives_are_refused_with_redis_texts() {
        let mut s = base();
        s.cert_file = None;
        assert_eq!(err(&s), "No tls-cert-file configured!");
        let mut s = base();
        s.key_file = None;
        assert_eq!(err(&s), "No tls-key-file configured!");
        let mut s = base();
        s.ca_cert_file = None;
        assert!(err(&s).starts_with("Either tls-ca-cert-file or tls-ca-cert-dir"));
    }

    #[test]
    fn a_missing_certificate_file_is_named() {
        assert_eq!(
            err(&base()),
            "Failed to load certificate: /nonexistent/c.pem: No such file or directory"
        );
    }

    #[test]
    fn protocols_are_checked_and_legacy_ones_refused_alone() {
        let mut s = base();
        s.protocols = Some("TLSv1.9".into());
        assert!(err(&s).starts_with("Invalid tls-protocols specified."));
        s.protocols = Some("TLSv1 TLSv1.1".into());
        assert!(err(&s).contains("does not implement"));
        let mut n = Vec::new();
        s.protocols = Some("tlsv1 TLSv1.2".into());
        let v = protocol_versions(&s, &mut n).unwrap_or_default();
        assert_eq!(v.len(), 1);
        assert_eq!(n.len(), 1);
        assert!(n.first().is_some_and(|m| m.contains("tlsv1 ignored")));
    }

    #[test]
    fn cipher_strings_map_known_names_and_name_what_is_ignored() {
        let mut s = base();
        let mut n = Vec::new();
        s.ciphers = Some("BOGUS-NAME".into());
        assert_eq!(
            cipher_suites(&s, &mut n).err(),
            Some(TlsError::Ciphers("BOGUS-NAME".into()))
        );
        s.ciphers = Some("ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA".into());
        let v = cipher_suites(&s, &mut n).unwrap_or_default();
        let tls12: Vec<String> = v
            .iter()
            .filter(|c| matches!(c, SupportedCipherSuite::Tls12(_)))
            .map(suite_name)
            .collect();
        assert_eq!(tls12, vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
        assert!(n.iter().any(|m| m.contains("DHE-RSA-AES256-SHA")));
        n.clear();
        s.ciphers = Some("HIGH:!aNULL".into());
        assert!(cipher_suites(&s, &mut n).is_ok());
        assert!(n.iter().any(|m| m.contains("HIGH:!aNULL ignored")));
        s.ciphersuites = Some("TLS_AES_128_CCM_SHA256".into());
        assert_eq!(
            cipher_suites(&s, &mut n).err(),
            Some(TlsError::Ciphersuites("TLS_AES_128_CCM_SHA256".into()))
        );
        s.ciphersuites = Some("TLS_AES_256_GCM_SHA384:TLS_AES_128_CCM_SHA256".into());
        assert!(cipher_suites(&s, &mut n).is_ok());
    }
}

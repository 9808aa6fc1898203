//! TLS material: the `tls-*` directives turned into one rustls server configuration (the
//! `tls-port` listener) and one client configuration (instance links under
//! `tls-replication yes`), as Redis's `tlsConfigure` builds its two `SSL_CTX`s, with its
//! error texts. What rustls cannot honour (TLS 1.0/1.1, finite-field DH parameters, OpenSSL
//! cipher-string keywords, encrypted keys) is refused or named in a notice, never skipped
//! silently. [`TlsContext`] is swapped whole on reload; connections keep the `Arc`s they
//! were created with.

use std::fmt;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache, WebPkiClientVerifier};
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};

use crate::config::GenericOptions;

mod files;
mod suites;
#[cfg(test)]
mod tests;
mod verify;

use files::{io_reason, load_chain, load_key, load_roots};
use suites::{cipher_suites, protocol_versions};
use verify::ChainOnlyVerifier;

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
    unsupported_notices(s, &mut notices)?;
    let provider = Arc::new(CryptoProvider {
        cipher_suites: suites,
        ..ring::default_provider()
    });
    let material = Material {
        provider,
        versions,
        roots,
    };
    let server = material.server(
        s,
        cert_file,
        key_file,
        (chain.clone(), key.clone_key()),
        &mut notices,
    )?;
    // The client side presents tls-client-cert-file, or else the server certificate (Redis
    // uses its server context for outgoing links when no client certificate is set).
    let client = match (&s.client_cert_file, &s.client_key_file) {
        (Some(c), Some(k)) => {
            let pass = s.client_key_file_pass.as_deref();
            let identity = (
                load_chain(c)?,
                load_key(k, pass, &mut notices, "tls-client-key-file-pass")?,
            );
            material.client(identity)?
        }
        _ => material.client((chain, key))?,
    };
    Ok(Configured {
        context: TlsContext { server, client },
        notices,
    })
}

/// `tls-dh-params-file` (checked as Redis does, then unused) and
/// `tls-session-cache-timeout`: named in notices.
fn unsupported_notices(s: &TlsSettings, notices: &mut Vec<String>) -> Result<(), TlsError> {
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
    Ok(())
}

/// A certificate chain and its key.
type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

/// What the server and client configurations share.
struct Material {
    provider: Arc<CryptoProvider>,
    versions: Vec<&'static SupportedProtocolVersion>,
    roots: Option<Arc<RootCertStore>>,
}

impl Material {
    /// The `tls-port` side: client certificates per `tls-auth-clients`, server suite order,
    /// the session cache.
    fn server(
        &self,
        s: &TlsSettings,
        cert_file: &str,
        key_file: &str,
        (chain, key): Identity,
        notices: &mut Vec<String>,
    ) -> Result<Arc<ServerConfig>, TlsError> {
        let builder = ServerConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&self.versions)
            .map_err(rustls_err)?;
        let builder = match (s.auth(), &self.roots) {
            (AuthClients::No, _) | (_, None) => builder.with_no_client_auth(),
            (auth, Some(r)) => {
                let v =
                    WebPkiClientVerifier::builder_with_provider(r.clone(), self.provider.clone());
                let v = if auth == AuthClients::Optional {
                    v.allow_unauthenticated()
                } else {
                    v
                };
                builder.with_client_cert_verifier(v.build().map_err(rustls_err)?)
            }
        };
        let mut server = builder.with_single_cert(chain, key).map_err(|e| match e {
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
                    "tls-session-cache-size 0 (unlimited in OpenSSL) disables the session \
                     cache: rustls's cache is always bounded"
                        .into(),
                );
            }
            Arc::new(NoServerSessionStorage {})
        };
        Ok(Arc::new(server))
    }

    /// The instance-link side (`None` without a CA: then no outgoing TLS is asked for).
    fn client(&self, identity: Identity) -> Result<Option<Arc<ClientConfig>>, TlsError> {
        let Some(r) = &self.roots else {
            return Ok(None);
        };
        let inner = WebPkiServerVerifier::builder_with_provider(r.clone(), self.provider.clone())
            .build()
            .map_err(rustls_err)?;
        let cfg = ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&self.versions)
            .map_err(rustls_err)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnlyVerifier(inner)))
            .with_client_auth_cert(identity.0, identity.1)
            .map_err(rustls_err)?;
        Ok(Some(Arc::new(cfg)))
    }
}

//! Reading the TLS material from disk: certificate chains, private keys (PEM, with
//! rustls's own `PemObject`) and the trust anchors of `tls-ca-cert-file` / `tls-ca-cert-dir`,
//! with the reasons Redis's log lines carry.

use std::io;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::RootCertStore;

use super::{TlsError, TlsSettings};

/// An io error as OpenSSL's system-library text shows it (no "(os error N)").
pub(super) fn io_reason(e: &io::Error) -> String {
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
pub(super) fn load_chain(path: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
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
pub(super) fn load_key(
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
pub(super) fn load_roots(s: &TlsSettings) -> Result<Option<RootCertStore>, TlsError> {
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

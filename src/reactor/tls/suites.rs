//! `tls-protocols`, `tls-ciphers` (an OpenSSL cipher string) and `tls-ciphersuites` mapped
//! onto what rustls implements; whatever has no equivalent is named in a notice.

use rustls::crypto::ring;
use rustls::{SupportedCipherSuite, SupportedProtocolVersion};

use super::{TlsError, TlsSettings};

/// `tls-protocols`; TLS 1.0/1.1 are dropped with a notice.
pub(super) fn protocol_versions(
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

pub(super) fn suite_name(s: &SupportedCipherSuite) -> String {
    format!("{:?}", s.suite())
}

/// A TLS 1.3 suite's IANA name, as `tls-ciphersuites` spells it (rustls says `TLS13_...`).
fn iana13(s: &SupportedCipherSuite) -> String {
    suite_name(s).replacen("TLS13_", "TLS_", 1)
}

/// The suites to offer: `tls-ciphers` (TLS 1.2, an OpenSSL cipher string) and
/// `tls-ciphersuites` (TLS 1.3, a colon list of IANA names) filter the provider's suites.
pub(super) fn cipher_suites(
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

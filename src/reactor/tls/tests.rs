use super::suites::{cipher_suites, protocol_versions, suite_name};
use super::*;
use rustls::SupportedCipherSuite;

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

//! Tests of the configuration: production's refusal of weak secrets, and whose
//! `X-Forwarded-For` is believed.

use std::net::IpAddr;

use super::*;

fn secret(text: &str) -> SecretString {
    SecretString::from(text.to_string())
}

fn refusal(config: &Config) -> String {
    config
        .check_production_secrets()
        .expect_err("refused")
        .to_string()
}

#[test]
fn production_refuses_each_development_short_or_repeated_secret_by_name() {
    let mut config = Config::for_tests("mysql://root@127.0.0.1:3306/x");
    config.production = true;
    let error = refusal(&config);
    assert!(
        error.contains("JWT_SECRET") && error.contains("development value"),
        "{error}"
    );
    config.jwt_secret = secret("too-short-secret");
    assert!(refusal(&config).contains("JWT_SECRET is too short"));
    config.jwt_secret = secret(&"0".repeat(64));
    assert!(refusal(&config).contains("JWT_SECRET is one character repeated"));
    config.jwt_secret = secret("4f9c1e0b7a2d8e3f6a5b0c9d8e7f6a5b4c3d2e1f");
    let error = refusal(&config);
    assert!(
        error.contains("META_APP_SECRET") && error.contains("development value"),
        "{error}"
    );
    config.meta_app_secret = secret("9b8a7c6d5e4f3a2b1c0d");
    assert!(refusal(&config).contains("META_VERIFY_TOKEN"));
    config.meta_verify_token = secret("verify-7d1e9c3b5a");
    let error = refusal(&config);
    assert!(
        error.contains("DATA_KEY") && error.contains("development key"),
        "{error}"
    );
    config.data_key = DataKey([0; 32]);
    assert!(refusal(&config).contains("DATA_KEY is one byte repeated"));
    config.data_key =
        DataKey::parse("8f14e45fceea167a5a36dedd4bea2543b6e7f1a2c3d4e5f60718293a4b5c6d7e").unwrap();
    config.anthropic_api_key = Some(secret("sk-ant-0000"));
    assert!(refusal(&config).contains("ANTHROPIC_API_KEY is too short"));
    config.anthropic_api_key = Some(secret("sk-ant-api03-a1b2c3d4e5f6g7h8i9"));
    config
        .check_production_secrets()
        .expect("real secrets pass");
    // The refusal names the variable, never the value.
    config.meta_system_token = Some(secret(&"a".repeat(30)));
    assert!(!refusal(&config).contains("aaaa"));
    // Development mode takes the development values.
    assert!(
        Config::for_tests("mysql://x/y")
            .refuse_demo_in_production()
            .is_ok()
    );
    assert!(config.refuse_demo_in_production().is_err());
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.5").unwrap();
    // An untrusted peer's header is ignored.
    assert_eq!(
        proxies.client_ip(ip("203.0.113.9"), ["1.2.3.4"]),
        ip("203.0.113.9")
    );
    // Through a trusted proxy: the address it appended.
    assert_eq!(
        proxies.client_ip(ip("10.1.2.3"), ["198.51.100.7"]),
        ip("198.51.100.7")
    );
    // A client's forged entry before the real one does not win, and proxies in the
    // chain are skipped.
    assert_eq!(
        proxies.client_ip(ip("10.1.2.3"), ["1.1.1.1, 198.51.100.7", "192.168.1.5"]),
        ip("198.51.100.7")
    );
    // A garbage entry ends the walk at the last believed hop.
    assert_eq!(
        proxies.client_ip(ip("192.168.1.5"), ["nonsense"]),
        ip("192.168.1.5")
    );
    assert!(!proxies.trusts(ip("11.0.0.1")));
    assert!(proxies.trusts(ip("::ffff:10.9.9.9")));
    assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    assert!(TrustedProxies::parse("proxy.local").is_err());
}

//! Production refusals, through the real `wasales` binary: a development value, an
//! all-zero key or a missing secret stops it with one line on stderr and exit code 1,
//! no backtrace, no secret in the message.

use std::process::{Command, Output};

/// Strong values for every secret; each test spoils one.
const STRONG: &[(&str, &str)] = &[
    ("JWT_SECRET", "4f9c1e0b7a2d8e3f6a5b0c9d8e7f6a5b4c3d2e1f"),
    (
        "DATA_KEY",
        "8f14e45fceea167a5a36dedd4bea2543b6e7f1a2c3d4e5f60718293a4b5c6d7e",
    ),
    ("META_APP_SECRET", "9b8a7c6d5e4f3a2b1c0d"),
    ("META_VERIFY_TOKEN", "verify-7d1e9c3b5a"),
];

/// Runs `wasales serve` with only `env` (and `APP_ENV=production`), from an empty
/// directory so that no `.env` file is read, with backtraces asked for.
fn serve_in_production(env: &[(&str, &str)]) -> Output {
    let dir = std::env::temp_dir().join(format!("wasales-prod-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_wasales"))
        .arg("serve")
        .current_dir(&dir)
        .env_clear()
        .env("APP_ENV", "production")
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        // Nothing listens there: a configuration that passed would fail later, on the
        // database, with a different message.
        .env("DATABASE_URL", "mysql://root@127.0.0.1:9/never")
        .envs(env.iter().copied())
        .output()
        .expect("the wasales binary runs");
    let _ = std::fs::remove_dir_all(&dir);
    output
}

/// The refusal: exit code 1 and exactly one line on stderr, which is returned.
fn refused(env: &[(&str, &str)]) -> String {
    let output = serve_in_production(env);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, no backtrace: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    lines[0].to_string()
}

fn with(name: &str, value: &str) -> Vec<(&'static str, String)> {
    STRONG
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == name {
                    value.to_string()
                } else {
                    v.to_string()
                },
            )
        })
        .collect()
}

fn refused_with(name: &str, value: &str) -> String {
    let env = with(name, value);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    refused(&env)
}

#[test]
fn production_refuses_development_values_weak_keys_and_missing_secrets_in_one_line() {
    let line = refused(&[]);
    assert!(
        line.contains("must be set when APP_ENV=production"),
        "{line}"
    );

    let line = refused_with("JWT_SECRET", "dev-only-jwt-secret-change-me-in-production");
    assert!(line.starts_with("wasales: refusing to start in production: JWT_SECRET is the documented development value"), "{line}");
    assert!(
        !line.contains("dev-only-jwt"),
        "the value is never printed: {line}"
    );

    let line = refused_with("DATA_KEY", &"0".repeat(64));
    assert!(line.contains("DATA_KEY is one byte repeated"), "{line}");
    let line = refused_with(
        "DATA_KEY",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    );
    assert!(
        line.contains("DATA_KEY is the documented development key"),
        "{line}"
    );
    let line = refused_with("DATA_KEY", "abcd");
    assert!(line.contains("DATA_KEY"), "{line}");

    let line = refused_with("META_APP_SECRET", "dev-only-meta-app-secret");
    assert!(
        line.contains("META_APP_SECRET is the documented development value"),
        "{line}"
    );
    let line = refused_with("META_VERIFY_TOKEN", "wasales-dev-verify-token");
    assert!(
        line.contains("META_VERIFY_TOKEN is the documented development value"),
        "{line}"
    );
    let line = refused_with("JWT_SECRET", "short");
    assert!(line.contains("JWT_SECRET is too short"), "{line}");

    // Real secrets pass the check: the server goes on to the (absent) database.
    let env: Vec<(&str, &str)> = STRONG.to_vec();
    let output = serve_in_production(&env);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(!stderr.contains("refusing"), "{stderr}");
}

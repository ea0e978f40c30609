//! The binary's start-up failures: one line naming the variable and the fix, no panic.

use std::process::Command;

fn run_with(vars: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let dir = std::env::temp_dir().join("crealia-startup-test");
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crealia"));
    cmd.args(args).current_dir(&dir).env("RUST_BACKTRACE", "1").env("LOG_FORMAT", "json");
    for key in ["DATABASE_URL", "REDIS_URL", "LEPTOS_SITE_ADDR", "APP_ENV", "INSTAGRAM_APP_ID", "INSTAGRAM_APP_SECRET"] {
        cmd.env_remove(key);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn assert_one_clear_line(stderr: &str, variable: &str) {
    let lines: Vec<_> = stderr.lines().filter(|l| !l.contains("\"level\"")).collect();
    assert_eq!(lines.len(), 1, "exactly one line for the person: {stderr:?}");
    assert!(lines[0].starts_with("crealia: "), "{stderr}");
    assert!(lines[0].contains(variable), "names {variable}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "no panic: {stderr}");
}

#[test]
fn a_malformed_database_url_stops_with_one_line() {
    let (code, stderr) = run_with(&[("DATABASE_URL", "not a url")], &["serve"]);
    assert_ne!(code, 0);
    assert_one_clear_line(&stderr, "DATABASE_URL");
    assert!(stderr.contains("postgres://user:password@"), "says how to fix it: {stderr}");
}

#[test]
fn an_unreachable_database_stops_with_one_line_and_hides_the_password() {
    let (code, stderr) = run_with(&[("DATABASE_URL", "postgres://alice:hunter2@127.0.0.1:1/crealia"), ("DATABASE_CONNECT_TIMEOUT_SECS", "2")], &["migrate"]);
    assert_ne!(code, 0);
    assert_one_clear_line(&stderr, "DATABASE_URL");
    assert!(stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1/crealia"), "{stderr}");
    assert!(!stderr.contains("hunter2") && !stderr.contains("alice"), "no credentials in the output: {stderr}");
}

#[test]
fn any_invalid_variable_is_named() {
    let (code, stderr) = run_with(&[("REDIS_URL", "localhost:6379")], &["serve"]);
    assert_ne!(code, 0);
    assert_one_clear_line(&stderr, "REDIS_URL");

    let (code, stderr) = run_with(&[("INSTAGRAM_APP_ID", "1234")], &["serve"]);
    assert_ne!(code, 0);
    assert_one_clear_line(&stderr, "INSTAGRAM_APP_SECRET");
}

#[test]
fn config_lists_every_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_crealia")).arg("config").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["DATABASE_URL", "REDIS_URL", "INSTAGRAM_APP_SECRET", "PUBLIC_BASE_URL"] {
        assert!(text.contains(name), "{name} missing from `crealia config`");
    }
}

#[test]
fn production_refuses_the_sandbox_without_an_explicit_demo_opt_in() {
    let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let (code, stderr) =
        run_with(&[("APP_ENV", "production"), ("PUBLIC_BASE_URL", "https://crealia.example"), ("TOKEN_ENCRYPTION_KEY", key), ("SANDBOX_DEMO", "")], &["serve"]);
    assert_ne!(code, 0);
    assert_one_clear_line(&stderr, "SANDBOX_DEMO");
    assert!(stderr.contains("INSTAGRAM_APP_ID"), "says how to fix it: {stderr}");
}

//! The `hale` binary: its commands and its refusal of bad configuration.

use std::process::Command;

fn hale(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hale"));
    command
        .current_dir(dir)
        .env_clear()
        .env("HALE_LOG", "warn")
        .env(
            "HALE_DATABASE_URL",
            format!("sqlite://{}/hale.db?mode=rwc", dir.display()),
        )
        .env("HALE_BLOBS_ROOT", dir.join("blobs"));
    command
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let output = hale(dir.path()).arg("--help").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "migrate", "demo"] {
        assert!(text.contains(command), "{text}");
    }
}

#[test]
fn a_bad_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let output = hale(dir.path())
        .env("HALE_SITE_ADDR", "everywhere")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("site.addr"), "{text}");
    assert!(text.contains("HALE_SITE_ADDR"), "{text}");
}

#[test]
fn a_typo_in_the_configuration_file_stops_start_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Leptos.toml"),
        "[sessions]\nidle_minuts = 5\n",
    )
    .unwrap();
    let output = hale(dir.path()).arg("migrate").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("idle_minuts"), "{text}");
    assert!(!dir.path().join("hale.db").exists(), "nothing was created");
}

#[test]
fn migrate_applies_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let first = hale(dir.path()).arg("migrate").output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("1 migration(s) applied"));
    let again = hale(dir.path()).arg("migrate").output().unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 migration(s) applied"));
}

#[test]
fn demo_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = hale(dir.path()).arg("demo").output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("demo@hale.example"));
    }
}

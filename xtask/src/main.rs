//! Hale's automation, behind `cargo xtask`:
//!
//! - `cargo xtask run`: set up the toolchain, build in release, seed the demo
//!   data and serve on http://127.0.0.1:3000
//! - `cargo xtask test`: set up, run every Rust test, then the browser tests
//!   against a release build
//! - `cargo xtask bench`: run the benchmarks and print each against the
//!   machine's limit measured in the same run, then the client's figures (WASM
//!   per first page, Lighthouse mobile scores) against a release build
//! - `cargo xtask lint`: rustfmt and clippy for the server and WASM builds
//!
//! Every step checks before it installs, so a second run is quick.

mod client_figures;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = args.first().map(String::as_str).unwrap_or("help");
    let started = Instant::now();
    let result = match task {
        "run" => run(),
        "test" => test(),
        "bench" => bench(),
        "lint" => lint(),
        "setup" => setup::toolchain(&root()).map(|_| ()),
        _ => {
            eprintln!(
                "usage: cargo xtask <run | test | bench | lint | setup>\n\n  \
                 run    build in release and serve with the demo data on http://127.0.0.1:3000\n  \
                 test   every test: Rust unit and integration tests, then the browser tests\n  \
                 bench  benchmarks, each printed against this machine's limit\n  \
                 lint   rustfmt and clippy (server and WASM builds)\n  \
                 setup  install what the others need (they call it themselves)"
            );
            return if task == "help" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    match result {
        Ok(()) => {
            eprintln!("xtask {task}: done in {}", minutes(started.elapsed()));
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("xtask {task}: {err}");
            ExitCode::FAILURE
        }
    }
}

fn minutes(d: Duration) -> String {
    format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
}

/// The workspace root (the parent of this crate's folder).
/// The workspace this run was started in. `cargo run` sets
/// `CARGO_MANIFEST_DIR` for the process; the compile-time value is only a
/// fallback, since a build folder shared by two clones may hold a binary
/// built from the other one.
fn root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where cargo puts its output (honours `CARGO_TARGET_DIR`).
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root.join(p) })
        .unwrap_or_else(|| root.join("target"))
}

/// Runs a command to completion, failing with its description.
fn step(what: &str, command: &mut Command) -> Result {
    eprintln!("==> {what}");
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|err| format!("{what}: cannot start: {err}"))?;
    if status.success() {
        eprintln!("    ({what}: {})", minutes(started.elapsed()));
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}

fn release_build(root: &Path, env: &setup::Env) -> Result {
    step(
        "release build (cargo leptos build --release --split)",
        // `--split`: each area's pages become their own WASM chunk (see root.rs).
        env.command("cargo")
            .args(["leptos", "build", "--release", "--split"])
            .current_dir(root),
    )
}

fn run() -> Result {
    let root = root();
    let env = setup::toolchain(&root)?;
    release_build(&root, &env)?;
    let hale = target_dir(&root).join("release").join("hale");
    step(
        "demo data (hale demo)",
        env.command(&hale).arg("demo").current_dir(&root),
    )?;
    eprintln!("==> serving on http://127.0.0.1:3000 (Ctrl-C to stop)");
    step(
        "hale serve",
        env.command(&hale).arg("serve").current_dir(&root),
    )
}

fn test() -> Result {
    let root = root();
    let env = setup::toolchain(&root)?;
    setup::browser_test_tools(&root, &env)?;
    setup::postgres_server(&env)?;
    setup::python_test_tools(&root, &env)?;
    step(
        "Rust tests (cargo test)",
        env.command("cargo")
            .args([
                "test",
                "--package",
                "hale-app",
                "--package",
                "hale-server",
                "--features",
                "hale-app/ssr",
            ])
            .current_dir(&root),
    )?;
    release_build(&root, &env)?;
    browser_tests(&root, &env)
}

/// Starts the release server on a free port with a throw-away database and
/// blob folder, runs Playwright against it, and stops it.
fn browser_tests(root: &Path, env: &setup::Env) -> Result {
    let scratch = std::env::temp_dir().join(format!("hale-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {scratch:?}: {e}"))?;
    let port = free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");
    let hale = target_dir(root).join("release").join("hale");
    // The real OpenID Connect provider the sign-in test goes through.
    // Stopped however this function returns.
    let (_provider, issuer) = start_oidc_provider(root, &base_url)?;
    let database_url = format!("sqlite://{}/e2e.db?mode=rwc", scratch.display());
    let with_site = |command: &mut Command| {
        command
            .current_dir(root)
            .env("HALE_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("HALE_PUBLIC_URL", &base_url)
            .env("HALE_DATABASE_URL", &database_url)
            .env("HALE_BLOBS_ROOT", scratch.join("blobs"))
            .env("HALE_FILES_KEY_PATH", scratch.join("master.key"))
            .env("HALE_OIDC_PROVIDERS", "test")
            .env("HALE_OIDC_TEST_NAME", "Test ID")
            .env("HALE_OIDC_TEST_ISSUER", &issuer)
            .env("HALE_OIDC_TEST_CLIENT_ID", "hale-test")
            .env("HALE_OIDC_TEST_CLIENT_SECRET", "hale-test-secret");
    };
    // A clinician invitation for the care-team browser test, made the way an
    // operator makes one.
    let mut invite = env.command(&hale);
    with_site(&mut invite);
    let invitation = invite
        .args([
            "invite-staff",
            "--email",
            "clinician@e2e.hale.example",
            "--role",
            "clinician",
        ])
        .output()
        .map_err(|e| format!("cannot run hale invite-staff: {e}"))?;
    let staff_code = String::from_utf8_lossy(&invitation.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Invitation code: ").map(str::to_owned))
        .ok_or_else(|| {
            format!(
                "hale invite-staff printed no code: {}",
                String::from_utf8_lossy(&invitation.stderr)
            )
        })?;
    // The demo patient with a year of readings, for the dashboard test.
    let mut demo = env.command(&hale);
    with_site(&mut demo);
    step("demo data", demo.arg("demo"))?;
    let server_log = std::fs::File::create(scratch.join("server.log"))
        .map_err(|e| format!("cannot create the server log: {e}"))?;
    let mut serve = env.command(&hale);
    with_site(&mut serve);
    let mut server = serve
        .arg("serve")
        .env("HALE_LOG_FORMAT", "json")
        .stdout(server_log.try_clone().map_err(|e| e.to_string())?)
        .stderr(server_log)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", hale.display()))?;
    let result = wait_until_ready(&base_url).and_then(|()| {
        step(
            "browser tests (Playwright on Chromium)",
            env.command("npx")
                .args(["playwright", "test"])
                .current_dir(root.join("end2end"))
                .env("HALE_BASE_URL", &base_url)
                .env("HALE_E2E_STAFF_CODE", &staff_code),
        )
    });
    let _ = server.kill();
    let _ = server.wait();
    if result.is_err() {
        eprintln!("    server log: {}", scratch.join("server.log").display());
    } else {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

/// A child process that is stopped when this value goes away.
struct StopOnDrop(std::process::Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `end2end/oidc/provider.mjs` (npm `oidc-provider`) on a free port
/// with Hale's callback registered; returns the process and its issuer.
fn start_oidc_provider(root: &Path, base_url: &str) -> Result<(StopOnDrop, String)> {
    use std::io::BufRead as _;
    let child = Command::new("node")
        .arg("oidc/provider.mjs")
        .current_dir(root.join("end2end"))
        .env(
            "HALE_REDIRECT_URIS",
            format!("{base_url}/auth/oidc/test/callback"),
        )
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the OpenID Connect provider: {e}"))?;
    let mut child = StopOnDrop(child);
    let stdout = child.0.stdout.take().ok_or("the provider has no stdout")?;
    let mut reader = std::io::BufReader::new(stdout);
    let mut line = String::new();
    reader
        .read_line(&mut line)
        .map_err(|e| format!("the OpenID Connect provider did not start: {e}"))?;
    let issuer = line
        .split("\"issuer\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("the OpenID Connect provider said: {line}"))?
        .to_owned();
    // Keep its output flowing: a closed pipe would stop it at its next line.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    Ok((child, issuer))
}

fn free_port() -> Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

fn wait_until_ready(base_url: &str) -> Result {
    let addr = base_url.trim_start_matches("http://");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
            use std::io::{Read as _, Write as _};
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request =
                format!("GET /readyz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            let mut answer = String::new();
            if stream.write_all(request.as_bytes()).is_ok()
                && stream.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    Err(format!(
        "the server at {base_url} did not become ready within 60 s"
    ))
}

fn bench() -> Result {
    let root = root();
    let env = setup::toolchain(&root)?;
    for bench in [
        "request_path",
        "access_check",
        "health_data",
        "medications",
        "files",
    ] {
        step(
            &format!("benchmark {bench} (cargo bench)"),
            env.command("cargo")
                .args(["bench", "--package", "hale-server", "--bench", bench])
                .current_dir(&root),
        )?;
    }
    client_figures::measure(&root, &env)
}

fn lint() -> Result {
    let root = root();
    let env = setup::toolchain(&root)?;
    step(
        "rustfmt",
        env.command("cargo")
            .args(["fmt", "--all", "--check"])
            .current_dir(&root),
    )?;
    step(
        "clippy (server build)",
        env.command("cargo")
            .args([
                "clippy",
                "--package",
                "hale-app",
                "--package",
                "hale-server",
                "--package",
                "xtask",
                "--features",
                "hale-app/ssr",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )?;
    step(
        "clippy (WASM build)",
        env.command("cargo")
            .args([
                "clippy",
                "--package",
                "hale-frontend",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ])
            .current_dir(&root),
    )
}

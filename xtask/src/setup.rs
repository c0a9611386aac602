//! Makes sure of the toolchain, idempotently: the WASM target, cargo-leptos,
//! wasm-bindgen (the lockfile's version), sass and wasm-opt (npm, inside the
//! ignored `.tools/` folder) and, for browser tests, Debian's Chromium and
//! Playwright. Nothing is downloaded from outside the package registries:
//! cargo-leptos finds every tool on PATH.

use crate::{Result, step};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

const CARGO_LEPTOS_VERSION: &str = "0.3.10";
const SASS_VERSION: &str = "1.108.2";
const BINARYEN_VERSION: &str = "132.0.0";
const CHROMIUM: &str = "/usr/bin/chromium";
/// libjpeg-turbo 3 (inside imagecodecs) writes the 12-bit JPEG Extended
/// frames of the DICOM tests, and decodes them for comparison.
const PYTHON_TEST_PACKAGES: &[&str] = &["imagecodecs==2026.3.6", "numpy==2.4.6"];

/// The environment the build steps run in: PATH with the tools first.
pub struct Env {
    path: std::ffi::OsString,
}

impl Env {
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("PATH", &self.path);
        command
    }
}

pub fn toolchain(root: &Path) -> Result<Env> {
    let tools_bin = root.join(".tools").join("node_modules").join(".bin");
    let wrappers = root.join(".tools").join("bin");
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin"))
        .unwrap_or_default();
    let mut paths = vec![wrappers.clone(), tools_bin.clone(), cargo_bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let env = Env {
        path: std::env::join_paths(paths).map_err(|e| format!("bad PATH: {e}"))?,
    };

    wasm_target(&env)?;
    cargo_leptos(&env)?;
    wasm_bindgen(root, &env)?;
    npm_tools(root, &env, &tools_bin)?;
    wasm_opt_wrapper(&wrappers)?;
    Ok(env)
}

fn output(env: &Env, program: &str, args: &[&str]) -> Option<String> {
    env.command(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
}

fn wasm_target(env: &Env) -> Result {
    let installed = output(env, "rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step(
        "add the wasm32 target (rustup)",
        env.command("rustup")
            .args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

fn cargo_leptos(env: &Env) -> Result {
    let version = output(env, "cargo", &["leptos", "--version"]).unwrap_or_default();
    if version.contains(CARGO_LEPTOS_VERSION) {
        return Ok(());
    }
    // `no_downloads`: a missing tool is a clear error rather than a failed download.
    step(
        "install cargo-leptos (about 17 minutes on 2 cores, once)",
        env.command("cargo").args([
            "install",
            "cargo-leptos",
            "--version",
            CARGO_LEPTOS_VERSION,
            "--locked",
            "--features",
            "no_downloads",
        ]),
    )
}

/// The wasm-bindgen version in Cargo.lock; the CLI must match it exactly.
fn locked_wasm_bindgen(root: &Path) -> Result<String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn wasm_bindgen(root: &Path, env: &Env) -> Result {
    let wanted = locked_wasm_bindgen(root)?;
    let version = output(env, "wasm-bindgen", &["--version"]).unwrap_or_default();
    if version.split_whitespace().nth(1) == Some(wanted.as_str()) {
        return Ok(());
    }
    // Not `--locked`: its lockfile names a webpki-roots release the registry lacks.
    step(
        &format!("install wasm-bindgen-cli {wanted} (about 4 minutes, once)"),
        env.command("cargo")
            .args(["install", "wasm-bindgen-cli", "--version", &wanted]),
    )
}

fn npm_tools(root: &Path, env: &Env, tools_bin: &Path) -> Result {
    if tools_bin.join("sass").exists() && tools_bin.join("wasm-opt").exists() {
        return Ok(());
    }
    let tools = root.join(".tools");
    npm_install(
        env,
        &tools,
        "install sass and wasm-opt (npm, into .tools/)",
        &[
            &format!("sass@{SASS_VERSION}"),
            &format!("binaryen@{BINARYEN_VERSION}"),
        ],
    )
}

/// `npm install` of exact versions into `dir` (created if need be, with a
/// `package.json` of its own, or npm would install into a parent's folder).
pub fn npm_install(env: &Env, dir: &Path, what: &str, packages: &[&str]) -> Result {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir:?}: {e}"))?;
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        std::fs::write(&manifest, "{ \"private\": true }\n")
            .map_err(|e| format!("cannot write {manifest:?}: {e}"))?;
    }
    step(
        what,
        env.command("npm")
            .args(["install", "--no-audit", "--no-fund", "--save-exact"])
            .args(packages)
            .current_dir(dir),
    )
}

/// The split client has hundreds of small chunks of shared code. npm's
/// wasm-opt (binaryen compiled to JavaScript) takes over a second to start for
/// each file, which on them saves a few bytes: files under 8 KB are left as
/// the linker wrote them, every other call goes to wasm-opt unchanged.
const WASM_OPT_WRAPPER: &str = r#"#!/bin/sh
# Written by `cargo xtask` (xtask/src/setup.rs); see WASM_OPT_WRAPPER there.
input=""; output=""; previous=""
for arg in "$@"; do
  if [ "$previous" = "-o" ]; then output="$arg";
  elif [ "${arg#-}" = "$arg" ]; then input="$arg"; fi
  previous="$arg"
done
if [ -n "$input" ] && [ -f "$input" ] && [ "$(wc -c < "$input")" -lt 8192 ]; then
  if [ -n "$output" ] && [ "$output" != "$input" ]; then cp "$input" "$output"; fi
  exit 0
fi
exec "$(dirname "$0")/../node_modules/.bin/wasm-opt" "$@"
"#;

fn wasm_opt_wrapper(wrappers: &Path) -> Result {
    use std::os::unix::fs::PermissionsExt;
    let path = wrappers.join("wasm-opt");
    if std::fs::read_to_string(&path).is_ok_and(|text| text == WASM_OPT_WRAPPER) {
        return Ok(());
    }
    std::fs::create_dir_all(wrappers).map_err(|e| format!("cannot create .tools/bin: {e}"))?;
    std::fs::write(&path, WASM_OPT_WRAPPER).map_err(|e| format!("cannot write {path:?}: {e}"))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("cannot make {path:?} executable: {e}"))
}

/// Debian's PostgreSQL server, which the integration tests start on loopback
/// (initdb + pg_ctl in a temporary folder; the package's own cluster is not
/// used), and OpenJPEG's `opj_compress`, which makes the JPEG 2000 frames of
/// the DICOM tests (an encoder independent of the decoder Hale uses).
pub fn postgres_server(env: &Env) -> Result {
    let postgres = std::fs::read_dir("/usr/lib/postgresql")
        .map(|versions| {
            versions
                .filter_map(std::result::Result::ok)
                .any(|v| v.path().join("bin").join("initdb").exists())
        })
        .unwrap_or(false);
    let openjpeg = Path::new("/usr/bin/opj_compress").exists();
    if postgres && openjpeg {
        return Ok(());
    }
    let is_root = output(env, "id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    if !is_root {
        return Err(
            "the tests need Debian's PostgreSQL server and OpenJPEG tools: run \
                    `sudo apt-get install postgresql libopenjp2-tools` and try again"
                .into(),
        );
    }
    step("apt-get update", env.command("apt-get").arg("update"))?;
    step(
        "install PostgreSQL and OpenJPEG tools (apt)",
        env.command("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "postgresql",
                "libopenjp2-tools",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// A Python environment in `.tools/python` with the encoders the DICOM tests
/// use that no Debian package offers (see `PYTHON_TEST_PACKAGES`).
pub fn python_test_tools(root: &Path, env: &Env) -> Result {
    let venv = root.join(".tools").join("python");
    let python = venv.join("bin").join("python");
    let versions = PYTHON_TEST_PACKAGES
        .iter()
        .map(|p| p.replacen("==", " ", 1))
        .collect::<Vec<_>>()
        .join("\n");
    let check = "import imagecodecs, numpy; print(f'imagecodecs {imagecodecs.__version__}\\nnumpy {numpy.__version__}')";
    if output(env, python.to_str().unwrap_or_default(), &["-c", check])
        .is_some_and(|found| found.trim() == versions)
    {
        return Ok(());
    }
    let made = env
        .command("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        let is_root = output(env, "id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
        if !is_root {
            return Err("the DICOM tests need Python's venv: run \
                        `sudo apt-get install python3-venv` and try again"
                .into());
        }
        step("apt-get update", env.command("apt-get").arg("update"))?;
        step(
            "install Python's venv (apt)",
            env.command("apt-get")
                .args(["install", "-y", "--no-install-recommends", "python3-venv"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
        step(
            "make the Python test environment (.tools/python)",
            env.command("python3").args(["-m", "venv"]).arg(&venv),
        )?;
    }
    step(
        "install the DICOM tests' JPEG encoder (pip, into .tools/python)",
        env.command(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(PYTHON_TEST_PACKAGES),
    )
}

/// Debian's Chromium and the Playwright packages of `end2end/`.
pub fn browser_test_tools(root: &Path, env: &Env) -> Result {
    if !Path::new(CHROMIUM).exists() {
        let is_root = output(env, "id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
        if !is_root {
            return Err(format!(
                "the browser tests need Debian's Chromium at {CHROMIUM}: \
                 run `sudo apt-get install chromium` and try again"
            ));
        }
        step("apt-get update", env.command("apt-get").arg("update"))?;
        step(
            "install Chromium (apt)",
            env.command("apt-get")
                .args(["install", "-y", "--no-install-recommends", "chromium"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
    }
    let end2end = root.join("end2end");
    let installed = end2end.join("node_modules").join(".package-lock.json");
    let stale = match (
        std::fs::metadata(&installed).and_then(|m| m.modified()),
        std::fs::metadata(end2end.join("package-lock.json")).and_then(|m| m.modified()),
    ) {
        (Ok(installed), Ok(lock)) => installed < lock,
        _ => true,
    };
    if stale {
        // Playwright's own browser download is never used: Debian's Chromium runs the tests.
        step(
            "install Playwright, axe-core and the test peers: OpenID Connect provider, SMTP server, Web Push decryption (npm ci in end2end/)",
            env.command("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .current_dir(&end2end),
        )?;
    }
    Ok(())
}

//! The client's figures printed by `cargo xtask bench`: the WASM each first
//! page loads and Lighthouse's mobile performance score, measured against the
//! release build serving the demo data (`end2end/client-figures.mjs`).

use crate::{
    Result, StopOnDrop, free_port, release_build, setup, step, target_dir, wait_until_ready,
};
use std::path::Path;

/// The last Lighthouse that runs on Node 20 (13 needs Node 22).
const LIGHTHOUSE_VERSION: &str = "12.8.2";

pub fn measure(root: &Path, env: &setup::Env) -> Result {
    release_build(root, env)?;
    let tools = root.join(".tools").join("lighthouse");
    if !tools.join("node_modules").join("lighthouse").exists() {
        setup::npm_install(
            env,
            &tools,
            "install Lighthouse (npm, into .tools/lighthouse)",
            &[&format!("lighthouse@{LIGHTHOUSE_VERSION}")],
        )?;
    }
    let scratch = std::env::temp_dir().join(format!("hale-figures-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|e| format!("cannot create {scratch:?}: {e}"))?;
    let port = free_port()?;
    let base_url = format!("http://127.0.0.1:{port}");
    let hale = target_dir(root).join("release").join("hale");
    let with_site = |command: &mut std::process::Command| {
        command
            .current_dir(root)
            .env("HALE_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("HALE_PUBLIC_URL", &base_url)
            .env(
                "HALE_DATABASE_URL",
                format!("sqlite://{}/figures.db?mode=rwc", scratch.display()),
            )
            .env("HALE_BLOBS_ROOT", scratch.join("blobs"))
            .env("HALE_FILES_KEY_PATH", scratch.join("master.key"));
    };
    let mut demo = env.command(&hale);
    with_site(&mut demo);
    step("demo data for the client figures", demo.arg("demo"))?;
    let mut serve = env.command(&hale);
    with_site(&mut serve);
    let server = serve
        .arg("serve")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", hale.display()))?;
    let server = StopOnDrop(server);
    let result = wait_until_ready(&base_url).and_then(|()| {
        step(
            "client figures (WASM sizes, Lighthouse)",
            env.command("node")
                .arg("client-figures.mjs")
                .arg(&base_url)
                .arg(&tools)
                .current_dir(root.join("end2end")),
        )
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

//! Static assets: the service worker (served with this build's cache version)
//! and pre-compressed copies of the site's files, so that a 1 MB WASM is
//! compressed once with brotli at its best rather than on every request.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::CONTENT_TYPE;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const VERSION_PLACEHOLDER: &str = "__HALE_CACHE_VERSION__";

/// `/sw.js`: `public/sw.js` with its cache name tied to this build, so that a
/// new release replaces the old cache. Read once when the router is built: the
/// site does not change under a running server (cargo-leptos restarts it).
#[derive(Clone)]
pub struct ServiceWorker(Option<Arc<str>>);

impl ServiceWorker {
    pub fn load(site_root: &Path, pkg_dir: &str) -> Self {
        let body = std::fs::read_to_string(site_root.join("sw.js"))
            .ok()
            .map(|template| {
                template
                    .replace(VERSION_PLACEHOLDER, &cache_version(site_root, pkg_dir))
                    .into()
            });
        Self(body)
    }
}

pub async fn service_worker(State(worker): State<ServiceWorker>) -> Response {
    match worker.0 {
        Some(body) => (
            [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
            body.to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The names of the files in the package folder carry their content hashes,
/// so the list of names identifies the build.
fn cache_version(root: &Path, pkg_dir: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(root.join(pkg_dir))
        .map(|dir| {
            dir.flatten()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in names
        .join("|")
        .bytes()
        .chain(env!("CARGO_PKG_VERSION").bytes())
    {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

const COMPRESSIBLE: &[&str] = &["js", "wasm", "css", "html", "webmanifest", "json", "svg"];

/// Writes `.br` and `.gz` beside each compressible file of the site that lacks
/// a fresh one, off the async runtime. A read-only site is left as it is.
pub fn precompress_in_background(root: PathBuf) {
    tokio::task::spawn_blocking(move || {
        let mut done = 0usize;
        for file in compressible_files(&root) {
            match precompress(&file) {
                Ok(true) => done += 1,
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "cannot write compressed copies of the site files");
                    return;
                }
            }
        }
        if done > 0 {
            tracing::info!(files = done, "site files pre-compressed");
        }
    });
}

fn compressible_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| COMPRESSIBLE.contains(&e))
            {
                files.push(path);
            }
        }
    }
    files
}

/// Compresses one file unless its copies are newer; returns whether it wrote.
pub fn precompress(file: &Path) -> std::io::Result<bool> {
    let modified = std::fs::metadata(file)?.modified()?;
    let br = sibling(file, "br");
    let gz = sibling(file, "gz");
    let fresh = |copy: &Path| {
        std::fs::metadata(copy)
            .and_then(|m| m.modified())
            .is_ok_and(|m| m >= modified)
    };
    if fresh(&br) && fresh(&gz) {
        return Ok(false);
    }
    let data = std::fs::read(file)?;
    let mut compressed = Vec::new();
    {
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut data.as_slice(), &mut compressed, &params)?;
    }
    write_atomically(&br, &compressed)?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&data)?;
    write_atomically(&gz, &encoder.finish()?)?;
    Ok(true)
}

fn sibling(file: &Path, extension: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(extension);
    PathBuf::from(name)
}

fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let tmp = sibling(path, "tmp");
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)
}

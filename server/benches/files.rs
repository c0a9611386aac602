//! `cargo xtask bench`: images and documents, against this machine's limit
//! measured in the same run on the same disk.
//!
//! - a 1 GiB upload through the HTTP door (parts of 8 MiB over loopback,
//!   sealed segment by segment, SHA-256 on the way, written to the blob
//!   folder, then finished) vs `cp` of the same file on the same disk; with
//!   the process's peak RSS after a 256 MiB and after the 1 GiB upload (it
//!   must not grow with the file);
//! - the time to the first rendered frame of a 512×512 CT slice never opened
//!   before (signed link checked, access check and audit, blob read and
//!   decrypted, DICOM parsed, frame windowed, PNG encoded, over HTTP), p50 and
//!   p95, vs the limit: parsing and rendering the same plaintext in memory.

use hale_server::demo::synthetic_dicom::{self, Encoding, Slice};
use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

mod support;
use support::peak_rss_mib;

const FIRST_FRAMES: usize = 30;

fn main() {
    support::block_on(run());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A file of `size` bytes that starts like a PDF (the upload path is what is measured).
fn make_file(path: &std::path::Path, size: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut block = vec![0u8; 1 << 20];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut written = 0;
    while written < size {
        for b in block.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = state as u8;
        }
        if written == 0 {
            block[..9].copy_from_slice(b"%PDF-1.7\n");
        }
        let n = block.len().min(size - written);
        file.write_all(&block[..n]).expect("write");
        written += n;
    }
    file.flush().expect("flush");
}

async fn upload_file(client: &reqwest::Client, base: &str, path: &std::path::Path) -> Value {
    let size = std::fs::metadata(path).expect("size").len();
    let begun: Value = client
        .post(format!("{base}/files/uploads"))
        .json(&json!({ "name": "bench.pdf", "size": size }))
        .send()
        .await
        .expect("begin")
        .json()
        .await
        .expect("json");
    let token = begun["token"].as_str().expect("token").to_owned();
    let part = begun["part_bytes"].as_u64().expect("part") as usize;
    let mut file = std::fs::File::open(path).expect("open");
    let mut buffer = vec![0u8; part];
    let mut index = 0;
    loop {
        let mut filled = 0;
        while filled < part {
            let n = file.read(&mut buffer[filled..]).expect("read");
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        let response = client
            .put(format!("{base}/files/uploads/{token}/parts/{index}"))
            .body(buffer[..filled].to_vec())
            .send()
            .await
            .expect("part");
        assert!(
            response.status().is_success(),
            "part {index}: {}",
            response.status()
        );
        index += 1;
    }
    client
        .post(format!("{base}/files/uploads/{token}/finish"))
        .send()
        .await
        .expect("finish")
        .json()
        .await
        .expect("json")
}

async fn run() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let mut config = support::temp_config(dir.path());
    config.files.max_upload_bytes = 2 << 30;
    let addr = support::serve_hale(config).await;
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let signed_up = client
        .post(format!("{base}/api/accounts/sign_up"))
        .header("accept", "application/json")
        .form(&[
            ("name", "Bench"),
            ("email", "files@hale.example"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .expect("sign up");
    assert!(signed_up.status().is_success() || signed_up.status().is_redirection());

    // 1. Uploads vs cp, and the peak memory after each size.
    let rss_start = peak_rss_mib();
    let mut rows = Vec::new();
    for size_mib in [256usize, 1024] {
        let source = dir.path().join(format!("source-{size_mib}.bin"));
        make_file(&source, size_mib << 20);
        let copy = dir.path().join("copy.bin");
        let started = Instant::now();
        let status = std::process::Command::new("cp")
            .arg(&source)
            .arg(&copy)
            .status()
            .expect("cp");
        let cp = started.elapsed();
        assert!(status.success());
        std::fs::remove_file(&copy).expect("remove copy");
        let started = Instant::now();
        let result = upload_file(&client, &base, &source).await;
        let ours = started.elapsed();
        assert!(result["file_ids"][0].is_i64(), "{result}");
        std::fs::remove_file(&source).expect("remove source");
        rows.push((size_mib, ours, cp, peak_rss_mib()));
    }
    // The work no upload can skip: SHA-256 and sealing of the same bytes, in memory.
    let block = vec![7u8; 64 << 20];
    let started = Instant::now();
    let digest = {
        use sha2::Digest as _;
        sha2::Sha256::digest(&block)
    };
    let sha = started.elapsed();
    let keys = hale_app::files::crypt::MasterKeys::new([1; 32], vec![]);
    let (key, _) = keys.new_data_key("bench");
    let started = Instant::now();
    for (i, chunk) in block.chunks(hale_app::files::crypt::SEGMENT).enumerate() {
        let mut segment = chunk.to_vec();
        key.seal(i as u64, false, &mut segment);
    }
    let seal = started.elapsed();
    let started = Instant::now();
    let ring_digest = ring::digest::digest(&ring::digest::SHA256, &block);
    let ring_sha = started.elapsed();
    assert_eq!(digest.as_slice(), ring_digest.as_ref());
    // Hashing and sealing one after the other: what any upload of ours must spend per byte.
    let crypto_mib_s = 64.0 / (sha + seal).as_secs_f64();
    println!(
        "in memory, 64 MiB: SHA-256 (sha2) {:.0} MiB/s, SHA-256 (ring) {:.0} MiB/s, AES-256-GCM seal {:.0} MiB/s; both: {crypto_mib_s:.0} MiB/s",
        64.0 / sha.as_secs_f64(),
        64.0 / ring_sha.as_secs_f64(),
        64.0 / seal.as_secs_f64()
    );

    for (size_mib, ours, cp, rss) in &rows {
        println!(
            "upload of {size_mib} MiB (HTTP parts, sealed, hashed, stored)\n    ours  {:>9.1} ms ({:.0} MiB/s)\n    limit {:>9.1} ms (cp on the same disk, {:.0} MiB/s)\n    ratio {:.2}x of the machine's limit ({:.2}x of hashing and sealing alone)\n    peak RSS of the process after it: {rss:.0} MiB (at start {rss_start:.0} MiB)",
            ms(*ours),
            *size_mib as f64 / ours.as_secs_f64(),
            ms(*cp),
            *size_mib as f64 / cp.as_secs_f64(),
            cp.as_secs_f64() / ours.as_secs_f64(),
            (*size_mib as f64 / ours.as_secs_f64()) / crypto_mib_s,
        );
    }

    // 2. The first rendered frame of a CT slice never opened before.
    let study = "2.25.777";
    let mut plaintexts = Vec::new();
    for i in 1..=FIRST_FRAMES as i32 {
        let bytes = synthetic_dicom::write(&Slice::ct(
            study,
            &format!("{study}.1"),
            i,
            Encoding::ExplicitLittle,
        ));
        let path = dir.path().join("slice.dcm");
        std::fs::write(&path, &bytes).expect("write slice");
        let result = upload_file(&client, &base, &path).await;
        assert!(result["file_ids"][0].is_i64(), "{result}");
        plaintexts.push(bytes);
    }
    let detail: Value = client
        .post(format!("{base}/api/files/study"))
        .header("accept", "application/json")
        .form(&[("study_uid", study)])
        .send()
        .await
        .expect("study")
        .json()
        .await
        .expect("json");
    let links: Vec<String> = detail["series"][0]["instances"]
        .as_array()
        .expect("instances")
        .iter()
        .map(|i| i["frame_link"].as_str().expect("link").to_owned())
        .collect();
    assert_eq!(links.len(), FIRST_FRAMES);
    let mut ours = Vec::new();
    for link in &links {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{link}&n=0"))
            .send()
            .await
            .expect("frame");
        assert!(response.status().is_success());
        let png = response.bytes().await.expect("png");
        ours.push(started.elapsed());
        assert!(png.starts_with(b"\x89PNG"));
    }
    let mut limit = Vec::new();
    for bytes in &plaintexts {
        let started = Instant::now();
        let obj = hale_app::files::dicom::read(&bytes[..]).expect("parse");
        let instance = hale_app::files::dicom::inspect(&obj).expect("inspect");
        let rendered =
            hale_app::files::dicom::render(&obj, &instance.info, 0, None).expect("render");
        limit.push(started.elapsed());
        assert!(rendered.png.starts_with(b"\x89PNG"));
    }
    ours.sort();
    limit.sort();
    let (p50, p95) = (
        support::percentile(&ours, 0.5),
        support::percentile(&ours, 0.95),
    );
    let limit50 = support::percentile(&limit, 0.5);
    println!(
        "first rendered frame of a 512x512 CT slice (never opened before; over HTTP)\n    ours  p50 {:>7.1} ms, p95 {:>7.1} ms\n    limit p50 {:>7.1} ms (parse and render the plaintext in memory)\n    ratio {:.2}x of the machine's limit",
        ms(p50),
        ms(p95),
        ms(limit50),
        limit50.as_secs_f64() / p50.as_secs_f64(),
    );
}

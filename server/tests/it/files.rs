//! Images, photos and documents over HTTP: uploads in parts, type by content,
//! DICOM in each transfer syntax rendered, ZIP studies, photos stripped,
//! signed links, the access check, quotas, deletion, the sweep, rotation.

use crate::harness::{Browser, TestApp};
use hale_server::demo::synthetic_dicom::{self, Encoding, Slice};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const STUDY: &str = "2.25.42";

/// Sends `bytes` as an upload; answers the finish (or the first refusal).
pub async fn upload(
    app: &TestApp,
    client: &Browser,
    name: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    upload_for(app, client, name, bytes, None).await
}

pub async fn upload_for(
    app: &TestApp,
    client: &Browser,
    name: &str,
    bytes: &[u8],
    patient: Option<i64>,
) -> (StatusCode, Value) {
    let begun = client
        .post(app.url("/files/uploads"))
        .json(&json!({ "name": name, "size": bytes.len(), "patient_id": patient }))
        .send()
        .await
        .expect("begin");
    let status = begun.status();
    let state: Value = begun.json().await.expect("json");
    if !status.is_success() {
        return (status, state);
    }
    let token = state["token"].as_str().expect("token").to_owned();
    let part = state["part_bytes"].as_u64().expect("part size") as usize;
    for (index, chunk) in bytes.chunks(part).enumerate() {
        let sent = client
            .put(app.url(&format!("/files/uploads/{token}/parts/{index}")))
            .body(chunk.to_vec())
            .send()
            .await
            .expect("part");
        if !sent.status().is_success() {
            let status = sent.status();
            return (status, sent.json().await.expect("json"));
        }
    }
    let finished = client
        .post(app.url(&format!("/files/uploads/{token}/finish")))
        .send()
        .await
        .expect("finish");
    let status = finished.status();
    (status, finished.json().await.expect("json"))
}

/// Begins an upload; answers its token.
pub async fn begin(app: &TestApp, client: &Browser, name: &str, size: usize) -> String {
    let begun: Value = client
        .post(app.url("/files/uploads"))
        .json(&json!({ "name": name, "size": size }))
        .send()
        .await
        .expect("begin")
        .json()
        .await
        .expect("json");
    begun["token"].as_str().expect("token").to_owned()
}

/// Sends part `index` of upload `token`; answers the status.
pub async fn put_part(
    app: &TestApp,
    client: &Browser,
    token: &str,
    index: usize,
    bytes: Vec<u8>,
) -> StatusCode {
    client
        .put(app.url(&format!("/files/uploads/{token}/parts/{index}")))
        .body(bytes)
        .send()
        .await
        .expect("part")
        .status()
}

/// A file's detail (with fresh signed links).
pub async fn detail(app: &TestApp, client: &Browser, id: impl ToString) -> Value {
    let response = app
        .call(client, "files/get", &[("id", &id.to_string())])
        .await;
    assert_eq!(response.status(), StatusCode::OK, "files/get");
    response.json().await.expect("json")
}

/// A file's bytes through its signed download link.
pub async fn download(app: &TestApp, client: &Browser, id: impl ToString) -> Vec<u8> {
    let detail = detail(app, client, id).await;
    let link = detail["download_link"].as_str().expect("link");
    let response = client.get(app.url(link)).send().await.expect("download");
    assert_eq!(response.status(), StatusCode::OK, "download");
    response.bytes().await.expect("bytes").to_vec()
}

pub async fn study(app: &TestApp, client: &Browser, uid: &str) -> Value {
    let response = app.call(client, "files/study", &[("study_uid", uid)]).await;
    assert_eq!(response.status(), StatusCode::OK, "study");
    response.json().await.expect("json")
}

/// A frame as grey pixels (width, height, values).
pub async fn frame(
    app: &TestApp,
    client: &Browser,
    link: &str,
    n: u32,
    window: Option<(f64, f64)>,
) -> (u32, u32, Vec<u8>) {
    let mut url = format!("{link}&n={n}");
    if let Some((c, w)) = window {
        url.push_str(&format!("&wc={c}&ww={w}"));
    }
    let response = client.get(app.url(&url)).send().await.expect("frame");
    let status = response.status();
    if status != StatusCode::OK {
        panic!(
            "frame {url}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }
    assert_eq!(response.headers()["content-type"], "image/png");
    let bytes = response.bytes().await.expect("bytes");
    let picture = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .expect("a PNG")
        .to_luma8();
    (picture.width(), picture.height(), picture.into_raw())
}

/// Every object in the blob folder.
pub fn blob_objects(app: &TestApp) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&app.dir.path().join("blobs").join("p"), &mut out);
    out
}

async fn nothing_left(app: &TestApp) {
    assert_eq!(app.count("files").await, 0, "no file row");
    assert_eq!(app.count("uploads").await, 0, "no upload row");
    assert_eq!(
        blob_objects(app),
        Vec::<std::path::PathBuf>::new(),
        "no blob"
    );
}

fn slice(instance: i32, encoding: Encoding) -> Vec<u8> {
    synthetic_dicom::write(&Slice::ct(
        STUDY,
        &format!("{STUDY}.{}", encoding as u8 + 1),
        instance,
        encoding,
    ))
}

/// Pixel (x, y) of a 512-wide frame.
fn at(pixels: &[u8], x: usize, y: usize) -> u8 {
    pixels[y * 512 + x]
}

#[tokio::test]
async fn each_transfer_syntax_uploads_and_renders_the_same_phantom() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("dicom").await;
    let encodings = [
        Encoding::ImplicitLittle,
        Encoding::ExplicitLittle,
        Encoding::Deflated,
        Encoding::Rle,
        Encoding::JpegBaseline,
    ];
    for encoding in encodings {
        let (status, result) = upload(&app, &client, "slice.dcm", &slice(1, encoding)).await;
        assert_eq!(status, StatusCode::OK, "{encoding:?}: {result}");
        assert_eq!(
            result["file_ids"].as_array().unwrap().len(),
            1,
            "{encoding:?}"
        );
    }
    let study = study(&app, &client, STUDY).await;
    let series = study["series"].as_array().unwrap();
    assert_eq!(series.len(), encodings.len());
    let mut lossless: Vec<Vec<u8>> = Vec::new();
    for s in series {
        let instance = &s["instances"][0];
        let info = &instance["info"];
        assert!(info["unsupported"].is_null(), "{info}");
        assert_eq!(info["rows"], 512);
        assert_eq!(info["patient_name"], "Dana Demo");
        assert_eq!(info["pixel_spacing"], json!([0.7, 0.7]));
        let link = instance["frame_link"].as_str().unwrap();
        // A bone window: the spine is white, the air black, the lungs dark.
        let (w, h, pixels) = frame(&app, &client, link, 0, Some((400.0, 1800.0))).await;
        assert_eq!((w, h), (512, 512));
        let name = info["transfer_syntax_name"].as_str().unwrap().to_owned();
        if info["transfer_syntax"] == Encoding::JpegBaseline.uid() {
            // 8-bit soft-tissue values: the spine is brightest, air darkest.
            let (_, _, native) = frame(&app, &client, link, 0, None).await;
            assert!(at(&native, 256, 371) > 240, "{name}: spine");
            assert!(at(&native, 5, 5) < 15, "{name}: air");
            continue;
        }
        // 700 HU through centre 400, width 1800: (700 + 500) / 1799 × 255 = 170.
        assert!(
            (169..=171).contains(&at(&pixels, 256, 371)),
            "{name}: spine {}",
            at(&pixels, 256, 371)
        );
        assert_eq!(at(&pixels, 5, 5), 0, "{name}: air");
        assert!(
            at(&pixels, 154, 230) < at(&pixels, 256, 300),
            "{name}: lung darker than tissue"
        );
        lossless.push(pixels);
    }
    // Implicit, explicit, deflated and RLE hold the same values: the same picture.
    assert_eq!(lossless.len(), 4);
    assert!(lossless.iter().all(|p| p == &lossless[0]));
}

#[tokio::test]
async fn the_window_multi_frame_and_an_unsupported_syntax_behave() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("frames").await;
    let mut multi = Slice::ct(STUDY, &format!("{STUDY}.9"), 1, Encoding::ExplicitLittle);
    multi.frames = 3;
    multi.rows = 128;
    multi.columns = 128;
    let (status, _) = upload(&app, &client, "multi.dcm", &synthetic_dicom::write(&multi)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = upload(&app, &client, "ls.dcm", &slice(1, Encoding::JpegLs)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an unsupported syntax is kept, described"
    );
    let study = study(&app, &client, STUDY).await;
    let series = study["series"].as_array().unwrap();
    let multi = series
        .iter()
        .find(|s| s["series_uid"] == format!("{STUDY}.9"))
        .unwrap();
    let link = multi["instances"][0]["frame_link"].as_str().unwrap();
    assert_eq!(multi["instances"][0]["info"]["frames"], 3);
    let narrow = frame(&app, &client, link, 2, Some((40.0, 80.0))).await;
    let wide = frame(&app, &client, link, 2, Some((40.0, 2000.0))).await;
    assert_eq!((narrow.0, narrow.1), (128, 128));
    assert_ne!(narrow.2, wide.2, "the window changes the picture");
    let beyond = client
        .get(app.url(&format!("{link}&n=3")))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(beyond.text().await.unwrap().contains("no such frame"));

    let ls = series
        .iter()
        .find(|s| s["instances"][0]["info"]["transfer_syntax"] == Encoding::JpegLs.uid())
        .unwrap();
    // The reason as data (the page words it): the encoding by its name.
    let reason = &ls["instances"][0]["info"]["unsupported"];
    let name = reason["EncodingUnsupported"]["name"].as_str().unwrap();
    assert!(name.contains("JPEG-LS"), "{reason}");
    let link = ls["instances"][0]["frame_link"].as_str().unwrap();
    let answer = client
        .get(app.url(&format!("{link}&n=0")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("json"),
        "a message, not a broken image"
    );
}

fn zip_of(entries: &[(&str, Vec<u8>)], deflate: bool) -> Vec<u8> {
    use std::io::Write as _;
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut out);
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, bytes) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap();
    }
    out.into_inner()
}

#[tokio::test]
async fn a_zip_study_becomes_one_file_per_instance_and_a_bomb_leaves_nothing() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("zip").await;
    let first = slice(1, Encoding::ExplicitLittle);
    let archive = zip_of(
        &[
            ("STUDY/IM1", first.clone()),
            ("STUDY/IM2", slice(2, Encoding::ExplicitLittle)),
            ("STUDY/IM3", slice(3, Encoding::Rle)),
            ("README.TXT", b"open with any viewer".to_vec()),
            ("STUDY/COPY", first.clone()),
        ],
        true,
    );
    let (status, result) = upload(&app, &client, "study.zip", &archive).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["file_ids"].as_array().unwrap().len(), 3);
    assert_eq!(
        result["duplicates"].as_array().unwrap().len(),
        1,
        "the copy is stored once"
    );
    assert_eq!(result["skipped"][0]["name"], "README.TXT");
    assert_eq!(result["skipped"][0]["reason"], "EntryNotDicom");
    assert_eq!(app.count("files").await, 3);
    assert_eq!(app.count("uploads").await, 0);
    // Three instances, each its own blob of one part, and once the job has
    // run their three thumbnails; the archive itself is gone.
    app.wait_until("SELECT COUNT(thumb_key) FROM files", |n| n == 3)
        .await;
    assert_eq!(blob_objects(&app).len(), 6);
    let study = study(&app, &client, STUDY).await;
    assert_eq!(study["study"]["instances"], 3);

    // A decompression bomb: 64 MiB of zeros deflate to a few dozen KiB.
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("bomb").await;
    let bomb = zip_of(
        &[
            ("IM1", slice(1, Encoding::ExplicitLittle)),
            ("ZEROS", vec![0u8; 64 << 20]),
        ],
        true,
    );
    assert!(bomb.len() < 2 << 20);
    let (status, result) = upload(&app, &client, "study.zip", &bomb).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        result["error"]
            .as_str()
            .unwrap()
            .contains("decompression bomb"),
        "{result}"
    );
    nothing_left(&app).await;
    // The server keeps serving.
    assert_eq!(
        client
            .get(app.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_a_reason_and_leaves_nothing_behind() {
    let app = TestApp::start_with(&[
        ("HALE_FILES_MAX_UPLOAD_BYTES", "4194304"),
        ("HALE_FILES_QUOTA_BYTES", "6291456"),
    ])
    .await;
    let (client, _) = app.signed_in_client("bad").await;
    let refusal = |status: StatusCode, result: &Value, expected: StatusCode, words: &str| {
        assert_eq!(status, expected, "{result}");
        let message = result["error"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{message:?} should say {words:?}");
    };
    // Wrong magic bytes, whatever the name says.
    let (s, r) = upload(
        &app,
        &client,
        "scan.dcm",
        b"MZ\x90\0 this is a program, not a scan",
    )
    .await;
    refusal(
        s,
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "is not a JPEG, PNG or WebP photo",
    );
    let (s, r) = upload(
        &app,
        &client,
        "photo.jpg",
        b"<html><script>alert(1)</script></html>",
    )
    .await;
    refusal(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "is not a JPEG");
    let (s, r) = upload(
        &app,
        &client,
        "photo.heic",
        b"\0\0\0\x18ftypheic\0\0\0\0mif1heic",
    )
    .await;
    refusal(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "HEIC");
    nothing_left(&app).await;
    // Over the limit: refused before a byte is sent.
    let (s, r) = upload(&app, &client, "big.pdf", &vec![b'%'; 5 << 20]).await;
    refusal(s, &r, StatusCode::PAYLOAD_TOO_LARGE, "larger than 4 MB");
    // A truncated DICOM and a malformed one.
    let whole = slice(1, Encoding::ExplicitLittle);
    let (s, r) = upload(&app, &client, "cut.dcm", &whole[..whole.len() * 6 / 10]).await;
    refusal(
        s,
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "damaged or cut short",
    );
    let mut garbage = vec![0u8; 128];
    garbage.extend_from_slice(b"DICM");
    garbage.extend(std::iter::repeat_n(0xA5u8, 4000));
    let (s, r) = upload(&app, &client, "junk.dcm", &garbage).await;
    refusal(
        s,
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "damaged or cut short",
    );
    // A damaged photo.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0x42; 300]);
    let (s, r) = upload(&app, &client, "broken.png", &png).await;
    refusal(s, &r, StatusCode::UNPROCESSABLE_ENTITY, "damaged");
    nothing_left(&app).await;

    // A part longer than the declared size, a part out of order.
    let token = &begin(&app, &client, "a.pdf", 10).await;
    assert_eq!(
        put_part(
            &app,
            &client,
            token,
            0,
            b"%PDF-1.7 and more than ten".to_vec()
        )
        .await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put_part(&app, &client, token, 1, b"x".to_vec()).await,
        StatusCode::CONFLICT
    );
    let early = client
        .post(app.url(&format!("/files/uploads/{token}/finish")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        early.status(),
        StatusCode::CONFLICT,
        "finish before every part"
    );
    let gone = client
        .delete(app.url(&format!("/files/uploads/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    nothing_left(&app).await;

    // The quota (6 MiB): 3 MiB fit, another 4 MiB do not.
    let mut pdf = b"%PDF-1.4\n".to_vec();
    pdf.resize(3 << 20, b' ');
    let (s, _) = upload(&app, &client, "one.pdf", &pdf).await;
    assert_eq!(s, StatusCode::OK);
    let mut other = b"%PDF-1.4\n".to_vec();
    other.resize(4 << 20, b'-');
    let (s, r) = upload(&app, &client, "two.pdf", &other).await;
    refusal(
        s,
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "MB of your storage is free",
    );
    assert_eq!(app.count("files").await, 1);
}

/// A JPEG with an EXIF block: orientation 6 (turn 90° clockwise) and a GPS position.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([250, 0, 0])
        } else {
            image::Rgb([0, 0, 250])
        }
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 95)
        .encode_image(&picture)
        .unwrap();
    // TIFF, little endian: IFD0 with Orientation (0x0112) = 6 and GPSInfo (0x8825) → GPS IFD
    // with GPSLatitudeRef (0x0001) = "N".
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, 8 + 2 + 24 + 4));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend_from_slice(&plain[2..]);
    out
}

#[tokio::test]
async fn photos_lose_their_metadata_are_turned_upright_and_get_a_thumbnail() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("photo").await;
    let original = jpeg_with_exif(80, 40);
    assert!(original.windows(4).any(|w| w == b"Exif"));
    let (status, result) = upload(&app, &client, "IMG_0001.JPG", &original).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let id = result["file_ids"][0].as_i64().unwrap();
    let detail = detail(&app, &client, &id.to_string()).await;
    assert_eq!(detail["file"]["title"], "IMG_0001");
    assert_eq!(
        (
            detail["file"]["width"].as_u64(),
            detail["file"]["height"].as_u64()
        ),
        (Some(40), Some(80)),
        "turned upright"
    );
    let view = client
        .get(app.url(detail["view_link"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(view.status(), StatusCode::OK);
    assert_eq!(view.headers()["content-type"], "image/jpeg");
    assert_eq!(view.headers()["x-content-type-options"], "nosniff");
    assert!(
        view.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let stored = view.bytes().await.unwrap();
    assert!(!stored.windows(4).any(|w| w == b"Exif"), "no EXIF left");
    assert!(
        !stored.windows(2).any(|w| w == [0xFF, 0xE1]),
        "no APP1 segment"
    );
    let picture = image::load_from_memory(&stored).unwrap().to_rgb8();
    assert_eq!((picture.width(), picture.height()), (40, 80));
    // Turned clockwise: the red left half is now the top.
    assert!(picture.get_pixel(20, 5)[0] > 200 && picture.get_pixel(20, 75)[2] > 200);
    // The thumbnail job.
    app.wait_until(
        &format!("SELECT COUNT(*) FROM files WHERE id = {id} AND thumb_key IS NOT NULL"),
        |n| n == 1,
    )
    .await;
    let list: Value = app
        .call(&client, "files/list", &[])
        .await
        .json()
        .await
        .unwrap();
    let thumb = list["files"][0]["thumb"]
        .as_str()
        .expect("a thumbnail link");
    let thumb = client.get(app.url(thumb)).send().await.unwrap();
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert!(image::load_from_memory(&thumb.bytes().await.unwrap()).is_ok());
    // The same photo again is stored once.
    let (_, again) = upload(&app, &client, "copy.jpg", &original).await;
    assert_eq!(again["duplicates"][0], id);
    assert_eq!(app.count("files").await, 1);
}

#[tokio::test]
async fn jpeg_2000_frames_made_by_openjpeg_render_exactly_like_uncompressed_ones() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("j2k").await;
    let plain = Slice::ct(STUDY, &format!("{STUDY}.30"), 1, Encoding::ExplicitLittle);
    let mut lossless = plain.clone();
    lossless.series_uid = format!("{STUDY}.31");
    lossless.sop_uid = format!("{STUDY}.31.1");
    // The frame through OpenJPEG's own encoder (lossless by default), from a 12-bit PGM.
    let dir = tempfile::tempdir().unwrap();
    let mut pgm = b"P5\n512 512\n4095\n".to_vec();
    for value in synthetic_dicom::frame_values(&plain, 0) {
        pgm.extend_from_slice(&value.to_be_bytes());
    }
    std::fs::write(dir.path().join("frame.pgm"), pgm).unwrap();
    let encoded = std::process::Command::new("opj_compress")
        .arg("-i")
        .arg(dir.path().join("frame.pgm"))
        .arg("-o")
        .arg(dir.path().join("frame.j2k"))
        .output()
        .expect("opj_compress (Debian libopenjp2-tools; `cargo xtask setup` installs it)");
    assert!(
        encoded.status.success(),
        "{}",
        String::from_utf8_lossy(&encoded.stderr)
    );
    let j2k = std::fs::read(dir.path().join("frame.j2k")).unwrap();
    assert!(j2k.starts_with(&[0xFF, 0x4F]), "a JPEG 2000 codestream");
    let file = synthetic_dicom::write_encapsulated(&lossless, "1.2.840.10008.1.2.4.90", vec![j2k]);
    for (name, bytes) in [
        ("plain.dcm", synthetic_dicom::write(&plain)),
        ("j2k.dcm", file),
    ] {
        let (status, result) = upload(&app, &client, name, &bytes).await;
        assert_eq!(status, StatusCode::OK, "{result}");
    }
    let study = study(&app, &client, STUDY).await;
    let mut pictures = Vec::new();
    for series in study["series"].as_array().unwrap() {
        let instance = &series["instances"][0];
        assert!(
            instance["info"]["unsupported"].is_null(),
            "{}",
            instance["info"]
        );
        let link = instance["frame_link"].as_str().unwrap();
        pictures.push(frame(&app, &client, link, 0, Some((400.0, 1800.0))).await.2);
    }
    assert_eq!(pictures.len(), 2);
    assert!(
        pictures[0] == pictures[1],
        "JPEG 2000 lossless decodes to the same values"
    );
    assert!((169..=171).contains(&at(&pictures[1], 256, 371)));
}

//! Imports of the files people really have: the iPhone's `export.zip`,
//! CSV files saved in UTF-16 or with a line in Windows-1252, endless lines,
//! and files that are not imports at all.

use crate::harness::TestApp;
use crate::health::{apple_export, blob_files, finished_import, import, upload};
use reqwest::StatusCode;
use std::io::Write as _;

/// An archive laid out as the Health app shares it.
fn iphone_export_zip(export_xml: Option<&str>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.add_directory("apple_health_export/", deflated).unwrap();
    if let Some(xml) = export_xml {
        zip.start_file("apple_health_export/export.xml", deflated)
            .unwrap();
        zip.write_all(xml.as_bytes()).unwrap();
    }
    // The same readings as a CDA document: not read (it would count them twice).
    zip.start_file("apple_health_export/export_cda.xml", deflated)
        .unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><ClinicalDocument xmlns=\"urn:hl7-org:v3\"><component><observation><value value=\"61\" unit=\"count/min\"/></observation></component></ClinicalDocument>").unwrap();
    zip.start_file(
        "apple_health_export/electrocardiograms/ecg_2026-11-01.csv",
        deflated,
    )
    .unwrap();
    zip.write_all(b"Name,Ann\nClassification,Sinus Rhythm\n\n-12.3\n-11.9\n")
        .unwrap();
    zip.start_file(
        "apple_health_export/workout-routes/route_2026-11-01_7.30am.gpx",
        deflated,
    )
    .unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><gpx version=\"1.1\"><trk><trkseg><trkpt lat=\"51.5\" lon=\"-0.1\"/></trkseg></trk></gpx>").unwrap();
    zip.start_file(
        "apple_health_export/clinical-records/Observation-ABC.json",
        deflated,
    )
    .unwrap();
    zip.write_all(br#"{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"valueQuantity":{"value":70,"unit":"/min"}}"#).unwrap();
    zip.finish().unwrap().into_inner()
}

#[tokio::test]
async fn an_iphone_export_zip_is_read_from_its_export_xml_and_nothing_else() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("iphone").await;
    let id = import(
        &app,
        &client,
        "export.zip",
        iphone_export_zip(Some(&apple_export(300, true))),
    )
    .await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(view["format"], "apple_zip");
    // 300 heart rates + body fat + blood pressure + sleep, as from the bare export.xml.
    assert_eq!(view["imported"], 303, "{view}");
    assert_eq!(view["rejected"], 1);
    assert_eq!(app.count("observations").await, 303);
    assert_eq!(blob_files(&app), 0, "the archive is not kept");

    // An archive without an export says so.
    let id = import(&app, &client, "photos.zip", iphone_export_zip(None)).await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "failed");
    assert!(
        view["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("holds no export.xml"),
        "{view}"
    );
}

#[tokio::test]
async fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("bomb").await;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("apple_health_export/export.xml", deflated)
        .unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?>\n<HealthData>")
        .unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..24 {
        zip.write_all(&spaces).unwrap();
    }
    zip.write_all(b"</HealthData>\n").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 200_000, "it is a bomb: {} bytes", bytes.len());
    let id = import(&app, &client, "export.zip", bytes).await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "failed");
    assert!(
        view["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("decompression bomb"),
        "{view}"
    );
}

fn csv_lines(n: usize) -> Vec<String> {
    let now = chrono::Utc::now();
    (0..n)
        .map(|i| {
            format!(
                "{},heart_rate,{},bpm,Band",
                (now - chrono::Duration::seconds(60 * i as i64 + 120)).format("%Y-%m-%dT%H:%M:%SZ"),
                60 + i % 40
            )
        })
        .collect()
}

#[tokio::test]
async fn a_csv_in_utf16_or_with_a_windows_1252_line_or_an_endless_line_is_read_line_by_line() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("encodings").await;

    // UTF-8 with a line typed in Windows-1252 ("Café" as one byte 0xE9) in
    // the middle, and a line of 100 KB.
    let lines = csv_lines(3000);
    let mut bytes = b"\xEF\xBB\xBFtime,kind,value,unit,source\n".to_vec();
    for (i, line) in lines.iter().enumerate() {
        if i == 1500 {
            bytes.extend_from_slice(line.replace("Band", "Caf\u{e9}").as_bytes());
            // Re-encode the é as Windows-1252.
            let at = bytes.len() - 2;
            bytes.splice(at..at + 2, [0xE9]);
        } else if i == 2000 {
            bytes.extend(std::iter::repeat_n(b'x', 100_000));
        } else {
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes.push(b'\n');
    }
    let id = import(&app, &client, "mixed.csv", bytes).await;
    let view = finished_import(&app, &client, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(
        view["imported"], 2999,
        "every good line, the Windows-1252 one too"
    );
    assert_eq!(view["rejected"], 1, "the endless line, refused as one line");
    assert_eq!(view["problems"][0]["index"], 2002, "{view}");
    assert!(
        view["problems"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("longer than 64 KB")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM observations WHERE source = 'Café'")
            .await,
        1
    );

    // The same readings saved as "Unicode text" (UTF-16 LE with a BOM).
    let (other, _) = app.signed_in_client("utf16").await;
    let text = format!(
        "time,kind,value,unit,source\r\n{}\r\n",
        csv_lines(500).join("\r\n")
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let id = import(&app, &other, "unicode.csv", utf16).await;
    let view = finished_import(&app, &other, id).await;
    assert_eq!(view["state"], "done", "{view}");
    assert_eq!(view["imported"], 500, "{view}");
}

#[tokio::test]
async fn files_that_are_not_imports_are_refused_saying_what_they_are() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("not-imports").await;
    for (name, bytes, code) in [
        ("lab.pdf", b"%PDF-1.7\n%\xE2\xE3\n".to_vec(), "pdf"),
        (
            "photo.jpg",
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF".to_vec(),
            "photo",
        ),
        (
            "old.xls",
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec(),
            "spreadsheet",
        ),
        ("notes.txt", b"hello, world\n".to_vec(), "invalid"),
        ("empty.csv", Vec::new(), "empty"),
    ] {
        let response = upload(&app, &client, name, bytes).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{name}");
        let location = response.headers()["location"].to_str().unwrap();
        assert_eq!(
            location,
            format!("/dashboard/import?error={code}"),
            "{name}"
        );
    }
    assert_eq!(app.count("imports").await, 0);
    assert_eq!(blob_files(&app), 0);
}

#[tokio::test]
async fn the_sweep_removes_import_uploads_a_crash_left_behind() {
    let app = TestApp::start().await;
    let imports = app.dir.path().join("blobs/imports/1");
    std::fs::create_dir_all(&imports).unwrap();
    for (name, age_s) in [("killedmidupload", 2 * 24 * 3600), ("stillarriving", 60)] {
        let file = std::fs::File::create(imports.join(name)).unwrap();
        file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age_s))
            .unwrap();
    }
    let state = hale_server::build_state(&app.config).await.unwrap();
    let swept = hale_app::files::jobs::sweep_now(&state, hale_app::db::now_ms())
        .await
        .unwrap();
    assert_eq!(swept.orphans, 1);
    assert!(!imports.join("killedmidupload").exists());
    assert!(
        imports.join("stillarriving").exists(),
        "a young upload may be arriving"
    );
}

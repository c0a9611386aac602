//! Files: signed links, the access check and the care team, resuming an
//! upload, documents' details and search, deletion, the sweep, rotation.

use crate::files::{STUDY, blob_objects, study, upload, upload_for};
use crate::harness::TestApp;
use hale_app::files::links::{Purpose, sign};
use hale_app::identity::Role;
use hale_server::demo::files::pdf;
use hale_server::demo::synthetic_dicom::{self, Encoding, Slice};
use reqwest::StatusCode;
use serde_json::{Value, json};

const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn link_key() -> [u8; 32] {
    hale_app::files::crypt::MasterKeys::new(
        hale_app::files::crypt::MasterKeys::parse(KEY).unwrap(),
        vec![],
    )
    .link_key()
}

async fn account_id(app: &TestApp, email: &str) -> i64 {
    app.account_id(email).await
}

#[tokio::test]
async fn signed_links_are_bound_to_the_account_and_expire_and_other_patients_stay_closed() {
    let app = TestApp::start_with(&[("HALE_MASTER_KEY", KEY)]).await;
    let (ann, ann_person) = app.signed_in_client("ann-files").await;
    let (bob, bob_person) = app.signed_in_client("bob-files").await;
    let (status, result) = upload(&app, &ann, "report.pdf", &pdf(&["Ann's results"])).await;
    assert_eq!(status, StatusCode::OK);
    let id = result["file_ids"][0].as_i64().unwrap();
    let detail = crate::files::detail(&app, &ann, &id.to_string()).await;
    let download = detail["download_link"].as_str().unwrap().to_owned();
    let ok = ann.get(app.url(&download)).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()["content-type"], "application/pdf");
    assert_eq!(ok.headers()["x-content-type-options"], "nosniff");
    assert!(
        ok.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("no-store")
    );
    let disposition = ok.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"report.pdf\""),
        "{disposition}"
    );
    assert_eq!(ok.bytes().await.unwrap().to_vec(), pdf(&["Ann's results"]));

    // Ann's link in Bob's browser: bound to Ann.
    let stolen = bob.get(app.url(&download)).send().await.unwrap();
    assert_eq!(stolen.status(), StatusCode::FORBIDDEN);
    assert!(stolen.text().await.unwrap().contains("not valid"));
    // No session at all.
    let anonymous = app.client().get(app.url(&download)).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // Tampered: another file, another purpose, a later expiry.
    for tampered in [
        download.replace(&format!("/files/{id}/"), &format!("/files/{}/", id + 1)),
        download.replace("/download?", "/view?"),
        download.replace("?e=", "?e=9"),
    ] {
        assert_eq!(
            ann.get(app.url(&tampered)).send().await.unwrap().status(),
            StatusCode::FORBIDDEN,
            "{tampered}"
        );
    }
    // Expired (signed with the server's key, a minute ago).
    let ann_id = account_id(&app, &ann_person.email).await;
    let past = chrono::Utc::now().timestamp() - 60;
    let expired = ann
        .get(app.url(&sign(&link_key(), ann_id, id, Purpose::Download, past)))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::FORBIDDEN);
    assert!(expired.text().await.unwrap().contains("expired"));
    // A valid link made for Bob to Ann's file: the access check refuses it, and audits it.
    let bob_id = account_id(&app, &bob_person.email).await;
    let future = chrono::Utc::now().timestamp() + 60;
    let refusals = app
        .scalar("SELECT COUNT(*) FROM audit_events WHERE outcome LIKE 'refused%'")
        .await;
    let forged = bob
        .get(app.url(&sign(&link_key(), bob_id, id, Purpose::Download, future)))
        .send()
        .await
        .unwrap();
    // Answered as a missing file is, so that which ids exist cannot be probed.
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);
    assert!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE outcome LIKE 'refused%'")
            .await
            > refusals
    );
    // Another patient's file id through the server functions: answered as
    // a missing id is, so that which ids exist cannot be probed.
    let missing = app.call(&bob, "files/get", &[("id", "999999")]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing_body = missing.text().await.unwrap();
    for endpoint in ["files/get", "files/delete"] {
        let answer = app.call(&bob, endpoint, &[("id", &id.to_string())]).await;
        assert_eq!(answer.status(), StatusCode::NOT_FOUND, "{endpoint}");
        assert_eq!(answer.text().await.unwrap(), missing_body, "{endpoint}");
    }
    let save = app
        .call(
            &bob,
            "files/save",
            &[
                ("id", &id.to_string()),
                ("title", "mine"),
                ("category", "other"),
                ("date", ""),
                ("tags", ""),
            ],
        )
        .await;
    assert_eq!(save.status(), StatusCode::NOT_FOUND);
    // Bob cannot upload into Ann's records either.
    let (status, _) = upload_for(&app, &bob, "x.pdf", &pdf(&["x"]), Some(ann_id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("files").await, 1);
    // Every read was audited with the file named.
    assert!(app.scalar(&format!("SELECT COUNT(*) FROM audit_events WHERE record_id = 'file:{id}' AND outcome = 'allowed_own'")).await >= 2);
    let _ = bob_person;
}

#[tokio::test]
async fn a_clinician_with_a_documents_grant_views_a_study_but_cannot_change_it() {
    let app = TestApp::start().await;
    let (ann, ann_person) = app.signed_in_client("ann-ct").await;
    let slices = synthetic_dicom::series(STUDY, &format!("{STUDY}.1"), 3, Encoding::ExplicitLittle);
    for bytes in &slices {
        assert_eq!(upload(&app, &ann, "ct.dcm", bytes).await.0, StatusCode::OK);
    }
    let ann_id = account_id(&app, &ann_person.email).await.to_string();
    let (doctor, person) = app.staff_client("dr-files", Role::Clinician).await;
    app.enrol_mfa(&doctor, &person.password).await;
    let before = app
        .call(&doctor, "files/list", &[("patient_id", &ann_id)])
        .await;
    assert_eq!(before.status(), StatusCode::FORBIDDEN);
    let code = app.invite(&ann, &person.email, "documents:r").await;
    app.join(&doctor, &code).await;
    let list: Value = app
        .call(&doctor, "files/list", &[("patient_id", &ann_id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["studies"][0]["instances"], 3);
    assert_eq!(list["can_write"], false);
    let study: Value = app
        .call(
            &doctor,
            "files/study",
            &[("patient_id", &ann_id), ("study_uid", STUDY)],
        )
        .await
        .json()
        .await
        .unwrap();
    let link = study["series"][0]["instances"][1]["frame_link"]
        .as_str()
        .unwrap();
    let (w, h, _) = crate::files::frame(&app, &doctor, link, 0, None).await;
    assert_eq!((w, h), (512, 512));
    let id = study["series"][0]["instances"][0]["file_id"]
        .as_i64()
        .unwrap()
        .to_string();
    assert_eq!(
        app.call(&doctor, "files/delete", &[("id", &id)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (status, _) = upload_for(
        &app,
        &doctor,
        "x.pdf",
        &pdf(&["x"]),
        Some(ann_id.parse().unwrap()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("files").await, 3);
    // The clinician's pages stay with the patient: a document opens under
    // the patient, and its way back leads to the patient's documents.
    let (status, body) = upload(&app, &ann, "letter.pdf", &pdf(&["a letter"])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pdf_id = app.scalar("SELECT MAX(id) FROM files").await;
    let page = |path: String| {
        let doctor = doctor.clone();
        let url = app.url(&path);
        async move { doctor.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let list_page = page(format!("/patients/{ann_id}/documents")).await;
    let file_path = format!("/patients/{ann_id}/documents/{pdf_id}");
    // It speaks of the patient, not to the clinician as its owner.
    assert!(
        list_page.contains("This patient&#x27;s scans, photos and documents")
            || list_page.contains("This patient's scans, photos and documents"),
        "{list_page}"
    );
    assert!(!list_page.contains("Your scans"), "{list_page}");
    assert!(
        list_page.contains(&format!("href=\"{file_path}\"")),
        "{list_page}"
    );
    let file_page = page(file_path).await;
    assert!(
        file_page.contains(&format!(
            "href=\"/patients/{ann_id}/documents\" data-testid=\"back\""
        )),
        "{file_page}"
    );
    assert!(
        file_page.contains("data-testid=\"file-title\""),
        "{file_page}"
    );
    // The grant covers documents only.
    assert_eq!(
        app.call(&doctor, "meds/list", &[("patient_id", &ann_id)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_stopped_upload_resumes_from_its_last_part_and_arrives_whole() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("resume").await;
    // A 20 MiB multi-frame instance: three parts.
    let mut big = Slice::ct(STUDY, &format!("{STUDY}.2"), 1, Encoding::ExplicitLittle);
    big.frames = 40;
    let bytes = synthetic_dicom::write(&big);
    assert!(bytes.len() > 16 << 20);
    let begun: Value = client
        .post(app.url("/files/uploads"))
        .json(&json!({ "name": "big.dcm", "size": bytes.len() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = begun["token"].as_str().unwrap().to_owned();
    let part = begun["part_bytes"].as_u64().unwrap() as usize;
    assert_eq!(begun["parts"], 3);
    let put = |index: usize| {
        let client = client.clone();
        let url = app.url(&format!("/files/uploads/{token}/parts/{index}"));
        let chunk = bytes[index * part..((index + 1) * part).min(bytes.len())].to_vec();
        async move { client.put(url).body(chunk).send().await.unwrap() }
    };
    assert_eq!(put(0).await.status(), StatusCode::OK);
    // The connection drops in the middle of part 1: nothing of it counts.
    assert_eq!(
        crate::files::put_part(&app, &client, &token, 1, bytes[part..part + 1000].to_vec()).await,
        StatusCode::BAD_REQUEST
    );
    // Where was I?
    let state: Value = client
        .get(app.url(&format!("/files/uploads/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["next_part"], 1);
    // A retried part that was stored is accepted without change.
    assert_eq!(put(0).await.status(), StatusCode::OK);
    assert_eq!(put(1).await.status(), StatusCode::OK);
    assert_eq!(put(2).await.status(), StatusCode::OK);
    let result: Value = client
        .post(app.url(&format!("/files/uploads/{token}/finish")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = result["file_ids"][0].as_i64().expect("stored");
    let sha = {
        use sha2::Digest as _;
        sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM files WHERE id = {id} AND sha256 = '{sha}'"
        ))
        .await,
        1
    );
    let back = crate::files::download(&app, &client, id).await;
    assert_eq!(back.len(), bytes.len());
    assert!(back == bytes, "the same bytes come back");
    // At rest, the parts are not the plaintext.
    let stored = std::fs::read(&blob_objects(&app)[0]).unwrap();
    assert!(!stored.windows(4).any(|w| w == b"DICM"));
}

#[tokio::test]
async fn documents_keep_their_details_are_found_by_title_and_tag_and_delete_with_their_blob() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("docs").await;
    let (_, first) = upload(&app, &client, "scan-2026.pdf", &pdf(&["one"])).await;
    let (_, second) = upload(&app, &client, "card.pdf", &pdf(&["two"])).await;
    let first = first["file_ids"][0].as_i64().unwrap().to_string();
    let second = second["file_ids"][0].as_i64().unwrap().to_string();
    let save = |id: String,
                title: &'static str,
                category: &'static str,
                date: &'static str,
                tags: &'static str| {
        let app = &app;
        let client = client.clone();
        async move {
            app.call(
                &client,
                "files/save",
                &[
                    ("id", &id),
                    ("title", title),
                    ("category", category),
                    ("date", date),
                    ("tags", tags),
                ],
            )
            .await
        }
    };
    assert_eq!(
        save(
            first.clone(),
            "Kidney panel",
            "lab_report",
            "2026-03-10",
            "Kidney, #renal, kidney"
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        save(second.clone(), "Insurance", "insurance_card", "", "card")
            .await
            .status(),
        StatusCode::OK
    );
    for (title, category, date, tags, words) in [
        ("", "other", "", "", "title of 1 to 200"),
        ("x", "x-ray", "", "", "categories"),
        ("x", "other", "10/03/2026", "", "2026-03-14"),
        ("x", "other", "2999-01-01", "", "future"),
    ] {
        let answer = save(first.clone(), title, category, date, tags).await;
        crate::meds::refused_because(answer, words).await;
    }
    let detail = crate::files::detail(&app, &client, &first).await;
    assert_eq!(detail["file"]["tags"], json!(["kidney", "renal"]));
    assert_eq!(detail["file"]["date"], "2026-03-10");
    let search = |q: &'static str| {
        let app = &app;
        let client = client.clone();
        async move {
            let list: Value = app
                .call(&client, "files/list", &[("query", q)])
                .await
                .json()
                .await
                .unwrap();
            list["files"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["title"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("renal").await, vec!["Kidney panel"]);
    assert_eq!(search("PANEL").await, vec!["Kidney panel"]);
    assert_eq!(search("insur").await, vec!["Insurance"]);
    assert_eq!(
        search("ren").await,
        vec!["Kidney panel"],
        "a tag matches from its start"
    );
    assert_eq!(
        search("enal").await,
        Vec::<String>::new(),
        "not from its middle"
    );
    assert_eq!(search("%").await, Vec::<String>::new());
    assert_eq!(search("").await.len(), 2);
    // Delete: the row and the blob go together.
    assert_eq!(blob_objects(&app).len(), 2);
    assert_eq!(
        app.call(&client, "files/delete", &[("id", &first)])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(app.count("files").await, 1);
    assert_eq!(blob_objects(&app).len(), 1);
    assert_eq!(
        app.call(&client, "files/get", &[("id", &first)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_sweep_removes_abandoned_uploads_and_orphaned_blobs_but_not_live_ones() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("sweep").await;
    let (_, kept) = upload(&app, &client, "kept.pdf", &pdf(&["kept"])).await;
    assert!(kept["file_ids"][0].is_i64());
    // An upload left half-way, a day and a bit ago.
    let token = &crate::files::begin(&app, &client, "left.pdf", 9 << 20).await;
    let mut part = b"%PDF-1.4\n".to_vec();
    part.resize(8 << 20, b' ');
    assert_eq!(
        crate::files::put_part(&app, &client, token, 0, part).await,
        StatusCode::OK
    );
    app.execute(&format!(
        "UPDATE uploads SET updated_ms = updated_ms - 25 * 3600 * 1000 WHERE token = '{token}'"
    ))
    .await;
    // An orphan (a crash between writing a blob and its row), two hours old, and a fresh one.
    let blobs = app.dir.path().join("blobs/p/1");
    for (name, age_s) in [
        ("0123456789abcdef0123456789abcdef", 7200),
        ("fedcba9876543210fedcba9876543210", 10),
    ] {
        std::fs::create_dir_all(blobs.join(name)).unwrap();
        let file = std::fs::File::create(blobs.join(name).join("000000")).unwrap();
        file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(age_s))
            .unwrap();
    }
    assert_eq!(blob_objects(&app).len(), 4);
    let state = hale_server::build_state(&app.config).await.unwrap();
    let swept = hale_app::files::jobs::sweep_now(&state, hale_app::db::now_ms())
        .await
        .unwrap();
    assert_eq!((swept.uploads, swept.orphans), (1, 1));
    assert_eq!(app.count("uploads").await, 0);
    let left: Vec<String> = blob_objects(&app)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(
        left.iter().any(|p| p.contains("fedcba98")),
        "a young blob may be an upload in progress"
    );
    // The kept file still opens.
    let id = kept["file_ids"][0].as_i64().unwrap();
    assert_eq!(
        crate::files::download(&app, &client, id).await,
        pdf(&["kept"])
    );
}

#[tokio::test]
async fn rotating_the_master_key_rewraps_data_keys_without_rewriting_blobs() {
    let app = TestApp::start_with(&[("HALE_MASTER_KEY", KEY)]).await;
    let (client, _) = app.signed_in_client("rotate").await;
    let (_, result) = upload(&app, &client, "r.pdf", &pdf(&["rotate me"])).await;
    let id = result["file_ids"][0].as_i64().unwrap();
    let blob_before = std::fs::read(&blob_objects(&app)[0]).unwrap();
    let new_key = hale_app::files::crypt::MasterKeys::generate_text();
    let mut config = app.config.clone();
    let env: std::collections::HashMap<String, String> = [
        (
            "HALE_DATABASE_URL".to_owned(),
            app.config.database_url.expose().to_owned(),
        ),
        (
            "HALE_BLOBS_ROOT".to_owned(),
            app.dir.path().join("blobs").display().to_string(),
        ),
        ("HALE_MASTER_KEY".to_owned(), new_key.clone()),
        ("HALE_MASTER_KEY_PREVIOUS".to_owned(), KEY.to_owned()),
    ]
    .into_iter()
    .collect();
    config.files = hale_server::config::Config::from_sources(None, &env)
        .unwrap()
        .files;
    let rotating = hale_server::build_state(&config).await.unwrap();
    assert_eq!(hale_app::files::jobs::rotate(&rotating).await.unwrap(), 1);
    assert_eq!(
        hale_app::files::jobs::rotate(&rotating).await.unwrap(),
        0,
        "done once"
    );
    // Only the new key now: the file still opens; the blob is byte for byte the same.
    let env_new: std::collections::HashMap<String, String> =
        [("HALE_MASTER_KEY".to_owned(), new_key)]
            .into_iter()
            .collect();
    config.files = hale_server::config::Config::from_sources(None, &env_new)
        .unwrap()
        .files;
    let state = hale_server::build_state(&config).await.unwrap();
    let row = hale_app::files::store::for_job(&state.db, id)
        .await
        .unwrap()
        .unwrap();
    let key = state
        .files
        .keys
        .unwrap(&row.wrapped_key, &row.blob_key)
        .expect("unwrapped with the new key");
    let bytes = hale_app::files::sealed::read_all(&state.blobs, &key, &row.blob_key, row.size)
        .await
        .unwrap();
    assert_eq!(bytes, pdf(&["rotate me"]));
    assert_eq!(std::fs::read(&blob_objects(&app)[0]).unwrap(), blob_before);
    // The old key alone no longer opens it.
    let env_old: std::collections::HashMap<String, String> =
        [("HALE_MASTER_KEY".to_owned(), KEY.to_owned())]
            .into_iter()
            .collect();
    config.files = hale_server::config::Config::from_sources(None, &env_old)
        .unwrap()
        .files;
    // (Hale now refuses to start with it, naming the key, rather than
    // start and fail on every file.)
    let old = hale_server::build_state(&config).await;
    assert!(
        matches!(&old, Err(hale_server::StartError::MasterKey(reason)) if reason.contains("does not open")),
        "{:?}",
        old.as_ref().err()
    );
    let _ = study;
}

#[tokio::test]
async fn a_download_asked_for_compressed_arrives_whole_and_uncompressed() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("br").await;
    let (_, result) = upload(&app, &client, "r.pdf", &pdf(&["compress me?"])).await;
    let id = result["file_ids"][0].as_i64().unwrap();
    let detail = crate::files::detail(&app, &client, id).await;
    for purpose in ["view_link", "download_link"] {
        let response = client
            .get(app.url(detail[purpose].as_str().unwrap()))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers().get("content-encoding").is_none(),
            "{purpose}"
        );
        assert_eq!(
            response.bytes().await.unwrap().to_vec(),
            pdf(&["compress me?"])
        );
    }
}

#[tokio::test]
async fn finishing_the_same_upload_twice_at_once_keeps_one_whole_file() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("twice").await;
    let bytes = pdf(&["finished twice"]);
    let token = &crate::files::begin(&app, &client, "twice.pdf", bytes.len()).await;
    assert_eq!(
        crate::files::put_part(&app, &client, token, 0, bytes.clone()).await,
        StatusCode::OK
    );
    // The upload row as a second, concurrent finish read it before the first one committed.
    app.execute("CREATE TABLE upload_copy AS SELECT * FROM uploads")
        .await;
    let finish = || {
        client
            .post(app.url(&format!("/files/uploads/{token}/finish")))
            .send()
    };
    assert_eq!(finish().await.unwrap().status(), StatusCode::OK);
    app.execute("INSERT INTO uploads SELECT * FROM upload_copy")
        .await;
    let second: Value = finish().await.unwrap().json().await.unwrap();
    assert_eq!(
        second["duplicates"].as_array().unwrap().len(),
        1,
        "{second}"
    );
    assert_eq!(app.count("files").await, 1);
    assert_eq!(app.count("uploads").await, 0);
    // The second finish did not take the first one's parts with it.
    let id = app.scalar("SELECT MAX(id) FROM files").await;
    assert_eq!(crate::files::download(&app, &client, id).await, bytes);
}

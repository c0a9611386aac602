//! The Azure Blob backend against the real emulator (npm azurite, started on
//! 127.0.0.1 for the test): the same uploads, renders, refusals, deletion and
//! sweep as on the local folder.

use crate::files::{STUDY, study, upload};
use crate::harness::TestApp;
use crate::peers::NodePeer;
use hale_server::demo::files::pdf;
use hale_server::demo::synthetic_dicom::{self, Encoding, Slice};
use reqwest::StatusCode;

async fn objects(app: &TestApp) -> Vec<String> {
    let state = hale_server::build_state(&app.config).await.unwrap();
    state
        .blobs
        .list("p/")
        .await
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

#[tokio::test]
async fn files_live_in_azure_blob_storage_sealed_and_whole() {
    let azurite = NodePeer::start("peers/azurite.mjs", &[]);
    let settings = [
        ("HALE_BLOBS_BACKEND", "azblob".to_owned()),
        ("HALE_BLOBS_ENDPOINT", azurite.field("endpoint")),
        ("HALE_BLOBS_CONTAINER", azurite.field("container")),
        ("HALE_BLOBS_ACCOUNT_NAME", azurite.field("account")),
        ("HALE_BLOBS_ACCOUNT_KEY", azurite.field("key")),
    ];
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::start_with(&settings).await;
    let (client, _) = app.signed_in_client("azure").await;

    // A multi-frame instance of two parts, rendered and read back whole.
    let mut big = Slice::ct(STUDY, &format!("{STUDY}.7"), 1, Encoding::ExplicitLittle);
    big.frames = 20;
    let bytes = synthetic_dicom::write(&big);
    assert!(bytes.len() > 8 << 20);
    let (status, result) = upload(&app, &client, "big.dcm", &bytes).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let id = result["file_ids"][0].as_i64().unwrap();
    app.wait_until(
        "SELECT COUNT(*) FROM files WHERE thumb_key IS NOT NULL",
        |n| n == 1,
    )
    .await;
    let keys = objects(&app).await;
    assert_eq!(keys.len(), 3, "two parts and the thumbnail: {keys:?}");
    assert!(keys.iter().all(|k| k.starts_with("p/")));
    let study = study(&app, &client, STUDY).await;
    let link = study["series"][0]["instances"][0]["frame_link"]
        .as_str()
        .unwrap();
    let (w, h, pixels) = crate::files::frame(&app, &client, link, 19, Some((400.0, 1800.0))).await;
    assert_eq!((w, h), (512, 512));
    assert_eq!(pixels[5 * 512 + 5], 0, "air");
    let back = crate::files::download(&app, &client, id).await;
    assert!(back == bytes, "the same bytes come back from Azure");

    // A refused file leaves no blob in the container.
    let (status, _) = upload(&app, &client, "cut.dcm", &bytes[..9 << 20]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let left = objects(&app).await;
    assert_eq!(left, keys);

    // A document; then delete both: the container is empty again.
    let (_, doc) = upload(&app, &client, "r.pdf", &pdf(&["azure"])).await;
    let doc = doc["file_ids"][0].as_i64().unwrap();
    assert_eq!(objects(&app).await.len(), 4);
    for id in [id, doc] {
        assert_eq!(
            app.call(&client, "files/delete", &[("id", &id.to_string())])
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(objects(&app).await, Vec::<String>::new());
    assert_eq!(app.count("files").await, 0);

    // The sweep lists the container: an upload abandoned a day ago goes.
    let token = &crate::files::begin(&app, &client, "left.pdf", 20).await;
    assert_eq!(
        crate::files::put_part(
            &app,
            &client,
            token,
            0,
            b"%PDF-1.4 twenty bytes".to_vec()[..20].to_vec()
        )
        .await,
        StatusCode::OK
    );
    app.execute("UPDATE uploads SET updated_ms = updated_ms - 25 * 3600 * 1000")
        .await;
    let state = hale_server::build_state(&app.config).await.unwrap();
    let swept = hale_app::files::jobs::sweep_now(&state, hale_app::db::now_ms())
        .await
        .unwrap();
    assert_eq!(swept.uploads, 1);
    assert_eq!(objects(&app).await, Vec::<String>::new());
}

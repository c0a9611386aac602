//! 12-bit JPEG Extended (process 2 & 4) frames, as CT and MR scanners write
//! them, made by an encoder Hale does not carry: libjpeg-turbo 3 (inside
//! Python's imagecodecs, installed into `.tools/python` by `cargo xtask
//! test`), whose own decoder gives the values each pixel must show.

use crate::files::{STUDY, frame, study, upload};
use crate::harness::TestApp;
use hale_server::demo::synthetic_dicom::{self, Encoding, Slice};
use reqwest::StatusCode;
use std::path::{Path, PathBuf};

const JPEG_EXTENDED: &str = "1.2.840.10008.1.2.4.51";

/// Encodes 12-bit samples with libjpeg-turbo: the JPEG and libjpeg-turbo's
/// own decoding of it.
fn libjpeg_turbo_twelve_bit(values: &[u16], width: usize, height: usize) -> (Vec<u8>, Vec<u16>) {
    let python: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/python/bin/python");
    let dir = tempfile::tempdir().unwrap();
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(dir.path().join("frame.raw"), raw).unwrap();
    let script = format!(
        "import imagecodecs, numpy as np\n\
         a = np.fromfile('frame.raw', dtype='<u2').reshape({height}, {width})\n\
         jpeg = imagecodecs.jpeg8_encode(a, level=90, bitspersample=12)\n\
         open('frame.jpg', 'wb').write(jpeg)\n\
         imagecodecs.jpeg8_decode(jpeg).astype('<u2').tofile('decoded.raw')\n"
    );
    let run = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("{python:?} ({e}): `cargo xtask test` installs it"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let jpeg = std::fs::read(dir.path().join("frame.jpg")).unwrap();
    let decoded = std::fs::read(dir.path().join("decoded.raw"))
        .unwrap()
        .chunks_exact(2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .collect();
    (jpeg, decoded)
}

/// The grey level the viewer draws for stored value `v` (rescale intercept
/// -1024) through window (`centre`, `width`), as DICOM's linear VOI function
/// defines it.
fn windowed(v: u16, (centre, width): (f64, f64)) -> u8 {
    let hu = f64::from(v) - 1024.0;
    let low = centre - 0.5 - (width - 1.0) / 2.0;
    ((hu - low) * 255.0 / (width - 1.0)).clamp(0.0, 255.0) as u8
}

#[tokio::test]
async fn twelve_bit_jpeg_extended_frames_show_what_libjpeg_turbo_decodes() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("jpeg12").await;
    let slice = Slice::ct(STUDY, &format!("{STUDY}.40"), 1, Encoding::ExplicitLittle);
    let values = synthetic_dicom::frame_values(&slice, 0);
    let (jpeg, reference) = libjpeg_turbo_twelve_bit(&values, 512, 512);
    let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC1]);
    assert_eq!(
        sof.map(|at| jpeg[at + 4]),
        Some(12),
        "an extended sequential frame of 12-bit samples"
    );
    let file = synthetic_dicom::write_encapsulated(&slice, JPEG_EXTENDED, vec![jpeg]);
    let (status, result) = upload(&app, &client, "jpeg12.dcm", &file).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let study = study(&app, &client, STUDY).await;
    let instance = &study["series"][0]["instances"][0];
    assert!(
        instance["info"]["unsupported"].is_null(),
        "{}",
        instance["info"]
    );
    let link = instance["frame_link"].as_str().unwrap();
    // A narrow window, so a stored value one off shows as a grey level off.
    for window in [(40.0, 256.0), (400.0, 1800.0)] {
        let (width, height, shown) = frame(&app, &client, link, 0, Some(window)).await;
        assert_eq!((width, height), (512, 512));
        let off: Vec<usize> = (0..shown.len())
            .filter(|&i| shown[i].abs_diff(windowed(reference[i], window)) > 1)
            .collect();
        assert!(
            off.is_empty(),
            "{} of {} pixels differ from libjpeg-turbo's decoding through {window:?}, first at {:?}",
            off.len(),
            shown.len(),
            off.first().map(|i| (i % 512, i / 512))
        );
        let exact = (0..shown.len())
            .filter(|&i| shown[i] == windowed(reference[i], window))
            .count();
        assert!(exact * 10 >= shown.len() * 9, "{exact} exact");
    }
    // And it is the phantom: the lossy frame is within a few values of the original.
    let error = values
        .iter()
        .zip(&reference)
        .map(|(a, b)| f64::from(a.abs_diff(*b)))
        .sum::<f64>()
        / values.len() as f64;
    assert!(error < 4.0, "mean error {error}");
}

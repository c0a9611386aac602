//! DICOM JPEG frames made by an encoder Hale does not carry, as scanners and
//! cameras write them: libjpeg-turbo 3 (inside Python's imagecodecs,
//! installed into `.tools/python` by `cargo xtask test`). 12-bit JPEG
//! Extended (process 2 & 4, CT and MR), whose pixels must show what
//! libjpeg-turbo's own decoder reads, and colour JPEG Baseline with 4:2:2
//! chroma (YBR_FULL_422, what cameras and ultrasound write). The same
//! package's OpenJPEG writes 16-bit colour JPEG 2000, with and without its
//! reversible colour transform.

use crate::dicom_variants::{image, instance, part10, put, rgb_frame};
use crate::files::{STUDY, frame, study, upload};
use crate::harness::TestApp;
use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, VR};
use dicom_dictionary_std::tags;
use hale_server::demo::synthetic_dicom::{self, Encoding, Slice};
use reqwest::StatusCode;
use std::path::{Path, PathBuf};

const JPEG_BASELINE: &str = "1.2.840.10008.1.2.4.50";
const JPEG_EXTENDED: &str = "1.2.840.10008.1.2.4.51";
const JPEG_2000_LOSSLESS: &str = "1.2.840.10008.1.2.4.90";

/// Runs `script` with the test environment's Python in `dir`.
fn python(script: &str, dir: &Path) {
    let python: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/python/bin/python");
    let run = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{python:?} ({e}): `cargo xtask test` installs it"));
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

/// Encodes 12-bit samples with libjpeg-turbo: the JPEG and libjpeg-turbo's
/// own decoding of it.
fn libjpeg_turbo_twelve_bit(values: &[u16], width: usize, height: usize) -> (Vec<u8>, Vec<u16>) {
    let dir = tempfile::tempdir().unwrap();
    let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(dir.path().join("frame.raw"), raw).unwrap();
    python(
        &format!(
            "import imagecodecs, numpy as np\n\
             a = np.fromfile('frame.raw', dtype='<u2').reshape({height}, {width})\n\
             jpeg = imagecodecs.jpeg8_encode(a, level=90, bitspersample=12)\n\
             open('frame.jpg', 'wb').write(jpeg)\n\
             imagecodecs.jpeg8_decode(jpeg).astype('<u2').tofile('decoded.raw')\n"
        ),
        dir.path(),
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

#[tokio::test]
async fn colour_jpeg_baseline_with_422_chroma_shows_its_colours() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("jpeg422").await;
    // Quadrants red, green / blue, white, 32 × 32 each; libjpeg-turbo turns
    // them into YCbCr and keeps every second chroma sample across (4:2:2).
    let quadrants: [[u8; 3]; 4] = [[220, 30, 30], [30, 200, 30], [30, 30, 220], [250, 250, 250]];
    let dir = tempfile::tempdir().unwrap();
    let mut raw = Vec::with_capacity(64 * 64 * 3);
    for y in 0..64 {
        for x in 0..64 {
            raw.extend_from_slice(&quadrants[(y / 32) * 2 + x / 32]);
        }
    }
    std::fs::write(dir.path().join("frame.rgb"), &raw).unwrap();
    python(
        "import imagecodecs, numpy as np\n\
         a = np.fromfile('frame.rgb', dtype='u1').reshape(64, 64, 3)\n\
         open('frame.jpg', 'wb').write(imagecodecs.jpeg8_encode(a, level=95, subsampling='422'))\n",
        dir.path(),
    );
    let mut jpeg = std::fs::read(dir.path().join("frame.jpg")).unwrap();
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame");
    assert_eq!(jpeg[sof + 11], 0x21, "luma sampled 2 × 1: 4:2:2");
    if jpeg.len() % 2 == 1 {
        jpeg.push(0);
    }
    let study = "2.25.5020";
    let mut obj = image(study, 1, "YBR_FULL_422", 3, 8);
    put(&mut obj, tags::ROWS, VR::US, 64u16);
    put(&mut obj, tags::COLUMNS, VR::US, 64u16);
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), vec![jpeg])),
    ));
    let (status, body) = upload(&app, &client, "ybr422.dcm", &part10(obj, JPEG_BASELINE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (info, link) = instance(&app, &client, study).await;
    assert!(info["unsupported"].is_null(), "{info}");
    let rgb = rgb_frame(&app, &client, &link).await;
    assert_eq!(rgb.len(), 64 * 64 * 3);
    for (i, want) in quadrants.iter().enumerate() {
        // The middle of each quadrant, away from the edges' ringing.
        let (x, y) = (16 + 32 * (i % 2), 16 + 32 * (i / 2));
        let got = &rgb[(y * 64 + x) * 3..(y * 64 + x) * 3 + 3];
        for (g, w) in got.iter().zip(want) {
            assert!(g.abs_diff(*w) <= 12, "quadrant {i}: {got:?} vs {want:?}");
        }
    }
}

#[tokio::test]
async fn sixteen_bit_colour_jpeg_2000_shows_its_colours() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("j2k-rgb16").await;
    // Left half a deep red, right half a deep blue, in 16-bit samples.
    let (red, blue) = ([60_000u16, 2_000, 2_000], [3_000u16, 3_000, 50_000]);
    let dir = tempfile::tempdir().unwrap();
    let raw: Vec<u8> = (0..32 * 32)
        .flat_map(|i| if i % 32 < 16 { red } else { blue })
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(dir.path().join("frame.raw"), raw).unwrap();
    python(
        "import imagecodecs, numpy as np\n\
         a = np.fromfile('frame.raw', dtype='<u2').reshape(32, 32, 3)\n\
         for mct in (False, True):\n    \
             open(f'mct{int(mct)}.j2k', 'wb').write(imagecodecs.jpeg2k_encode(a, level=0, codecformat='J2K', mct=mct))\n",
        dir.path(),
    );
    // Without the colour transform DICOM says RGB; with the reversible one, YBR_RCT.
    for (n, (file, photometric)) in [("mct0.j2k", "RGB"), ("mct1.j2k", "YBR_RCT")]
        .into_iter()
        .enumerate()
    {
        let mut j2k = std::fs::read(dir.path().join(file)).unwrap();
        assert!(j2k.starts_with(&[0xFF, 0x4F]), "a JPEG 2000 codestream");
        if j2k.len() % 2 == 1 {
            j2k.push(0);
        }
        let study = format!("2.25.503{n}");
        let mut obj = image(&study, 1, photometric, 3, 16);
        put(&mut obj, tags::ROWS, VR::US, 32u16);
        put(&mut obj, tags::COLUMNS, VR::US, 32u16);
        put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
        obj.put(DataElement::new(
            tags::PIXEL_DATA,
            VR::OB,
            Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), vec![j2k])),
        ));
        let (status, body) =
            upload(&app, &client, "rgb16.dcm", &part10(obj, JPEG_2000_LOSSLESS)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (info, link) = instance(&app, &client, &study).await;
        assert!(info["unsupported"].is_null(), "{photometric}: {info}");
        let rgb = rgb_frame(&app, &client, &link).await;
        for (x, want) in [(4usize, red), (28, blue)] {
            let got = &rgb[(8 * 32 + x) * 3..(8 * 32 + x) * 3 + 3];
            for (g, w) in got.iter().zip(want) {
                // The top eight of sixteen bits.
                assert!(
                    g.abs_diff((w >> 8) as u8) <= 1,
                    "{photometric} at x {x}: {got:?} vs {want:?}"
                );
            }
        }
    }
}

//! DICOM files as other vendors' software writes them, built here with a
//! DICOM library (dicom-object) and by hand: colour by plane (also big
//! endian), 16- and 32-bit samples, packed 1-bit segmentations, native
//! YBR_FULL_422, palettes, ISO 2022 names, bare data sets without the Part
//! 10 header, and files cut short. Each is uploaded and its frame drawn (or
//! its reason read) over HTTP.

use crate::files::{study, upload};
use crate::harness::{Browser, TestApp};
use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use reqwest::StatusCode;

const SECONDARY_CAPTURE: &str = "1.2.840.10008.5.1.4.1.1.7";
const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";
const EXPLICIT_BE: &str = "1.2.840.10008.1.2.2";
const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
const RLE: &str = "1.2.840.10008.1.2.5";

pub(crate) fn put(
    obj: &mut InMemDicomObject,
    tag: dicom_core::Tag,
    vr: VR,
    value: impl Into<PrimitiveValue>,
) {
    obj.put(DataElement::new(tag, vr, value.into()));
}

/// A 2×2 image's data set (study `study`, instance `n`) without pixel data.
pub(crate) fn image(
    study: &str,
    n: u32,
    photometric: &str,
    samples: u16,
    bits: u16,
) -> InMemDicomObject {
    let mut obj = InMemDicomObject::new_empty();
    put(&mut obj, tags::SOP_CLASS_UID, VR::UI, SECONDARY_CAPTURE);
    put(
        &mut obj,
        tags::SOP_INSTANCE_UID,
        VR::UI,
        format!("{study}.1.{n}"),
    );
    put(&mut obj, tags::STUDY_INSTANCE_UID, VR::UI, study);
    put(
        &mut obj,
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        format!("{study}.1"),
    );
    put(&mut obj, tags::MODALITY, VR::CS, "OT");
    put(&mut obj, tags::INSTANCE_NUMBER, VR::IS, n.to_string());
    put(&mut obj, tags::SAMPLES_PER_PIXEL, VR::US, samples);
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        photometric,
    );
    put(&mut obj, tags::ROWS, VR::US, 2u16);
    put(&mut obj, tags::COLUMNS, VR::US, 2u16);
    put(&mut obj, tags::BITS_ALLOCATED, VR::US, bits);
    put(&mut obj, tags::BITS_STORED, VR::US, bits);
    put(&mut obj, tags::HIGH_BIT, VR::US, bits - 1);
    put(&mut obj, tags::PIXEL_REPRESENTATION, VR::US, 0u16);
    obj
}

pub(crate) fn part10(obj: InMemDicomObject, uid: &str) -> Vec<u8> {
    let sop: String = obj
        .element(tags::SOP_INSTANCE_UID)
        .unwrap()
        .to_str()
        .unwrap()
        .into_owned();
    let meta = FileMetaTableBuilder::new()
        .transfer_syntax(uid)
        .media_storage_sop_class_uid(SECONDARY_CAPTURE)
        .media_storage_sop_instance_uid(sop);
    let mut out = Vec::new();
    obj.with_meta(meta).unwrap().write_all(&mut out).unwrap();
    out
}

/// The study's only instance: its info and its frame link.
pub(crate) async fn instance(
    app: &TestApp,
    client: &Browser,
    uid: &str,
) -> (serde_json::Value, String) {
    let study = study(app, client, uid).await;
    let instance = study["series"][0]["instances"][0].clone();
    let link = instance["frame_link"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (instance["info"].clone(), link)
}

/// Frame 0 as RGB pixels.
pub(crate) async fn rgb_frame(app: &TestApp, client: &Browser, link: &str) -> Vec<u8> {
    let response = client
        .get(app.url(&format!("{link}&n=0")))
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert_eq!(status, StatusCode::OK, "{}", response.text().await.unwrap());
    let bytes = response.bytes().await.unwrap();
    image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
        .unwrap()
        .to_rgb8()
        .into_raw()
}

const RED_GREEN_BLUE_WHITE: [u8; 12] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];

#[tokio::test]
async fn colour_by_plane_sixteen_and_thirty_two_bit_colour_render_true_colours() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("colour").await;
    // 8-bit RGB, Planar Configuration 1, in explicit VR little and big endian.
    let by_plane: Vec<u8> = (0..3)
        .flat_map(|c| RED_GREEN_BLUE_WHITE.chunks(3).map(move |px| px[c]))
        .collect();
    for (n, uid) in [(1u32, EXPLICIT_LE), (2, EXPLICIT_BE)] {
        let study = format!("2.25.101{n}");
        let mut obj = image(&study, n, "RGB", 3, 8);
        put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 1u16);
        put(
            &mut obj,
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(by_plane.clone().into()),
        );
        let (status, body) = upload(&app, &client, "planar.dcm", &part10(obj, uid)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (info, link) = instance(&app, &client, &study).await;
        assert!(info["unsupported"].is_null(), "{info}");
        assert_eq!(
            rgb_frame(&app, &client, &link).await,
            RED_GREEN_BLUE_WHITE,
            "{uid}"
        );
    }
    // 16-bit RGB, interleaved.
    let study = "2.25.1020";
    let mut obj = image(study, 1, "RGB", 3, 16);
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    let sixteen: Vec<u16> = RED_GREEN_BLUE_WHITE
        .iter()
        .map(|v| u16::from(*v) * 257)
        .collect();
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(sixteen.into()),
    );
    assert_eq!(
        upload(&app, &client, "rgb16.dcm", &part10(obj, EXPLICIT_LE))
            .await
            .0,
        StatusCode::OK
    );
    let (_, link) = instance(&app, &client, study).await;
    assert_eq!(rgb_frame(&app, &client, &link).await, RED_GREEN_BLUE_WHITE);
    // 32-bit RGB.
    let study = "2.25.1030";
    let mut obj = image(study, 1, "RGB", 3, 32);
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    let wide: Vec<u32> = RED_GREEN_BLUE_WHITE
        .iter()
        .map(|v| u32::from(*v) << 24)
        .collect();
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OL,
        PrimitiveValue::U32(wide.into()),
    );
    assert_eq!(
        upload(&app, &client, "rgb32.dcm", &part10(obj, EXPLICIT_LE))
            .await
            .0,
        StatusCode::OK
    );
    let (_, link) = instance(&app, &client, study).await;
    assert_eq!(rgb_frame(&app, &client, &link).await, RED_GREEN_BLUE_WHITE);
}

#[tokio::test]
async fn thirty_two_bit_dose_one_bit_masks_ycbcr_422_and_palettes_are_drawn() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("kinds").await;
    // An RT dose grid: 32-bit unsigned with a tiny scaling, no window.
    let study = "2.25.2010";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 32);
    put(&mut obj, tags::RESCALE_SLOPE, VR::DS, "0.0001");
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U32(vec![0u32, 1_000_000, 2_000_000, 4_000_000].into()),
    );
    assert_eq!(
        upload(&app, &client, "dose.dcm", &part10(obj, IMPLICIT_LE))
            .await
            .0,
        StatusCode::OK
    );
    let (_, link) = instance(&app, &client, study).await;
    let (_, _, grey) = crate::files::frame(&app, &client, &link, 0, None).await;
    assert!(
        grey[0] < grey[1] && grey[1] < grey[2] && grey[2] < grey[3],
        "{grey:?}"
    );
    // A segmentation: 1 bit a pixel, two 2×2 frames packed into one byte.
    let study = "2.25.2020";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 1);
    put(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, "2");
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(vec![0b0100_1001u8, 0].into()),
    );
    let (status, body) = upload(&app, &client, "seg.dcm", &part10(obj, EXPLICIT_LE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (info, link) = instance(&app, &client, study).await;
    assert_eq!(info["frames"], 2);
    let (_, _, first) = crate::files::frame(&app, &client, &link, 0, None).await;
    let (_, _, second) = crate::files::frame(&app, &client, &link, 1, None).await;
    assert_eq!(first, vec![255, 0, 0, 255]);
    assert_eq!(second, vec![0, 0, 255, 0]);
    // Native YBR_FULL_422: Y1 Y2 Cb Cr for each pair of pixels (8 bytes for 2×2).
    let study = "2.25.2030";
    let mut obj = image(study, 1, "YBR_FULL_422", 3, 8);
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(vec![50, 200, 128, 128, 100, 100, 128, 128].into()),
    );
    let (status, body) = upload(&app, &client, "ybr.dcm", &part10(obj, EXPLICIT_LE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link) = instance(&app, &client, study).await;
    assert_eq!(
        rgb_frame(&app, &client, &link).await,
        vec![50, 50, 50, 200, 200, 200, 100, 100, 100, 100, 100, 100]
    );
    // PALETTE COLOR: indices through 16-bit lookup tables.
    let study = "2.25.2040";
    let mut obj = image(study, 1, "PALETTE COLOR", 1, 8);
    for (descriptor, data, values) in [
        (
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            [0xFFFFu16, 0, 0, 0xFFFF],
        ),
        (
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            [0, 0xFFFF, 0, 0xFFFF],
        ),
        (
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
            [0, 0, 0xFFFF, 0xFFFF],
        ),
    ] {
        put(
            &mut obj,
            descriptor,
            VR::US,
            PrimitiveValue::U16(vec![4u16, 0, 16].into()),
        );
        put(
            &mut obj,
            data,
            VR::OW,
            PrimitiveValue::U16(values.to_vec().into()),
        );
    }
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(vec![0u8, 1, 2, 3].into()),
    );
    let (status, body) = upload(&app, &client, "palette.dcm", &part10(obj, EXPLICIT_LE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link) = instance(&app, &client, study).await;
    assert_eq!(rgb_frame(&app, &client, &link).await, RED_GREEN_BLUE_WHITE);
}

#[tokio::test]
async fn names_bare_data_sets_and_files_cut_short() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("names").await;
    // A Japanese name in ISO 2022 IR 87, all three component groups.
    let study = "2.25.3010";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 8);
    put(
        &mut obj,
        tags::SPECIFIC_CHARACTER_SET,
        VR::CS,
        "\\ISO 2022 IR 87",
    );
    put(
        &mut obj,
        tags::PATIENT_NAME,
        VR::PN,
        "Yamada^Tarou=\u{1b}$B;3ED\u{1b}(B^\u{1b}$BB@O:\u{1b}(B=\u{1b}$B$d$^$@\u{1b}(B^\u{1b}$B$?$m$&\u{1b}(B",
    );
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(vec![0u8, 64, 128, 255].into()),
    );
    let bytes = part10(obj, EXPLICIT_LE);
    assert_eq!(
        upload(&app, &client, "name.dcm", &bytes).await.0,
        StatusCode::OK
    );
    let (info, _) = instance(&app, &client, study).await;
    assert_eq!(
        info["patient_name"],
        "Tarou Yamada · 山田太郎 · やまだたろう"
    );
    // A bare data set: no preamble, no meta group (implicit VR, as old
    // modalities write to disk).
    let study = "2.25.3020";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 8);
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(vec![0u8, 64, 128, 255].into()),
    );
    let mut bare = Vec::new();
    obj.write_dataset_with_ts(
        &mut bare,
        &dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
    )
    .unwrap();
    let (status, body) = upload(&app, &client, "bare.dcm", &bare).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (info, link) = instance(&app, &client, study).await;
    assert!(info["unsupported"].is_null(), "{info}");
    let (_, _, grey) = crate::files::frame(&app, &client, &link, 0, None).await;
    assert_eq!(grey.len(), 4);
    // An RLE file of two frames cut inside its second fragment, and one cut
    // at the Pixel Data tag: refused as cut short.
    let study = "2.25.3030";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 8);
    put(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, "2");
    let mut fragment = vec![1u8, 0, 0, 0, 64, 0, 0, 0];
    fragment.resize(64, 0);
    fragment.extend([3u8, 1, 2, 3, 4]);
    fragment.push(0);
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(
            Vec::<u32>::new(),
            vec![fragment.clone(), fragment[..40].to_vec()],
        )),
    ));
    let (status, body) = upload(&app, &client, "cut.dcm", &part10(obj, RLE)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("cut short"), "{body}");
    let study = "2.25.3040";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 8);
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(vec![0u8; 4].into()),
    );
    let whole = part10(obj, EXPLICIT_LE);
    let pixel_tag = whole
        .windows(4)
        .rposition(|w| w == [0xE0, 0x7F, 0x10, 0x00])
        .unwrap();
    let (status, body) = upload(&app, &client, "tag.dcm", &whole[..pixel_tag]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("cut short"), "{body}");
}

#[tokio::test]
async fn what_cannot_be_drawn_is_marked_at_upload_and_its_frames_say_why() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("cmyk").await;
    let study = "2.25.4010";
    let obj = {
        let mut obj = image(study, 1, "CMYK", 4, 8);
        put(
            &mut obj,
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(vec![0u8; 16].into()),
        );
        obj
    };
    let (status, body) = upload(&app, &client, "cmyk.dcm", &part10(obj, EXPLICIT_LE)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (info, link) = instance(&app, &client, study).await;
    let reason = &info["unsupported"]["LayoutUnsupported"];
    assert_eq!(reason["photometric"], "CMYK", "{info}");
    assert_eq!(reason["samples"], 4, "{info}");
    let answer = client
        .get(app.url(&format!("{link}&n=0")))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = answer.text().await.unwrap();
    assert!(text.contains("cannot be shown"), "{text}");
    assert!(!text.contains("cannot be kept"), "{text}");
    // A bad frame number or window is a JSON error like any other.
    for query in ["&n=x", "&n=0&wc=abc", "&n=0&ww=-"] {
        let answer = client
            .get(app.url(&format!("{link}{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("json"),
            "{query}"
        );
    }
}

#[tokio::test]
async fn an_rgb_jpeg_without_a_colour_transform_keeps_its_colours() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("jpeg-rgb").await;
    // R, G and B written straight into the JPEG's three components, as
    // DICOM's RGB JPEG is: the encoder is told they are already YCbCr so
    // that it converts nothing, and it writes its usual JFIF header.
    let colour = [200u8, 40, 40];
    let raw: Vec<u8> = colour.iter().copied().cycle().take(16 * 16 * 3).collect();
    let mut jpeg = Vec::new();
    jpeg_encoder::Encoder::new(&mut jpeg, 95)
        .encode(&raw, 16, 16, jpeg_encoder::ColorType::Ycbcr)
        .unwrap();
    if jpeg.len() % 2 == 1 {
        jpeg.push(0);
    }
    let study = "2.25.5010";
    let mut obj = image(study, 1, "RGB", 3, 8);
    put(&mut obj, tags::ROWS, VR::US, 16u16);
    put(&mut obj, tags::COLUMNS, VR::US, 16u16);
    put(&mut obj, tags::PLANAR_CONFIGURATION, VR::US, 0u16);
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), vec![jpeg])),
    ));
    let (status, body) = upload(
        &app,
        &client,
        "rgb-jpeg.dcm",
        &part10(obj, "1.2.840.10008.1.2.4.50"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, link) = instance(&app, &client, study).await;
    let rgb = rgb_frame(&app, &client, &link).await;
    for (got, want) in rgb[..3].iter().zip(colour) {
        assert!(got.abs_diff(want) <= 12, "{:?} vs {colour:?}", &rgb[..3]);
    }
}

/// An element sent as UN, "unknown", with the raw bytes of its value.
fn put_unknown(obj: &mut InMemDicomObject, tag: dicom_core::Tag, bytes: &[u8]) {
    put(obj, tag, VR::UN, PrimitiveValue::U8(bytes.to_vec().into()));
}

#[tokio::test]
async fn elements_written_as_unknown_are_read_with_the_dictionarys_vr() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("unknown-vr").await;
    // A writer that did not know these tags sent them as UN (explicit VR
    // little endian): text, an IS number, and the image's width as US.
    let study = "2.25.3040";
    let mut obj = image(study, 1, "MONOCHROME2", 1, 8);
    put_unknown(&mut obj, tags::PATIENT_NAME, b"Doe^Dana");
    put_unknown(&mut obj, tags::STUDY_DESCRIPTION, b"CHEST PA ");
    put_unknown(&mut obj, tags::SERIES_NUMBER, b"7 ");
    // 260 columns: 0x0104, whose first byte alone would read as 4.
    put_unknown(&mut obj, tags::COLUMNS, &260u16.to_le_bytes());
    let pixels: Vec<u8> = (0..2 * 260).map(|i| (i % 251) as u8).collect();
    put(
        &mut obj,
        tags::PIXEL_DATA,
        VR::OB,
        PrimitiveValue::U8(pixels.into()),
    );
    let bytes = part10(obj, EXPLICIT_LE);
    let (status, body) = upload(&app, &client, "unknown.dcm", &bytes).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (info, link) = instance(&app, &client, study).await;
    assert_eq!(info["patient_name"], "Dana Doe", "{info}");
    assert_eq!(info["study_description"], "CHEST PA", "{info}");
    assert_eq!(info["series_number"], 7, "{info}");
    assert_eq!(info["columns"], 260, "{info}");
    assert!(info["unsupported"].is_null(), "{info}");
    assert_eq!(rgb_frame(&app, &client, &link).await.len(), 2 * 260 * 3);
}

/// Where a Part 10 file's meta group ends (after its group length's count).
fn meta_end(file: &[u8]) -> usize {
    assert_eq!(&file[132..138], b"\x02\x00\x00\x00UL", "group length first");
    144 + u32::from_le_bytes(file[140..144].try_into().unwrap()) as usize
}

/// The file without meta element (0002,`element`), its group length kept true.
fn without_meta_element(file: &[u8], element: u16) -> Vec<u8> {
    let end = meta_end(file);
    let mut at = 144;
    while at < end {
        let long = matches!(&file[at + 4..at + 6], b"OB" | b"UN" | b"SQ" | b"UT");
        let (header, length) = if long {
            (
                12,
                u32::from_le_bytes(file[at + 8..at + 12].try_into().unwrap()) as usize,
            )
        } else {
            (8, u16::from_le_bytes([file[at + 6], file[at + 7]]) as usize)
        };
        if u16::from_le_bytes([file[at + 2], file[at + 3]]) == element {
            let mut out = [&file[..at], &file[at + header + length..]].concat();
            let group_length = (end - 144 - header - length) as u32;
            out[140..144].copy_from_slice(&group_length.to_le_bytes());
            return out;
        }
        at += header + length;
    }
    panic!("no element (0002,{element:04X})");
}

#[tokio::test]
async fn meta_groups_that_are_intact_but_not_conformant_are_read_as_other_viewers_read_them() {
    let app = TestApp::start().await;
    let (client, _) = app.signed_in_client("lenient").await;
    let grey = |study: &str| {
        let mut obj = image(study, 1, "MONOCHROME2", 1, 8);
        put(&mut obj, tags::PATIENT_NAME, VR::PN, "Doe^Dana");
        put(
            &mut obj,
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(vec![0u8, 64, 128, 255].into()),
        );
        obj
    };
    // No group length; no transfer syntax; an explicit-VR label on a data
    // set written in implicit VR (as some older writers do).
    let whole = part10(grey("2.25.3050"), EXPLICIT_LE);
    let no_group_length = [&whole[..132], &whole[144..]].concat();
    let no_syntax = without_meta_element(&part10(grey("2.25.3051"), EXPLICIT_LE), 0x0010);
    let labelled = part10(grey("2.25.3052"), EXPLICIT_LE);
    let mut implicit = Vec::new();
    grey("2.25.3052")
        .write_dataset_with_ts(
            &mut implicit,
            &dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
        )
        .unwrap();
    let mislabelled = [&labelled[..meta_end(&labelled)], &implicit[..]].concat();
    for (name, study, bytes) in [
        ("no-group-length.dcm", "2.25.3050", no_group_length),
        ("no-syntax.dcm", "2.25.3051", no_syntax),
        ("mislabelled.dcm", "2.25.3052", mislabelled),
    ] {
        let (status, body) = upload(&app, &client, name, &bytes).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let (info, link) = instance(&app, &client, study).await;
        assert_eq!(info["patient_name"], "Dana Doe", "{name}: {info}");
        assert!(info["unsupported"].is_null(), "{name}: {info}");
        let pixels = rgb_frame(&app, &client, &link).await;
        assert_eq!(pixels.len(), 12, "{name}");
        assert!(
            pixels[0] < pixels[3] && pixels[3] < pixels[6],
            "{name}: {pixels:?}"
        );
    }
}

//! Synthetic DICOM: a CT phantom (air, a body, a spine and two lungs) written
//! as real Part 10 files with dicom-object, in each transfer syntax Hale
//! reads. Used by `hale demo`, the tests and the benches; no patient's data.

use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

/// How the pixel data is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    ImplicitLittle,
    ExplicitLittle,
    Deflated,
    Rle,
    /// JPEG baseline (8-bit, process 1).
    JpegBaseline,
    /// A syntax Hale cannot draw (JPEG-LS lossless), for the "unsupported" path.
    JpegLs,
}

impl Encoding {
    pub fn uid(self) -> &'static str {
        match self {
            Encoding::ImplicitLittle => "1.2.840.10008.1.2",
            Encoding::ExplicitLittle => "1.2.840.10008.1.2.1",
            Encoding::Deflated => "1.2.840.10008.1.2.1.99",
            Encoding::Rle => "1.2.840.10008.1.2.5",
            Encoding::JpegBaseline => "1.2.840.10008.1.2.4.50",
            Encoding::JpegLs => "1.2.840.10008.1.2.4.80",
        }
    }
}

/// One slice (or a multi-frame instance) to write.
#[derive(Debug, Clone)]
pub struct Slice {
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    pub instance: i32,
    pub series_number: i32,
    pub rows: u16,
    pub columns: u16,
    pub frames: u16,
    pub encoding: Encoding,
    pub patient_name: String,
    pub study_description: String,
    pub series_description: String,
    pub study_date: String,
}

impl Slice {
    /// Slice `instance` of a 512×512 CT series.
    pub fn ct(study: &str, series: &str, instance: i32, encoding: Encoding) -> Self {
        Slice {
            study_uid: study.into(),
            series_uid: series.into(),
            sop_uid: format!("{series}.{instance}"),
            instance,
            series_number: 1,
            rows: 512,
            columns: 512,
            frames: 1,
            encoding,
            patient_name: "Demo^Dana".into(),
            study_description: "CT chest".into(),
            series_description: "Axial 5 mm".into(),
            study_date: "20260312".into(),
        }
    }
}

/// Hounsfield units of the phantom at (x, y) in [-1, 1], at depth `z` in [0, 1].
fn phantom(x: f64, y: f64, z: f64) -> f64 {
    let body = (x / 0.85).powi(2) + (y / 0.65).powi(2) <= 1.0;
    if !body {
        return -1000.0;
    }
    let lung =
        |cx: f64| ((x - cx) / 0.3).powi(2) + ((y + 0.05) / (0.4 * (0.6 + 0.4 * z))).powi(2) <= 1.0;
    if lung(-0.4) || lung(0.4) {
        return -850.0;
    }
    if (x / 0.12).powi(2) + ((y - 0.45) / 0.12).powi(2) <= 1.0 {
        return 700.0; // the spine
    }
    if ((x - 0.1) / 0.18).powi(2) + ((y + 0.1) / 0.16).powi(2) <= 1.0 {
        return 45.0 + 10.0 * z; // the heart
    }
    40.0
}

/// The stored values (HU + 1024) of one frame.
pub fn frame_values(slice: &Slice, frame: u16) -> Vec<u16> {
    let (rows, cols) = (usize::from(slice.rows), usize::from(slice.columns));
    let depth = f64::from(slice.instance.max(0) as u32 + u32::from(frame)) / 64.0;
    let mut values = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let x = (c as f64 / cols as f64) * 2.0 - 1.0;
            let y = (r as f64 / rows as f64) * 2.0 - 1.0;
            values.push((phantom(x, y, depth.fract()) + 1024.0).clamp(0.0, 4095.0) as u16);
        }
    }
    values
}

/// PackBits, as DICOM RLE segments use it.
fn pack_bits(data: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < data.len() {
        let mut run = 1;
        while i + run < data.len() && run < 128 && data[i + run] == data[i] {
            run += 1;
        }
        if run >= 2 {
            out.push((257 - run) as u8);
            out.push(data[i]);
            i += run;
        } else {
            let start = i;
            let mut n = 0;
            while i < data.len() && n < 128 && !(i + 1 < data.len() && data[i + 1] == data[i]) {
                i += 1;
                n += 1;
            }
            if n == 0 {
                i += 1;
                n = 1;
            }
            out.push((n - 1) as u8);
            out.extend_from_slice(&data[start..start + n]);
        }
    }
    if out.len() % 2 == 1 {
        out.push(0);
    }
}

/// One RLE frame: a 64-byte header, then the high-byte and the low-byte segments.
fn rle_frame(values: &[u16]) -> Vec<u8> {
    let high: Vec<u8> = values.iter().map(|v| (v >> 8) as u8).collect();
    let low: Vec<u8> = values.iter().map(|v| (v & 0xFF) as u8).collect();
    let mut first = Vec::new();
    pack_bits(&high, &mut first);
    let mut second = Vec::new();
    pack_bits(&low, &mut second);
    let mut out = vec![0u8; 64];
    out[0..4].copy_from_slice(&2u32.to_le_bytes());
    out[4..8].copy_from_slice(&64u32.to_le_bytes());
    out[8..12].copy_from_slice(&(64 + first.len() as u32).to_le_bytes());
    out.extend(first);
    out.extend(second);
    out
}

fn jpeg_frame(values: &[u16], slice: &Slice) -> Vec<u8> {
    // Soft-tissue window into 8 bits, then JPEG baseline.
    let grey: Vec<u8> = values
        .iter()
        .map(|v| ((f64::from(*v) - 1024.0 + 160.0) / 400.0 * 255.0).clamp(0.0, 255.0) as u8)
        .collect();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(
            &grey,
            u32::from(slice.columns),
            u32::from(slice.rows),
            image::ExtendedColorType::L8,
        )
        .expect("encoding a grey frame");
    out
}

fn put(obj: &mut InMemDicomObject, tag: dicom_core::Tag, vr: VR, value: impl Into<PrimitiveValue>) {
    obj.put(DataElement::new(tag, vr, value.into()));
}

/// The slice's data set without its pixel data (`bits`: 8 or 16 allocated).
fn data_set(slice: &Slice, bits: u16) -> InMemDicomObject {
    let mut obj = InMemDicomObject::new_empty();
    put(&mut obj, tags::SOP_CLASS_UID, VR::UI, CT_IMAGE);
    put(
        &mut obj,
        tags::SOP_INSTANCE_UID,
        VR::UI,
        slice.sop_uid.as_str(),
    );
    put(
        &mut obj,
        tags::STUDY_DATE,
        VR::DA,
        slice.study_date.as_str(),
    );
    put(&mut obj, tags::MODALITY, VR::CS, "CT");
    put(&mut obj, tags::MANUFACTURER, VR::LO, "Hale synthetic");
    put(
        &mut obj,
        tags::INSTITUTION_NAME,
        VR::LO,
        "Hale Demo Hospital",
    );
    put(
        &mut obj,
        tags::STUDY_DESCRIPTION,
        VR::LO,
        slice.study_description.as_str(),
    );
    put(
        &mut obj,
        tags::SERIES_DESCRIPTION,
        VR::LO,
        slice.series_description.as_str(),
    );
    put(
        &mut obj,
        tags::PATIENT_NAME,
        VR::PN,
        slice.patient_name.as_str(),
    );
    put(&mut obj, tags::PATIENT_ID, VR::LO, "DEMO-0001");
    put(&mut obj, tags::PATIENT_BIRTH_DATE, VR::DA, "19800101");
    put(&mut obj, tags::PATIENT_SEX, VR::CS, "F");
    put(&mut obj, tags::BODY_PART_EXAMINED, VR::CS, "CHEST");
    put(
        &mut obj,
        tags::STUDY_INSTANCE_UID,
        VR::UI,
        slice.study_uid.as_str(),
    );
    put(
        &mut obj,
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        slice.series_uid.as_str(),
    );
    put(
        &mut obj,
        tags::SERIES_NUMBER,
        VR::IS,
        slice.series_number.to_string(),
    );
    put(
        &mut obj,
        tags::INSTANCE_NUMBER,
        VR::IS,
        slice.instance.to_string(),
    );
    put(
        &mut obj,
        tags::SAMPLES_PER_PIXEL,
        VR::US,
        PrimitiveValue::from(1u16),
    );
    put(
        &mut obj,
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        "MONOCHROME2",
    );
    if slice.frames > 1 {
        put(
            &mut obj,
            tags::NUMBER_OF_FRAMES,
            VR::IS,
            slice.frames.to_string(),
        );
    }
    put(
        &mut obj,
        tags::ROWS,
        VR::US,
        PrimitiveValue::from(slice.rows),
    );
    put(
        &mut obj,
        tags::COLUMNS,
        VR::US,
        PrimitiveValue::from(slice.columns),
    );
    put(&mut obj, tags::PIXEL_SPACING, VR::DS, "0.7\\0.7");
    let eight_bit = bits == 8;
    put(
        &mut obj,
        tags::BITS_ALLOCATED,
        VR::US,
        PrimitiveValue::from(bits),
    );
    put(
        &mut obj,
        tags::BITS_STORED,
        VR::US,
        PrimitiveValue::from(if eight_bit { 8u16 } else { 12 }),
    );
    put(
        &mut obj,
        tags::HIGH_BIT,
        VR::US,
        PrimitiveValue::from(if eight_bit { 7u16 } else { 11 }),
    );
    put(
        &mut obj,
        tags::PIXEL_REPRESENTATION,
        VR::US,
        PrimitiveValue::from(0u16),
    );
    if eight_bit {
        put(&mut obj, tags::WINDOW_CENTER, VR::DS, "128");
        put(&mut obj, tags::WINDOW_WIDTH, VR::DS, "256");
    } else {
        put(&mut obj, tags::RESCALE_INTERCEPT, VR::DS, "-1024");
        put(&mut obj, tags::RESCALE_SLOPE, VR::DS, "1");
        put(&mut obj, tags::WINDOW_CENTER, VR::DS, "40");
        put(&mut obj, tags::WINDOW_WIDTH, VR::DS, "400");
    }
    obj
}

const CT_IMAGE: &str = "1.2.840.10008.5.1.4.1.1.2";

/// The data set as a Part 10 file in transfer syntax `uid`.
fn part10(obj: InMemDicomObject, slice: &Slice, uid: &str) -> Vec<u8> {
    let meta = FileMetaTableBuilder::new()
        .transfer_syntax(uid)
        .media_storage_sop_class_uid(CT_IMAGE)
        .media_storage_sop_instance_uid(slice.sop_uid.as_str());
    let file = obj.with_meta(meta).expect("a complete file meta group");
    let mut out = Vec::new();
    file.write_all(&mut out).expect("writing to memory");
    out
}

/// The slice (16-bit) with frames encoded elsewhere (one fragment each), in
/// transfer syntax `uid`: for encoders Hale does not carry (the tests make
/// JPEG 2000 frames with OpenJPEG's own `opj_compress`).
pub fn write_encapsulated(slice: &Slice, uid: &str, fragments: Vec<Vec<u8>>) -> Vec<u8> {
    let mut obj = data_set(slice, 16);
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), fragments)),
    ));
    part10(obj, slice, uid)
}

/// The slice as the bytes of a Part 10 file.
pub fn write(slice: &Slice) -> Vec<u8> {
    let eight_bit = slice.encoding == Encoding::JpegBaseline;
    let mut obj = data_set(slice, if eight_bit { 8 } else { 16 });
    let frames: Vec<Vec<u16>> = (0..slice.frames).map(|f| frame_values(slice, f)).collect();
    match slice.encoding {
        Encoding::ImplicitLittle | Encoding::ExplicitLittle | Encoding::Deflated => {
            let all: Vec<u16> = frames.concat();
            put(
                &mut obj,
                tags::PIXEL_DATA,
                VR::OW,
                PrimitiveValue::U16(all.into()),
            );
            part10(obj, slice, slice.encoding.uid())
        }
        Encoding::Rle | Encoding::JpegBaseline | Encoding::JpegLs => {
            let fragments: Vec<Vec<u8>> = frames
                .iter()
                .map(|values| match slice.encoding {
                    Encoding::Rle => rle_frame(values),
                    Encoding::JpegBaseline => jpeg_frame(values, slice),
                    // Not real JPEG-LS: enough for Hale to see the syntax and say it
                    // cannot draw it (start of image, start of frame, end of image).
                    _ => vec![0xFF, 0xD8, 0xFF, 0xF7, 0xFF, 0xD9],
                })
                .collect();
            obj.put(DataElement::new(
                tags::PIXEL_DATA,
                VR::OB,
                Value::PixelSequence(PixelFragmentSequence::new(Vec::<u32>::new(), fragments)),
            ));
            part10(obj, slice, slice.encoding.uid())
        }
    }
}

/// A series of `count` 512×512 slices.
pub fn series(study: &str, series: &str, count: i32, encoding: Encoding) -> Vec<Vec<u8>> {
    (1..=count)
        .map(|i| write(&Slice::ct(study, series, i, encoding)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_bits_round_trips() {
        let data: Vec<u8> = (0..1000u32)
            .map(|i| if i % 97 < 40 { 7 } else { (i % 13) as u8 })
            .collect();
        let mut packed = Vec::new();
        pack_bits(&data, &mut packed);
        let mut out = Vec::new();
        let mut i = 0;
        while i < packed.len() && out.len() < data.len() {
            let n = packed[i] as i8;
            i += 1;
            if n >= 0 {
                let len = n as usize + 1;
                out.extend_from_slice(&packed[i..i + len]);
                i += len;
            } else if n != -128 {
                out.extend(std::iter::repeat_n(packed[i], (1 - n as isize) as usize));
                i += 1;
            }
        }
        assert_eq!(out, data);
    }
}

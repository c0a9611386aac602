//! DICOM Part 10 instances: read (dicom-object), describe (the tags people
//! and the viewer need), and render one frame to PNG with a window centre and
//! width (dicom-pixeldata decodes native, deflated, RLE, JPEG and JPEG 2000
//! pixel data; anything else is described with a clear reason, never drawn
//! as a broken image).

use super::DicomInfo;
use dicom_dictionary_std::tags;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, OpenFileOptions, Tag};
use dicom_pixeldata::{ConvertOptions, PixelDecoder, VoiLutOption};
use dicom_transfer_syntax_registry::{TransferSyntaxIndex, TransferSyntaxRegistry};
use std::io::Read;

/// An instance's place in its study, and what it says about itself.
#[derive(Debug, Clone)]
pub struct Instance {
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    pub number: Option<i32>,
    pub info: DicomInfo,
}

/// Reads a whole Part 10 file (with its 128-byte preamble).
pub fn read(reader: impl Read) -> Result<DefaultDicomObject, String> {
    OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .from_reader(reader)
        .map_err(|_| "the DICOM file is damaged or cut short".to_owned())
}

fn text(obj: &DefaultDicomObject, tag: Tag) -> String {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| {
            e.to_str()
                .ok()
                .map(|s| s.trim_matches(['\0', ' ']).to_owned())
        })
        .unwrap_or_default()
}

fn floats(obj: &DefaultDicomObject, tag: Tag) -> Vec<f64> {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.to_multi_float64().ok())
        .unwrap_or_default()
}

fn int(obj: &DefaultDicomObject, tag: Tag) -> Option<i64> {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.to_int::<i64>().ok())
}

/// A person name as people write it: `Doe^Dana` → `Dana Doe`.
fn person_name(raw: &str) -> String {
    let mut parts = raw.split('=').next().unwrap_or("").split('^');
    let family = parts.next().unwrap_or("").trim();
    let given = parts.next().unwrap_or("").trim();
    [given, family]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Describes an instance; refuses one that is not an instance of a study or
/// whose pixel data is shorter than its own tags say.
pub fn inspect(obj: &DefaultDicomObject) -> Result<Instance, String> {
    let study_uid = text(obj, tags::STUDY_INSTANCE_UID);
    let series_uid = text(obj, tags::SERIES_INSTANCE_UID);
    let sop_uid = text(obj, tags::SOP_INSTANCE_UID);
    if study_uid.is_empty() || series_uid.is_empty() || sop_uid.is_empty() {
        return Err("the DICOM file has no study, series or instance UID".into());
    }
    let ts_uid = obj
        .meta()
        .transfer_syntax()
        .trim_matches(['\0', ' '])
        .to_owned();
    let ts = TransferSyntaxRegistry.get(&ts_uid);
    let rows = int(obj, tags::ROWS).unwrap_or(0).clamp(0, 65_535) as u32;
    let columns = int(obj, tags::COLUMNS).unwrap_or(0).clamp(0, 65_535) as u32;
    let frames = int(obj, tags::NUMBER_OF_FRAMES)
        .unwrap_or(1)
        .clamp(1, 100_000) as u32;
    let samples = int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1).clamp(1, 4) as u64;
    let bits_allocated = int(obj, tags::BITS_ALLOCATED).unwrap_or(16).clamp(1, 64) as u64;
    let pixel_data = obj.element_opt(tags::PIXEL_DATA).ok().flatten();

    let unsupported = match (&pixel_data, ts) {
        (None, _) => Some("it holds no image".to_owned()),
        (_, None) => Some(format!("its transfer syntax ({ts_uid}) is not known here")),
        (_, Some(ts)) if ts.is_unsupported_pixel_encapsulation() || !ts.can_decode_all() => {
            Some(format!(
                "{} images cannot be shown here; download the file to open it in another viewer",
                ts.name()
            ))
        }
        _ if rows == 0 || columns == 0 => Some("it has no rows or columns".to_owned()),
        _ => None,
    };
    if let (Some(element), Some(ts)) = (&pixel_data, ts)
        && !ts.is_encapsulated_pixel_data()
        && let Ok(bytes) = element.to_bytes()
    {
        let expected = u64::from(rows)
            * u64::from(columns)
            * samples
            * bits_allocated.div_ceil(8)
            * u64::from(frames);
        if (bytes.len() as u64) < expected {
            return Err("its pixel data is shorter than its rows, columns and frames say".into());
        }
    }
    let spacing = {
        let mut s = floats(obj, tags::PIXEL_SPACING);
        if s.len() < 2 {
            s = floats(obj, tags::IMAGER_PIXEL_SPACING);
        }
        (s.len() >= 2 && s[0] > 0.0 && s[1] > 0.0).then(|| (s[0], s[1]))
    };
    let centre = floats(obj, tags::WINDOW_CENTER);
    let width = floats(obj, tags::WINDOW_WIDTH);
    let window = match (centre.first(), width.first()) {
        (Some(c), Some(w)) if *w >= 1.0 => Some((*c, *w)),
        _ => None,
    };
    let info = DicomInfo {
        transfer_syntax: ts_uid.clone(),
        transfer_syntax_name: ts.map(|t| t.name().to_owned()).unwrap_or(ts_uid),
        unsupported,
        modality: text(obj, tags::MODALITY),
        patient_name: person_name(&text(obj, tags::PATIENT_NAME)),
        patient_id: text(obj, tags::PATIENT_ID),
        birth_date: text(obj, tags::PATIENT_BIRTH_DATE),
        sex: text(obj, tags::PATIENT_SEX),
        study_date: text(obj, tags::STUDY_DATE),
        study_description: text(obj, tags::STUDY_DESCRIPTION),
        series_description: text(obj, tags::SERIES_DESCRIPTION),
        series_number: int(obj, tags::SERIES_NUMBER).map(|n| n as i32),
        body_part: text(obj, tags::BODY_PART_EXAMINED),
        institution: text(obj, tags::INSTITUTION_NAME),
        manufacturer: text(obj, tags::MANUFACTURER),
        rows,
        columns,
        frames,
        pixel_spacing: spacing,
        window,
        photometric: text(obj, tags::PHOTOMETRIC_INTERPRETATION),
        bits_stored: int(obj, tags::BITS_STORED).unwrap_or(0).clamp(0, 64) as u16,
    };
    Ok(Instance {
        study_uid,
        series_uid,
        sop_uid,
        number: int(obj, tags::INSTANCE_NUMBER).map(|n| n as i32),
        info,
    })
}

/// A rendered frame: PNG bytes and the window used.
pub struct Rendered {
    pub png: Vec<u8>,
    pub window: (f64, f64),
}

fn png(
    width: u32,
    height: u32,
    pixels: &[u8],
    color: image::ExtendedColorType,
) -> Result<Vec<u8>, String> {
    use image::ImageEncoder as _;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    )
    .write_image(pixels, width, height, color)
    .map_err(|_| "the frame could not be encoded".to_owned())?;
    Ok(out)
}

/// Renders `frame` to PNG; grey images through the window (centre, width):
/// the one asked for, else the file's own, else the frame's range.
pub fn render(
    obj: &DefaultDicomObject,
    info: &DicomInfo,
    frame: u32,
    window: Option<(f64, f64)>,
) -> Result<Rendered, String> {
    if let Some(reason) = &info.unsupported {
        return Err(reason.clone());
    }
    if frame >= info.frames {
        return Err("there is no such frame".into());
    }
    let decoded = obj
        .decode_pixel_data_frame(frame)
        .map_err(|_| "the frame's pixel data could not be decoded".to_owned())?;
    let (width, height) = (decoded.columns(), decoded.rows());
    if decoded.samples_per_pixel() == 3 {
        let rgb: Vec<u8> = decoded
            .to_vec_frame_with_options(0, &ConvertOptions::new().force_8bit())
            .map_err(|_| "the frame's colours could not be read".to_owned())?;
        return Ok(Rendered {
            png: png(width, height, &rgb, image::ExtendedColorType::Rgb8)?,
            window: (127.5, 256.0),
        });
    }
    let values: Vec<f32> = decoded
        .to_vec_frame_with_options(
            0,
            &ConvertOptions::new().with_voi_lut(VoiLutOption::Identity),
        )
        .map_err(|_| "the frame's values could not be read".to_owned())?;
    let (centre, width_w) = window.or(info.window).unwrap_or_else(|| {
        let (lo, hi) = values
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        let w = f64::from((hi - lo).max(1.0));
        (f64::from(lo) + w / 2.0, w)
    });
    let w = width_w.max(1.0);
    let invert = info.photometric == "MONOCHROME1";
    let low = centre - 0.5 - (w - 1.0) / 2.0;
    let scale = 255.0 / (w - 1.0).max(1.0);
    let grey: Vec<u8> = values
        .iter()
        .map(|v| {
            let y = ((f64::from(*v) - low) * scale).clamp(0.0, 255.0) as u8;
            if invert { 255 - y } else { y }
        })
        .collect();
    Ok(Rendered {
        png: png(width, height, &grey, image::ExtendedColorType::L8)?,
        window: (centre, w),
    })
}

#[cfg(test)]
mod tests {
    use super::person_name;

    #[test]
    fn person_names_read_given_name_first() {
        assert_eq!(person_name("Doe^Dana"), "Dana Doe");
        assert_eq!(person_name("Doe"), "Doe");
        assert_eq!(person_name("Doe^Dana^^^=ideographic"), "Dana Doe");
        assert_eq!(person_name(""), "");
    }
}

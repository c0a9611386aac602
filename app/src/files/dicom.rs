//! DICOM Part 10 instances: read (`dicom_file`), describe (the tags people
//! and the viewer need), and render one frame to PNG with a window centre and
//! width. Native and RLE samples are turned into pixels by `pixels` (every
//! bit depth, planar colour, palettes, YBR); dicom-pixeldata decodes RLE,
//! JPEG and JPEG 2000, and `jpeg12` the 12-bit JPEG Extended frames its
//! JPEG decoder refuses. Anything else is described with a clear reason at
//! upload, never drawn as a broken image.

use super::{DicomInfo, jpeg12, pixels};
use crate::refusals::FileProblem;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
use dicom_core::value::C;
use dicom_core::{PrimitiveValue, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags};
use dicom_object::{DefaultDicomObject, InMemDicomObject, Tag};
use dicom_pixeldata::{ConvertOptions, PixelDecoder, VoiLutOption};
use dicom_transfer_syntax_registry::{TransferSyntaxIndex, TransferSyntaxRegistry};
use std::borrow::Cow;

/// An instance's place in its study, and what it says about itself.
#[derive(Debug, Clone)]
pub struct Instance {
    pub study_uid: String,
    pub series_uid: String,
    pub sop_uid: String,
    pub number: Option<i32>,
    pub info: DicomInfo,
}

pub use super::dicom_file::read;

pub(super) fn text_of(obj: &InMemDicomObject, tag: Tag) -> String {
    value_of(obj, tag)
        .map(|v| v.to_str().trim_matches(['\0', ' ']).to_owned())
        .unwrap_or_default()
}

fn text(obj: &DefaultDicomObject, tag: Tag) -> String {
    text_of(obj, tag)
}

fn floats(obj: &DefaultDicomObject, tag: Tag) -> Vec<f64> {
    value_of(obj, tag)
        .and_then(|v| v.to_multi_float64().ok())
        .unwrap_or_default()
}

fn int(obj: &DefaultDicomObject, tag: Tag) -> Option<i64> {
    value_of(obj, tag).and_then(|v| v.to_int::<i64>().ok())
}

/// An element's value. One a writer sent with VR UN ("unknown": it did not
/// know the tag) holds its raw bytes; as other viewers do, it is read with
/// the standard dictionary's VR — text as text, binary numbers little
/// endian (UN is an explicit-VR form, and big endian is retired).
fn value_of(obj: &InMemDicomObject, tag: Tag) -> Option<Cow<'_, PrimitiveValue>> {
    let element = obj.element_opt(tag).ok().flatten()?;
    let value = element.value().primitive()?;
    if element.vr() != VR::UN {
        return Some(Cow::Borrowed(value));
    }
    let vr = match StandardDataDictionary.by_tag(tag).map(|entry| entry.vr()) {
        Some(VirtualVr::Exact(vr)) => vr,
        Some(VirtualVr::Xs) => VR::US,
        _ => return Some(Cow::Borrowed(value)),
    };
    Some(match as_vr(&value.to_bytes(), vr) {
        Some(read) => Cow::Owned(read),
        None => Cow::Borrowed(value),
    })
}

/// Raw bytes read as a value of `vr` (None for VRs that stay bytes).
fn as_vr(bytes: &[u8], vr: VR) -> Option<PrimitiveValue> {
    fn each<const N: usize, T>(bytes: &[u8], read: fn([u8; N]) -> T) -> C<T> {
        bytes
            .chunks_exact(N)
            .map(|chunk| read(chunk.try_into().expect("chunks of N")))
            .collect()
    }
    Some(match vr {
        VR::US => PrimitiveValue::U16(each(bytes, u16::from_le_bytes)),
        VR::SS => PrimitiveValue::I16(each(bytes, i16::from_le_bytes)),
        VR::UL => PrimitiveValue::U32(each(bytes, u32::from_le_bytes)),
        VR::SL => PrimitiveValue::I32(each(bytes, i32::from_le_bytes)),
        VR::FL => PrimitiveValue::F32(each(bytes, f32::from_le_bytes)),
        VR::FD => PrimitiveValue::F64(each(bytes, f64::from_le_bytes)),
        VR::AE
        | VR::AS
        | VR::CS
        | VR::DA
        | VR::DS
        | VR::DT
        | VR::IS
        | VR::LO
        | VR::LT
        | VR::PN
        | VR::SH
        | VR::ST
        | VR::TM
        | VR::UC
        | VR::UI
        | VR::UR
        | VR::UT => {
            // UTF-8 when it is; otherwise a byte a character, as the parser
            // keeps ISO 2022 text for `decode_iso2022`.
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text.to_owned(),
                Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
            };
            let text = text.trim_end_matches(['\0', ' ']);
            if matches!(vr, VR::LT | VR::ST | VR::UT | VR::UR) {
                PrimitiveValue::from(text.to_owned())
            } else {
                PrimitiveValue::Strs(text.split('\\').map(str::to_owned).collect())
            }
        }
        _ => return None,
    })
}

/// A person name's text in its character set: ISO 2022 escape sequences
/// (Japanese JIS X 0208, IR 87; Korean KS X 1001, IR 149) are decoded
/// before the name is split, since a two-byte character may hold the bytes
/// of `^` and `=`.
fn decode_iso2022(raw: &str) -> String {
    if !raw.contains('\u{1b}') || raw.chars().any(|c| u32::from(c) > 0xFF) {
        return raw.to_owned();
    }
    let bytes: Vec<u8> = raw.chars().map(|c| c as u8).collect();
    let korean = b"\x1b$)C";
    if bytes.windows(4).any(|w| w == korean) {
        let mut plain = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(korean) {
                i += korean.len();
            } else {
                plain.push(bytes[i]);
                i += 1;
            }
        }
        return encoding_rs::EUC_KR.decode(&plain).0.into_owned();
    }
    let (text, _, _) = encoding_rs::ISO_2022_JP.decode(&bytes);
    text.into_owned()
}

fn is_cjk(text: &str) -> bool {
    text.chars().any(|c| u32::from(c) >= 0x2E80)
}

/// One component group: given name first for alphabetic names (`Doe^Dana`
/// → `Dana Doe`), family name first and unspaced for CJK (`山田^太郎` →
/// `山田太郎`).
fn name_group(group: &str) -> String {
    let mut parts = group.split('^');
    let family = parts.next().unwrap_or("").trim();
    let given = parts.next().unwrap_or("").trim();
    if is_cjk(group) {
        return format!("{family}{given}");
    }
    [given, family]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person name as people read it, with every component group present
/// (alphabetic, ideographic, phonetic): `Yamada^Tarou=山田^太郎=やまだ^たろう`
/// → `Tarou Yamada · 山田太郎 · やまだたろう`.
fn person_name(raw: &str) -> String {
    decode_iso2022(raw)
        .split('=')
        .map(name_group)
        .filter(|g| !g.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Describes an instance; refuses one that is not an instance of a study or
/// whose pixel data is shorter than its own tags say.
pub fn inspect(obj: &DefaultDicomObject) -> Result<Instance, FileProblem> {
    let study_uid = text(obj, tags::STUDY_INSTANCE_UID);
    let series_uid = text(obj, tags::SERIES_INSTANCE_UID);
    let sop_uid = text(obj, tags::SOP_INSTANCE_UID);
    if study_uid.is_empty() || series_uid.is_empty() || sop_uid.is_empty() {
        return Err(FileProblem::NoUids);
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
    let layout = layout_of(obj);
    let pixel_data = obj.element_opt(tags::PIXEL_DATA).ok().flatten();
    if pixel_data.is_none() && rows > 0 && columns > 0 {
        return Err(FileProblem::PixelDataMissing);
    }
    let native = ts.is_some_and(|ts| !ts.is_encapsulated_pixel_data());
    let unsupported = match (&pixel_data, ts) {
        (None, _) => Some(FileProblem::NoImage),
        (_, None) => Some(FileProblem::TransferSyntaxUnknown {
            uid: ts_uid.clone(),
        }),
        (_, Some(ts)) if ts.is_unsupported_pixel_encapsulation() || !ts.can_decode_all() => {
            Some(FileProblem::EncodingUnsupported {
                name: ts.name().to_owned(),
            })
        }
        _ if rows == 0 || columns == 0 => Some(FileProblem::NoRowsOrColumns),
        _ if native || ts_uid == RLE => layout.unsupported(),
        _ => None,
    };
    if let Some(element) = &pixel_data {
        if native {
            let bytes = element
                .to_bytes()
                .map_err(|_| FileProblem::PixelDataUnreadable)?;
            if (bytes.len() as u64) < layout.native_len(frames) {
                return Err(FileProblem::PixelDataShort);
            }
        } else if let Some(fragments) = element.fragments() {
            complete_fragments(fragments, frames, &ts_uid)?;
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
    let mut info = info;
    if info.unsupported.is_none()
        && let Err(reason) = decode(obj, &info, 0)
    {
        // Never kept as viewable when its first frame cannot be drawn.
        info.unsupported = Some(reason);
    }
    Ok(Instance {
        study_uid,
        series_uid,
        sop_uid,
        number: int(obj, tags::INSTANCE_NUMBER).map(|n| n as i32),
        info,
    })
}

const RLE: &str = "1.2.840.10008.1.2.5";

/// How the instance's samples are laid out, from its image pixel tags.
fn layout_of(obj: &DefaultDicomObject) -> pixels::Layout {
    let bits_allocated = int(obj, tags::BITS_ALLOCATED).unwrap_or(16).clamp(1, 64) as u16;
    pixels::Layout {
        rows: int(obj, tags::ROWS).unwrap_or(0).clamp(0, 65_535) as u32,
        columns: int(obj, tags::COLUMNS).unwrap_or(0).clamp(0, 65_535) as u32,
        samples: int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1).clamp(1, 4) as u16,
        bits_allocated,
        bits_stored: int(obj, tags::BITS_STORED)
            .unwrap_or(i64::from(bits_allocated))
            .clamp(1, i64::from(bits_allocated)) as u16,
        signed: int(obj, tags::PIXEL_REPRESENTATION) == Some(1),
        planar: int(obj, tags::PLANAR_CONFIGURATION) == Some(1),
        photometric: text(obj, tags::PHOTOMETRIC_INTERPRETATION),
    }
}

/// Checks that an encapsulated file holds every frame whole: a fragment
/// for each frame, and the last one ending where its encoding ends (a JPEG
/// family's end-of-image marker; an RLE frame's segments within it).
fn complete_fragments(fragments: &[Vec<u8>], frames: u32, ts_uid: &str) -> Result<(), FileProblem> {
    let cut = || FileProblem::FramesIncomplete;
    if fragments.is_empty() || (fragments.len() as u64) < u64::from(frames) {
        return Err(cut());
    }
    if ts_uid.starts_with("1.2.840.10008.1.2.4.") {
        let last = fragments.last().map(|f| f.as_slice()).unwrap_or_default();
        let end = last.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
        if end < 2 || last[end - 2..end] != [0xFF, 0xD9] {
            return Err(cut());
        }
    }
    if ts_uid == RLE {
        for fragment in fragments {
            let word = |i: usize| {
                fragment
                    .get(i * 4..i * 4 + 4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            };
            let segments = word(0).ok_or_else(cut)?;
            if segments == 0 || segments > 15 {
                return Err(cut());
            }
            for i in 1..=segments {
                if word(i).is_none_or(|offset| offset >= fragment.len()) {
                    return Err(cut());
                }
            }
        }
    }
    Ok(())
}

/// The rescale slope and intercept (1 and 0 when the file has none).
fn rescale_of(obj: &DefaultDicomObject) -> (f64, f64) {
    let slope = floats(obj, tags::RESCALE_SLOPE)
        .first()
        .copied()
        .unwrap_or(1.0);
    let intercept = floats(obj, tags::RESCALE_INTERCEPT)
        .first()
        .copied()
        .unwrap_or(0.0);
    (if slope == 0.0 { 1.0 } else { slope }, intercept)
}

/// The palette of a PALETTE COLOR image, from its descriptors and tables.
fn palette_of(obj: &DefaultDicomObject) -> Option<pixels::Palette> {
    let lut = |descriptor: Tag, data: Tag| {
        let d = obj
            .element_opt(descriptor)
            .ok()
            .flatten()?
            .to_multi_int::<i64>()
            .ok()?;
        let (count, first, bits) = (*d.first()?, *d.get(1)?, *d.get(2)? as u16);
        let count = if count <= 0 { 65_536 } else { count as usize };
        let element = obj.element_opt(data).ok().flatten()?;
        let bytes = element.to_bytes().ok()?;
        let words: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect();
        // 8-bit tables are sometimes packed two entries to a word.
        let entries = if bits <= 8 && words.len() * 2 == count {
            bytes.iter().map(|b| u16::from(*b)).collect()
        } else {
            words
        };
        (!entries.is_empty()).then_some(pixels::Lut {
            first,
            entries,
            bits,
        })
    };
    Some(pixels::Palette {
        red: lut(
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        )?,
        green: lut(
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        )?,
        blue: lut(
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
            tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
        )?,
    })
}

/// Frame `frame` as modality values or colour: native and RLE samples
/// through `pixels`, the JPEG family through dicom-pixeldata.
fn decode(
    obj: &DefaultDicomObject,
    info: &DicomInfo,
    frame: u32,
) -> Result<pixels::Frame, FileProblem> {
    let ts = TransferSyntaxRegistry
        .get(&info.transfer_syntax)
        .ok_or_else(|| FileProblem::TransferSyntaxUnknown {
            uid: info.transfer_syntax.clone(),
        })?;
    let mut layout = layout_of(obj);
    let palette = palette_of(obj);
    let undecodable = || FileProblem::FrameUndecodable;
    if !ts.is_encapsulated_pixel_data() {
        let element = obj
            .element_opt(tags::PIXEL_DATA)
            .ok()
            .flatten()
            .ok_or(FileProblem::NoImage)?;
        let bytes = element.to_bytes().map_err(|_| undecodable())?;
        return pixels::frame(&bytes, &layout, frame, rescale_of(obj), palette.as_ref());
    }
    if let Some(rgb) = untransformed_rgb_jpeg(obj, info, &layout, frame) {
        return rgb;
    }
    if let Some(grey) = twelve_bit_jpeg(obj, info, &layout, frame) {
        return grey;
    }
    let decoded = obj
        .decode_pixel_data_frame(frame)
        .map_err(|_| undecodable())?;
    if info.transfer_syntax == RLE || layout.photometric == "PALETTE COLOR" {
        layout.planar =
            decoded.planar_configuration() == dicom_pixeldata::PlanarConfiguration::PixelFirst;
        let data = decoded.frame_data(0).map_err(|_| undecodable())?;
        return pixels::frame(data, &layout, 0, rescale_of(obj), palette.as_ref());
    }
    if decoded.samples_per_pixel() == 3 && decoded.bits_allocated() > 8 {
        // Deep colour (16-bit JPEG 2000) through `pixels`, which keeps each
        // sample's top eight bits; the codec has already undone a JPEG 2000
        // colour transform (YBR_RCT, YBR_ICT), so the samples are RGB.
        layout.planar =
            decoded.planar_configuration() == dicom_pixeldata::PlanarConfiguration::PixelFirst;
        layout.bits_allocated = decoded.bits_allocated();
        layout.bits_stored = decoded.bits_stored();
        layout.photometric = match decoded.photometric_interpretation().as_str() {
            "YBR_RCT" | "YBR_ICT" => "RGB".to_owned(),
            other => other.to_owned(),
        };
        let data = decoded.frame_data(0).map_err(|_| undecodable())?;
        return pixels::frame(data, &layout, 0, rescale_of(obj), None);
    }
    if decoded.samples_per_pixel() == 3 {
        return decoded
            .to_vec_frame_with_options(0, &ConvertOptions::new().force_8bit())
            .map(pixels::Frame::Rgb)
            .map_err(|_| FileProblem::FrameColours);
    }
    decoded
        .to_vec_frame_with_options(
            0,
            &ConvertOptions::new().with_voi_lut(VoiLutOption::Identity),
        )
        .map(pixels::Frame::Grey)
        .map_err(|_| FileProblem::FrameValues)
}

/// A JPEG (baseline or extended) frame whose photometric interpretation is
/// RGB holds R, G and B as they are: DICOM says no colour transform was
/// applied, whatever the JPEG's own markers (or their absence) suggest, so
/// it is decoded without one (a YCbCr transform would turn it magenta).
/// One fragment a frame; otherwise the general decoder takes it.
fn untransformed_rgb_jpeg(
    obj: &DefaultDicomObject,
    info: &DicomInfo,
    layout: &pixels::Layout,
    frame: u32,
) -> Option<Result<pixels::Frame, FileProblem>> {
    let jpeg = ["1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"];
    if layout.photometric != "RGB"
        || layout.samples != 3
        || !jpeg.contains(&info.transfer_syntax.as_str())
    {
        return None;
    }
    let element = obj.element_opt(tags::PIXEL_DATA).ok().flatten()?;
    let fragments = element.fragments()?;
    if fragments.len() != info.frames as usize {
        return None;
    }
    let mut decoder = jpeg_decoder::Decoder::new(&fragments[frame as usize][..]);
    decoder.set_color_transform(jpeg_decoder::ColorTransform::RGB);
    Some(
        decoder
            .decode()
            .ok()
            .filter(|rgb| rgb.len() == (layout.rows as usize) * (layout.columns as usize) * 3)
            .map(pixels::Frame::Rgb)
            .ok_or(FileProblem::FrameUndecodable),
    )
}

/// A greyscale JPEG Extended frame of 12-bit samples, which the general
/// JPEG decoder refuses, through `jpeg12`; then as native 16-bit samples
/// (sign and rescale as the file says). One fragment a frame, or a single
/// frame in several fragments.
fn twelve_bit_jpeg(
    obj: &DefaultDicomObject,
    info: &DicomInfo,
    layout: &pixels::Layout,
    frame: u32,
) -> Option<Result<pixels::Frame, FileProblem>> {
    if info.transfer_syntax != "1.2.840.10008.1.2.4.51" || layout.samples != 1 {
        return None;
    }
    let element = obj.element_opt(tags::PIXEL_DATA).ok().flatten()?;
    let fragments = element.fragments()?;
    let jpeg = if fragments.len() == info.frames as usize {
        Cow::Borrowed(fragments.get(frame as usize)?.as_slice())
    } else if info.frames == 1 {
        Cow::Owned(fragments.concat())
    } else {
        return None;
    };
    if jpeg12::sequential_precision(&jpeg) != Some(12) {
        return None;
    }
    let decoded = jpeg12::decode(&jpeg)
        .filter(|d| (d.width, d.height) == (layout.columns, layout.rows))
        .ok_or(FileProblem::FrameUndecodable);
    Some(decoded.and_then(|decoded| {
        let bytes: Vec<u8> = decoded
            .samples
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let layout = pixels::Layout {
            bits_allocated: 16,
            bits_stored: layout.bits_stored.min(12),
            ..layout.clone()
        };
        pixels::frame(&bytes, &layout, 0, rescale_of(obj), None)
    }))
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
) -> Result<Vec<u8>, FileProblem> {
    use image::ImageEncoder as _;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut out,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Sub,
    )
    .write_image(pixels, width, height, color)
    .map_err(|_| FileProblem::FrameNotEncoded)?;
    Ok(out)
}

/// Renders `frame` to PNG; grey images through the window (centre, width):
/// the one asked for, else the file's own, else the frame's range.
pub fn render(
    obj: &DefaultDicomObject,
    info: &DicomInfo,
    frame: u32,
    window: Option<(f64, f64)>,
) -> Result<Rendered, FileProblem> {
    if let Some(reason) = &info.unsupported {
        return Err(reason.clone());
    }
    if frame >= info.frames {
        return Err(FileProblem::NoSuchFrame);
    }
    let (width, height) = (info.columns, info.rows);
    let values = match decode(obj, info, frame)? {
        pixels::Frame::Rgb(rgb) => {
            return Ok(Rendered {
                png: png(width, height, &rgb, image::ExtendedColorType::Rgb8)?,
                window: (127.5, 256.0),
            });
        }
        pixels::Frame::Grey(values) => values,
    };
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
        assert_eq!(person_name("Doe^Dana^^^="), "Dana Doe");
        assert_eq!(person_name(""), "");
    }

    #[test]
    fn iso_2022_names_show_every_component_group() {
        // PS3.5 H.3.1's example as its bytes are written: JIS X 0208 under
        // ESC $ B, back to ASCII with ESC ( B.
        let raw = "Yamada^Tarou=\u{1b}$B;3ED\u{1b}(B^\u{1b}$BB@O:\u{1b}(B=\u{1b}$B$d$^$@\u{1b}(B^\u{1b}$B$?$m$&\u{1b}(B";
        assert_eq!(person_name(raw), "Tarou Yamada · 山田太郎 · やまだたろう");
        // PS3.5 I.2's Korean example: KS X 1001 designated with ESC $ ) C.
        let hong: String = [0xC8u8, 0xAB].iter().map(|b| char::from(*b)).collect();
        let gildong: String = [0xB1u8, 0xE6, 0xB5, 0xBF]
            .iter()
            .map(|b| char::from(*b))
            .collect();
        let raw = format!("Hong^Gildong=\u{1b}$)C{hong}^\u{1b}$)C{gildong}");
        assert_eq!(person_name(&raw), "Gildong Hong · 홍길동");
    }
}

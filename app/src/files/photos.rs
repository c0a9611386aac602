//! Photos: decoded, turned upright (EXIF orientation), and encoded again, so
//! that nothing of the original's metadata — EXIF, GPS position, camera
//! serial, XMP — is stored. Thumbnails are made the same way.

use super::sniff::Sniffed;
use crate::refusals::FileProblem;
use image::{DynamicImage, ImageDecoder as _, ImageReader, Limits};
use std::io::Cursor;

/// A photo ready to store.
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The longest side of a thumbnail, in pixels.
pub const THUMB: u32 = 320;

fn decode(bytes: &[u8], kind: Sniffed) -> Result<DynamicImage, FileProblem> {
    let format = match kind {
        Sniffed::Jpeg => image::ImageFormat::Jpeg,
        Sniffed::Png => image::ImageFormat::Png,
        Sniffed::Webp => image::ImageFormat::WebP,
        _ => return Err(FileProblem::NotPhoto),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // A small file that claims a huge picture (a decompression bomb) stops here.
    let mut limits = Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| FileProblem::PhotoDamaged)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| FileProblem::PhotoCut)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

fn encode_jpeg(picture: &DynamicImage, quality: u8) -> Result<Vec<u8>, FileProblem> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&DynamicImage::ImageRgb8(picture.to_rgb8()))
        .map_err(|_| FileProblem::PhotoNotSaved)?;
    Ok(out)
}

/// Strips a photo's metadata and turns it upright. JPEG stays JPEG (quality
/// 92); PNG and WebP become PNG (lossless).
pub fn clean(bytes: &[u8], kind: Sniffed) -> Result<Cleaned, FileProblem> {
    let picture = decode(bytes, kind)?;
    let (width, height) = (picture.width(), picture.height());
    let (bytes, media_type) = if kind == Sniffed::Jpeg {
        (encode_jpeg(&picture, 92)?, "image/jpeg")
    } else {
        let mut out = Vec::new();
        picture
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .map_err(|_| FileProblem::PhotoNotSaved)?;
        (out, "image/png")
    };
    Ok(Cleaned {
        bytes,
        media_type,
        width,
        height,
    })
}

/// A JPEG thumbnail of a stored photo (already clean and upright).
pub fn thumbnail(bytes: &[u8], media_type: &str) -> Result<Vec<u8>, FileProblem> {
    let kind = if media_type == "image/jpeg" {
        Sniffed::Jpeg
    } else {
        Sniffed::Png
    };
    encode_jpeg(&decode(bytes, kind)?.thumbnail(THUMB, THUMB), 80)
}

/// A JPEG thumbnail of a rendered frame (PNG).
pub fn thumbnail_of_png(png: &[u8]) -> Result<Vec<u8>, FileProblem> {
    thumbnail(png, "image/png")
}

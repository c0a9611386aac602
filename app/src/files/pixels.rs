//! Native DICOM pixel samples to screen pixels: every bit depth a file may
//! allocate (1 — packed, 8 pixels a byte —, 8, 16, 32), signed or not,
//! planar or interleaved colour, and the photometric interpretations
//! MONOCHROME1/2, RGB, YBR_FULL, YBR_FULL_422 and PALETTE COLOR (through
//! the file's lookup tables). Samples arrive as little-endian bytes (the
//! reader has already put big-endian files in machine order).

use crate::refusals::FileProblem;

/// How a frame's samples are laid out.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub rows: u32,
    pub columns: u32,
    pub samples: u16,
    pub bits_allocated: u16,
    pub bits_stored: u16,
    pub signed: bool,
    /// Colour by plane (Planar Configuration 1): all red, then green, then blue.
    pub planar: bool,
    pub photometric: String,
}

/// A frame ready to be windowed (grey) or drawn (colour).
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// Modality values (after rescale slope and intercept).
    Grey(Vec<f32>),
    /// 8-bit red, green, blue, interleaved.
    Rgb(Vec<u8>),
}

/// One of a palette's lookup tables: the first index it maps, its entries
/// and the bits each entry holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Lut {
    pub first: i64,
    pub entries: Vec<u16>,
    pub bits: u16,
}

impl Lut {
    fn look_up(&self, index: i64) -> u8 {
        let last = self.entries.len().saturating_sub(1) as i64;
        let value = self.entries[(index - self.first).clamp(0, last) as usize];
        if self.bits > 8 {
            (value >> 8) as u8
        } else {
            value as u8
        }
    }
}

/// PALETTE COLOR's three tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    pub red: Lut,
    pub green: Lut,
    pub blue: Lut,
}

impl Layout {
    fn pixels(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.columns)
    }

    /// Samples one frame holds: YBR_FULL_422 keeps two for each pixel (two
    /// luma values share one pair of chroma values).
    pub fn samples_per_frame(&self) -> u64 {
        if self.photometric == "YBR_FULL_422" || self.photometric == "YBR_PARTIAL_422" {
            self.pixels() * 2
        } else {
            self.pixels() * u64::from(self.samples)
        }
    }

    /// Bytes `frames` frames take natively: 1-bit frames follow one another
    /// bit by bit, without padding.
    pub fn native_len(&self, frames: u32) -> u64 {
        (self.samples_per_frame() * u64::from(self.bits_allocated) * u64::from(frames)).div_ceil(8)
    }

    /// Why frames of this layout cannot be drawn, if they cannot.
    pub fn unsupported(&self) -> Option<FileProblem> {
        if !matches!(self.bits_allocated, 1 | 8 | 16 | 32) {
            return Some(FileProblem::BitsUnsupported {
                bits: self.bits_allocated,
            });
        }
        let known = match self.photometric.as_str() {
            "MONOCHROME1" | "MONOCHROME2" => self.samples == 1,
            "PALETTE COLOR" => self.samples == 1 && self.bits_allocated >= 8,
            "RGB" | "YBR_FULL" => self.samples == 3,
            "YBR_FULL_422" => self.samples == 3 && self.bits_allocated == 8 && !self.planar,
            _ => false,
        };
        (!known).then(|| FileProblem::LayoutUnsupported {
            photometric: self.photometric.clone(),
            samples: self.samples,
        })
    }
}

/// Reads samples from little-endian bytes, `bits` each.
struct Samples<'a> {
    data: &'a [u8],
    bits: u16,
    stored: u16,
    signed: bool,
    start_bit: u64,
}

impl Samples<'_> {
    fn raw(&self, i: u64) -> Option<u32> {
        let bit = self.start_bit + i * u64::from(self.bits);
        let byte = (bit / 8) as usize;
        Some(match self.bits {
            1 => u32::from((self.data.get(byte)? >> (bit % 8)) & 1),
            8 => u32::from(*self.data.get(byte)?),
            16 => u32::from(u16::from_le_bytes(
                self.data.get(byte..byte + 2)?.try_into().ok()?,
            )),
            _ => u32::from_le_bytes(self.data.get(byte..byte + 4)?.try_into().ok()?),
        })
    }

    /// The stored value, sign-extended when signed.
    fn value(&self, i: u64) -> Option<i64> {
        let raw = self.raw(i)?;
        let stored = u32::from(self.stored.clamp(1, 32));
        let masked = if stored >= 32 {
            raw
        } else {
            raw & ((1u32 << stored) - 1)
        };
        Some(if self.signed && ((masked >> (stored - 1)) & 1) == 1 {
            i64::from(masked) - (1i64 << stored)
        } else {
            i64::from(masked)
        })
    }

    /// The value scaled to 8 bits.
    fn eight_bit(&self, i: u64) -> Option<u8> {
        let v = self.value(i)?.max(0) as u64;
        let stored = u32::from(self.stored.clamp(1, 32));
        Some(if stored > 8 {
            (v >> (stored - 8)) as u8
        } else {
            (v << (8 - stored)).min(255) as u8
        })
    }
}

fn ybr_to_rgb(y: f64, cb: f64, cr: f64) -> [u8; 3] {
    let clamp = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    [
        clamp(y + 1.402 * (cr - 128.0)),
        clamp(y - 0.344_136 * (cb - 128.0) - 0.714_136 * (cr - 128.0)),
        clamp(y + 1.772 * (cb - 128.0)),
    ]
}

/// Frame `frame` of native pixel data `data`.
pub fn frame(
    data: &[u8],
    layout: &Layout,
    frame: u32,
    rescale: (f64, f64),
    palette: Option<&Palette>,
) -> Result<Frame, FileProblem> {
    if let Some(reason) = layout.unsupported() {
        return Err(reason);
    }
    let per_frame = layout.samples_per_frame();
    let samples = Samples {
        data,
        bits: layout.bits_allocated,
        stored: layout.bits_stored.clamp(1, layout.bits_allocated),
        signed: layout.signed,
        start_bit: per_frame * u64::from(layout.bits_allocated) * u64::from(frame),
    };
    let cut = || FileProblem::FrameCut;
    if samples.raw(per_frame.saturating_sub(1)).is_none() {
        return Err(cut());
    }
    let n = layout.pixels();
    let (slope, intercept) = rescale;
    match layout.photometric.as_str() {
        "MONOCHROME1" | "MONOCHROME2" => (0..n)
            .map(|i| {
                samples
                    .value(i)
                    .map(|v| (v as f64 * slope + intercept) as f32)
            })
            .collect::<Option<Vec<f32>>>()
            .map(Frame::Grey)
            .ok_or_else(cut),
        "PALETTE COLOR" => {
            let palette = palette.ok_or(FileProblem::PaletteMissing)?;
            let mut rgb = Vec::with_capacity(n as usize * 3);
            for i in 0..n {
                let index = samples.value(i).ok_or_else(cut)?;
                rgb.extend([
                    palette.red.look_up(index),
                    palette.green.look_up(index),
                    palette.blue.look_up(index),
                ]);
            }
            Ok(Frame::Rgb(rgb))
        }
        "YBR_FULL_422" => {
            let mut rgb = Vec::with_capacity(n as usize * 3);
            let columns = u64::from(layout.columns);
            for row in 0..u64::from(layout.rows) {
                for column in 0..columns {
                    let pair = (row * columns + column) / 2 * 4;
                    let y = samples.value(pair + column % 2).ok_or_else(cut)?;
                    let cb = samples.value(pair + 2).ok_or_else(cut)?;
                    let cr = samples.value(pair + 3).ok_or_else(cut)?;
                    rgb.extend(ybr_to_rgb(y as f64, cb as f64, cr as f64));
                }
            }
            Ok(Frame::Rgb(rgb))
        }
        ybr_or_rgb => {
            let at = |p: u64, c: u64| {
                if layout.planar {
                    samples.eight_bit(c * n + p)
                } else {
                    samples.eight_bit(p * 3 + c)
                }
            };
            let mut rgb = Vec::with_capacity(n as usize * 3);
            for p in 0..n {
                let (a, b, c) = (
                    at(p, 0).ok_or_else(cut)?,
                    at(p, 1).ok_or_else(cut)?,
                    at(p, 2).ok_or_else(cut)?,
                );
                if ybr_or_rgb == "YBR_FULL" {
                    rgb.extend(ybr_to_rgb(f64::from(a), f64::from(b), f64::from(c)));
                } else {
                    rgb.extend([a, b, c]);
                }
            }
            Ok(Frame::Rgb(rgb))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(photometric: &str, samples: u16, bits: u16) -> Layout {
        Layout {
            rows: 2,
            columns: 2,
            samples,
            bits_allocated: bits,
            bits_stored: bits,
            signed: false,
            planar: false,
            photometric: photometric.into(),
        }
    }

    #[test]
    fn one_bit_frames_are_packed_eight_pixels_a_byte_without_padding() {
        let l = layout("MONOCHROME2", 1, 1);
        // Two 2×2 frames in one byte: 1,0,1,1 then 0,1,0,0 (least significant bit first).
        let data = [0b0010_1101u8];
        assert_eq!(l.native_len(2), 1);
        assert_eq!(
            frame(&data, &l, 0, (1.0, 0.0), None).unwrap(),
            Frame::Grey(vec![1.0, 0.0, 1.0, 1.0])
        );
        assert_eq!(
            frame(&data, &l, 1, (1.0, 0.0), None).unwrap(),
            Frame::Grey(vec![0.0, 1.0, 0.0, 0.0])
        );
    }

    #[test]
    fn planar_and_interleaved_rgb_draw_the_same_picture() {
        let mut planar = layout("RGB", 3, 8);
        planar.planar = true;
        let by_plane = [255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30];
        let by_pixel = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        let a = frame(&by_plane, &planar, 0, (1.0, 0.0), None).unwrap();
        let b = frame(&by_pixel, &layout("RGB", 3, 8), 0, (1.0, 0.0), None).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, Frame::Rgb(by_pixel.to_vec()));
    }

    #[test]
    fn sixteen_and_thirty_two_bit_colour_keeps_the_top_bits() {
        let l = layout("RGB", 3, 16);
        let values: Vec<u8> = [
            65535u16, 32768, 0, 256, 512, 1024, 0, 0, 0, 65535, 65535, 65535,
        ]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
        let Frame::Rgb(rgb) = frame(&values, &l, 0, (1.0, 0.0), None).unwrap() else {
            panic!("colour")
        };
        assert_eq!(&rgb[..6], &[255, 128, 0, 1, 2, 4]);
        let l32 = layout("RGB", 3, 32);
        let values: Vec<u8> = [u32::MAX, 1 << 31, 0]
            .iter()
            .cycle()
            .take(12)
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let Frame::Rgb(rgb) = frame(&values, &l32, 0, (1.0, 0.0), None).unwrap() else {
            panic!("colour")
        };
        assert_eq!(&rgb[..3], &[255, 128, 0]);
    }

    #[test]
    fn thirty_two_bit_and_signed_grey_are_values_after_rescale() {
        let l = layout("MONOCHROME2", 1, 32);
        let values: Vec<u8> = [0u32, 100_000, 4_000_000_000, 7]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            frame(&values, &l, 0, (0.5, 0.0), None).unwrap(),
            Frame::Grey(vec![0.0, 50_000.0, 2_000_000_000.0, 3.5])
        );
        let mut signed = layout("MONOCHROME2", 1, 16);
        signed.bits_stored = 12;
        signed.signed = true;
        let values: Vec<u8> = [0x0FFFu16, 0x0800, 0x07FF, 0xF001]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            frame(&values, &signed, 0, (1.0, -1024.0), None).unwrap(),
            Frame::Grey(vec![-1025.0, -3072.0, 1023.0, -1023.0])
        );
    }

    #[test]
    fn palette_colour_goes_through_its_tables() {
        let l = layout("PALETTE COLOR", 1, 8);
        let lut = |values: [u16; 3]| Lut {
            first: 10,
            entries: values.to_vec(),
            bits: 16,
        };
        let palette = Palette {
            red: lut([0xFFFF, 0, 0]),
            green: lut([0, 0xFFFF, 0]),
            blue: lut([0, 0, 0x8000]),
        };
        // Indices below the first entry take the first; above, the last.
        let Frame::Rgb(rgb) = frame(&[10, 11, 12, 200], &l, 0, (1.0, 0.0), Some(&palette)).unwrap()
        else {
            panic!("colour")
        };
        assert_eq!(rgb, vec![255, 0, 0, 0, 255, 0, 0, 0, 128, 0, 0, 128]);
        assert!(frame(&[0; 4], &l, 0, (1.0, 0.0), None).is_err());
    }

    #[test]
    fn ybr_full_422_has_two_samples_a_pixel() {
        let l = layout("YBR_FULL_422", 3, 8);
        assert_eq!(l.native_len(1), 8);
        // Two rows of (Y1 Y2 Cb Cr): grey 100 and 200, then pure chroma.
        let data = [100, 200, 128, 128, 128, 128, 128, 255];
        let Frame::Rgb(rgb) = frame(&data, &l, 0, (1.0, 0.0), None).unwrap() else {
            panic!("colour")
        };
        assert_eq!(&rgb[..6], &[100, 100, 100, 200, 200, 200]);
        assert_eq!(&rgb[6..9], &[255, 37, 128]);
    }

    #[test]
    fn a_frame_cut_short_is_named_and_unknown_layouts_are_unsupported() {
        let l = layout("MONOCHROME2", 1, 16);
        assert!(
            frame(&[0; 7], &l, 0, (1.0, 0.0), None)
                .unwrap_err()
                .is_cut_short()
        );
        assert!(layout("CMYK", 4, 8).unsupported().is_some());
        assert!(layout("MONOCHROME2", 1, 12).unsupported().is_some());
    }
}

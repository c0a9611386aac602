//! Greyscale JPEG with 12-bit samples (ISO 10918-1 extended sequential DCT,
//! Huffman coded: DICOM's "JPEG Extended (Process 2 & 4)"), which the JPEG
//! decoder that reads every other JPEG refuses. CT and MR scanners wrote it
//! for years. One component, one scan, restart intervals, 8- or 16-bit
//! quantisation tables; a progressive, lossless, hierarchical or
//! arithmetic-coded frame is not this decoder's and answers `None`, as does
//! anything malformed: the caller then names the frame undecodable.

/// Zig-zag position `k` → natural (row-major) index in an 8×8 block.
const ZIGZAG: [usize; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// A frame's samples, row by row.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub precision: u8,
    pub samples: Vec<u16>,
}

/// The precision (bits a sample) a JPEG's frame header declares, when it
/// is a sequential Huffman-coded one (SOF0 or SOF1).
pub fn sequential_precision(jpeg: &[u8]) -> Option<u8> {
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        if jpeg[at] != 0xFF {
            return None;
        }
        let marker = jpeg[at + 1];
        if marker == 0xFF {
            at += 1;
            continue;
        }
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if matches!(marker, 0xC0 | 0xC1) {
            return jpeg.get(at + 4).copied();
        }
        if matches!(marker, 0xC2..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) || marker == 0xDA
        {
            return None;
        }
        at += 2 + length;
    }
    None
}

#[derive(Clone, Default)]
struct Huffman {
    /// Largest code of each length (1..=16), -1 where there is none.
    max_code: [i32; 17],
    /// Index into `values` of each length's first code, less that code.
    offset: [i32; 17],
    values: Vec<u8>,
}

impl Huffman {
    fn new(counts: &[u8; 16], values: Vec<u8>) -> Option<Huffman> {
        let mut table = Huffman {
            max_code: [-1; 17],
            offset: [0; 17],
            values,
        };
        let (mut code, mut index) = (0i32, 0i32);
        for length in 1..=16 {
            let count = i32::from(counts[length - 1]);
            table.offset[length] = index - code;
            if count > 0 {
                code += count;
                index += count;
                table.max_code[length] = code - 1;
            }
            if code > 1 << length {
                return None;
            }
            code <<= 1;
        }
        (index as usize == table.values.len()).then_some(table)
    }
}

/// Reads the entropy-coded bits of a scan, unstuffing `FF 00` and stopping
/// at a marker (after which it gives zeros).
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
    buffer: u32,
    count: u32,
    marker: Option<u8>,
    /// The data ended where bits were still needed: the scan is cut short.
    exhausted: bool,
}

impl Bits<'_> {
    fn bit(&mut self) -> u32 {
        if self.count == 0 {
            let mut byte = 0;
            if self.marker.is_none() {
                match self.data.get(self.at) {
                    Some(0xFF) => match self.data.get(self.at + 1) {
                        Some(0x00) => {
                            byte = 0xFF;
                            self.at += 2;
                        }
                        Some(m) => self.marker = Some(*m),
                        None => self.exhausted = true,
                    },
                    Some(b) => {
                        byte = *b;
                        self.at += 1;
                    }
                    None => self.exhausted = true,
                }
            }
            self.buffer = u32::from(byte);
            self.count = 8;
        }
        self.count -= 1;
        (self.buffer >> self.count) & 1
    }

    fn bits(&mut self, n: u8) -> u32 {
        (0..n).fold(0, |v, _| (v << 1) | self.bit())
    }

    fn decode(&mut self, table: &Huffman) -> Option<u8> {
        let mut code = 0i32;
        for length in 1..=16 {
            code = (code << 1) | self.bit() as i32;
            if code <= table.max_code[length] {
                return table
                    .values
                    .get((code + table.offset[length]) as usize)
                    .copied();
            }
        }
        None
    }

    /// A coefficient of `size` bits (F.12's EXTEND).
    fn signed(&mut self, size: u8) -> Option<i32> {
        if size == 0 {
            return Some(0);
        }
        if size > 16 {
            return None;
        }
        let v = self.bits(size) as i32;
        Some(if v < 1 << (size - 1) {
            v - (1 << size) + 1
        } else {
            v
        })
    }

    /// Moves past a restart marker (`FF D0`–`FF D7`) and starts afresh.
    fn restart(&mut self) -> Option<()> {
        self.count = 0;
        if self.marker.is_none() {
            // Padding bits before the marker are ones; find the marker.
            while self.data.get(self.at) == Some(&0xFF) && self.data.get(self.at + 1) == Some(&0xFF)
            {
                self.at += 1;
            }
            self.marker = self.data.get(self.at + 1).copied();
        }
        if !matches!(self.marker, Some(0xD0..=0xD7)) {
            return None;
        }
        self.at += 2;
        self.marker = None;
        Some(())
    }
}

/// The IDCT's basis: `basis[x][u]` = C(u)/2 · cos((2x+1)uπ/16).
fn basis() -> [[f32; 8]; 8] {
    let mut b = [[0f32; 8]; 8];
    for (x, row) in b.iter_mut().enumerate() {
        for (u, cell) in row.iter_mut().enumerate() {
            let c = if u == 0 {
                std::f32::consts::FRAC_1_SQRT_2
            } else {
                1.0
            };
            *cell =
                c / 2.0 * ((2.0 * x as f32 + 1.0) * u as f32 * std::f32::consts::PI / 16.0).cos();
        }
    }
    b
}

/// Decodes a single-component sequential JPEG of 8 or 12 bits.
pub fn decode(jpeg: &[u8]) -> Option<Decoded> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut quant = [[0u16; 64]; 4];
    let mut dc: [Option<Huffman>; 4] = Default::default();
    let mut ac: [Option<Huffman>; 4] = Default::default();
    let mut frame: Option<(u8, u32, u32, usize)> = None;
    let mut restart_interval = 0u32;
    let mut at = 2;
    loop {
        while jpeg.get(at) == Some(&0xFF) && jpeg.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if *jpeg.get(at)? != 0xFF {
            return None;
        }
        let marker = *jpeg.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([*jpeg.get(at + 2)?, *jpeg.get(at + 3)?]));
        let segment = jpeg.get(at + 4..at + 2 + length)?;
        match marker {
            0xDB => {
                let mut s = segment;
                while let Some((&pq_tq, rest)) = s.split_first() {
                    let wide = pq_tq >> 4 == 1;
                    let table = quant.get_mut(usize::from(pq_tq & 15))?;
                    let size = if wide { 128 } else { 64 };
                    let values = rest.get(..size)?;
                    for (k, natural) in ZIGZAG.iter().enumerate() {
                        table[*natural] = if wide {
                            u16::from_be_bytes([values[2 * k], values[2 * k + 1]])
                        } else {
                            u16::from(values[k])
                        };
                    }
                    s = &rest[size..];
                }
            }
            0xC4 => {
                let mut s = segment;
                while let Some((&tc_th, rest)) = s.split_first() {
                    let counts: [u8; 16] = rest.get(..16)?.try_into().ok()?;
                    let total: usize = counts.iter().map(|c| usize::from(*c)).sum();
                    let values = rest.get(16..16 + total)?.to_vec();
                    let table = Some(Huffman::new(&counts, values)?);
                    let slot = usize::from(tc_th & 15);
                    match tc_th >> 4 {
                        0 => *dc.get_mut(slot)? = table,
                        1 => *ac.get_mut(slot)? = table,
                        _ => return None,
                    }
                    s = &rest[16 + total..];
                }
            }
            0xC0 | 0xC1 => {
                let precision = *segment.first()?;
                let height = u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?]));
                let width = u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?]));
                if *segment.get(5)? != 1 || !matches!(precision, 8 | 12) || width == 0 {
                    return None;
                }
                let tq = usize::from(*segment.get(8)?);
                frame = Some((precision, width, height, tq));
            }
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return None,
            0xDD => {
                restart_interval =
                    u32::from(u16::from_be_bytes([*segment.first()?, *segment.get(1)?]));
            }
            0xDA => {
                let (precision, width, height, tq) = frame?;
                if height == 0 || *segment.first()? != 1 {
                    return None;
                }
                let tables = *segment.get(2)?;
                let dc = dc.get(usize::from(tables >> 4))?.as_ref()?;
                let ac = ac.get(usize::from(tables & 15))?.as_ref()?;
                let scan = jpeg.get(at + 2 + length..)?;
                let samples = blocks(
                    scan,
                    (dc, ac),
                    quant.get(tq)?,
                    (width, height, precision),
                    restart_interval,
                )?;
                return Some(Decoded {
                    width,
                    height,
                    precision,
                    samples,
                });
            }
            0xD9 => return None,
            _ => {}
        }
        at += 2 + length;
    }
}

/// The scan's blocks, decoded, dequantised, transformed and placed.
fn blocks(
    scan: &[u8],
    (dc, ac): (&Huffman, &Huffman),
    quant: &[u16; 64],
    (width, height, precision): (u32, u32, u8),
    restart_interval: u32,
) -> Option<Vec<u16>> {
    let (across, down) = (width.div_ceil(8), height.div_ceil(8));
    let (w, h) = (width as usize, height as usize);
    let mut samples = vec![0u16; w.checked_mul(h)?];
    let mut bits = Bits {
        data: scan,
        at: 0,
        buffer: 0,
        count: 0,
        marker: None,
        exhausted: false,
    };
    let basis = basis();
    let shift = f32::from(1u16 << (precision - 1));
    let top = f32::from(((1u32 << precision) - 1) as u16);
    let mut predictor = 0i32;
    for index in 0..across * down {
        if restart_interval > 0 && index > 0 && index % restart_interval == 0 {
            bits.restart()?;
            predictor = 0;
        }
        let mut coefficients = [0f32; 64];
        let size = bits.decode(dc)?;
        predictor += bits.signed(size)?;
        coefficients[0] = predictor as f32 * f32::from(quant[0]);
        let mut k = 1;
        while k < 64 {
            let rs = bits.decode(ac)?;
            let (run, size) = (usize::from(rs >> 4), rs & 15);
            if size == 0 {
                if run != 15 {
                    break;
                }
                k += 16;
                continue;
            }
            k += run;
            let natural = *ZIGZAG.get(k)?;
            coefficients[natural] = bits.signed(size)? as f32 * f32::from(quant[natural]);
            k += 1;
        }
        // Rows, then columns.
        let mut rows = [0f32; 64];
        for y in 0..8 {
            for x in 0..8 {
                rows[y * 8 + x] = (0..8).map(|u| basis[x][u] * coefficients[y * 8 + u]).sum();
            }
        }
        let (bx, by) = ((index % across) as usize * 8, (index / across) as usize * 8);
        for x in 0..8 {
            for (y, along) in basis.iter().enumerate() {
                let value: f32 = (0..8).map(|v| along[v] * rows[v * 8 + x]).sum();
                let (px, py) = (bx + x, by + y);
                if px < w && py < h {
                    samples[py * w + px] = (value + shift).round().clamp(0.0, top) as u16;
                }
            }
        }
    }
    (!bits.exhausted).then_some(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 16×8 12-bit JPEG written by hand, two blocks: the first flat (DC
    /// only), the second with one AC coefficient, under restart interval 1.
    fn hand_written() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        // DQT, 16-bit table 0: every step 2.
        j.extend([0xFF, 0xDB, 0, 131, 0x10]);
        for _ in 0..64 {
            j.extend([0, 2]);
        }
        // SOF1: 12 bits, 8 rows, 16 columns, one component (1, 1×1, table 0).
        j.extend([0xFF, 0xC1, 0, 11, 12, 0, 8, 0, 16, 1, 1, 0x11, 0]);
        // DHT DC 0: one code of length 1 for category 12 ('0'), one for 0 ('10').
        j.extend([
            0xFF, 0xC4, 0, 21, 0x00, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        j.extend([12, 0]);
        // DHT AC 0: EOB '0', (run 0, size 4) '10'.
        j.extend([
            0xFF, 0xC4, 0, 21, 0x10, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]);
        j.extend([0x00, 0x04]);
        // DRI 1.
        j.extend([0xFF, 0xDD, 0, 4, 0, 1]);
        // SOS: one component, tables 0/0, Ss 0, Se 63, Ah/Al 0.
        j.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 0, 63, 0]);
        // Block 1: DC '0' + 12 bits 1000_0000_0000 (2048, × step 2 = 4096,
        // an eighth of it above the level shift), EOB '0', padded with ones:
        // 0 100000000000 0 11 = 0100_0000 0000_0011.
        j.extend([0b0100_0000, 0b0000_0011]);
        j.extend([0xFF, 0xD0]);
        // Block 2: DC '0' + 2048 again, AC (0,4) '10' + 4 bits 1000 (=8), EOB '0'.
        // Bits: 0 100000000000 10 1000 0 + pad 1111 = 0100_0000 0000_0101 0000_1111.
        j.extend([0b0100_0000, 0b0000_0101, 0b0000_1111]);
        j.extend([0xFF, 0xD9]);
        j
    }

    #[test]
    fn a_hand_written_twelve_bit_frame_decodes_to_its_values() {
        let jpeg = hand_written();
        assert_eq!(sequential_precision(&jpeg), Some(12));
        let decoded = decode(&jpeg).expect("decodes");
        assert_eq!(
            (decoded.width, decoded.height, decoded.precision),
            (16, 8, 12)
        );
        // Block 1: DC 4096 dequantised → 4096/8 = 512 above the level shift 2048.
        assert!(
            decoded.samples[..8].iter().all(|v| *v == 2560),
            "{:?}",
            &decoded.samples[..8]
        );
        assert!(decoded.samples.chunks(16).all(|row| row[..8] == [2560; 8]));
        // Block 2: the same DC plus 16 (8 × step 2) at zig-zag 1, horizontal
        // frequency 1: left columns brighter than right, symmetric about 2560.
        let row: Vec<i32> = decoded.samples[8..16]
            .iter()
            .map(|v| i32::from(*v))
            .collect();
        assert!(
            row[0] > row[3] && row[3] > row[4] && row[4] > row[7],
            "{row:?}"
        );
        assert!((row[0] + row[7] - 2 * 2560).abs() <= 1, "{row:?}");
        // 16 · C(1)/2 · C(0)/2 · cos(π/16) = 16 · 0.5 · 0.3536 · 0.9808 ≈ 2.77.
        assert_eq!(row[0] - 2560, 3, "{row:?}");
    }

    #[test]
    fn what_is_not_a_sequential_single_component_jpeg_is_refused() {
        let mut progressive = hand_written();
        let sof = progressive
            .windows(2)
            .position(|w| w == [0xFF, 0xC1])
            .unwrap();
        progressive[sof + 1] = 0xC2;
        assert_eq!(decode(&progressive), None);
        assert_eq!(sequential_precision(&progressive), None);
        let cut = hand_written();
        assert_eq!(decode(&cut[..cut.len() - 8]), None);
        assert_eq!(decode(&[0xFF, 0xD8, 0xFF]), None);
        assert_eq!(decode(b"not a jpeg"), None);
    }
}

//! Text as imported files really come: UTF-8 with or without a byte-order
//! mark, UTF-16 (little or big endian, as spreadsheet programs save
//! "Unicode text"), and lines in Windows-1252 among UTF-8 ones (a "Café"
//! typed on an old PC). Lines and XML tags are read with a bound on their
//! length, so that one endless line cannot take the process's memory.

use std::borrow::Cow;
use std::io::{BufRead, Read};

/// The longest line of a CSV file that is read (longer ones are refused
/// as a line, and skipped).
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// The longest XML element (from one `<` to the next) that is read.
pub const MAX_TAG_BYTES: u64 = 1024 * 1024;

/// How a file's text is encoded, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
}

/// The encoding of a file that starts with `head`: a UTF-16 byte-order mark,
/// or (without one) the zero bytes of ASCII text in UTF-16; else UTF-8.
pub fn sniff(head: &[u8]) -> Encoding {
    match head {
        [0xFF, 0xFE, ..] => Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => Encoding::Utf16Be,
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Encoding::Utf16Le,
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Encoding::Utf16Be,
        _ => Encoding::Utf8,
    }
}

/// The first bytes of a file as text (for deciding its format).
pub fn head_text(head: &[u8]) -> String {
    let text = match sniff(head) {
        Encoding::Utf8 => String::from_utf8_lossy(head).into_owned(),
        encoding => {
            let units = head.chunks_exact(2).map(|pair| match encoding {
                Encoding::Utf16Le => u16::from_le_bytes([pair[0], pair[1]]),
                _ => u16::from_be_bytes([pair[0], pair[1]]),
            });
            char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect()
        }
    };
    text.trim_start_matches('\u{feff}').to_owned()
}

/// A UTF-16 stream read as UTF-8 bytes (the byte-order mark dropped).
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    pending: Vec<u8>,
    at: usize,
    started: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, encoding: Encoding) -> Self {
        Utf16Reader {
            inner,
            big_endian: encoding == Encoding::Utf16Be,
            pending: Vec::new(),
            at: 0,
            started: false,
        }
    }

    fn unit(&mut self) -> std::io::Result<Option<u16>> {
        let mut pair = [0u8; 2];
        match self.inner.read_exact(&mut pair) {
            Ok(()) => Ok(Some(if self.big_endian {
                u16::from_be_bytes(pair)
            } else {
                u16::from_le_bytes(pair)
            })),
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Decodes the next few thousand units into `pending`.
    fn refill(&mut self) -> std::io::Result<()> {
        self.pending.clear();
        self.at = 0;
        while self.pending.len() < 8192 {
            let Some(unit) = self.unit()? else { break };
            let c = if (0xD800..0xDC00).contains(&unit) {
                match self.unit()? {
                    Some(low) if (0xDC00..0xE000).contains(&low) => char::from_u32(
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00),
                    ),
                    _ => None,
                }
            } else {
                char::from_u32(u32::from(unit))
            };
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            if !self.started {
                self.started = true;
                if c == '\u{feff}' {
                    continue;
                }
            }
            let mut buf = [0u8; 4];
            self.pending
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.pending.len() {
            self.refill()?;
        }
        let n = out.len().min(self.pending.len() - self.at);
        out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A text stream as UTF-8, whatever its encoding (see [`sniff`]).
pub fn as_utf8<'a>(mut input: impl BufRead + 'a) -> Box<dyn BufRead + 'a> {
    let encoding = match input.fill_buf() {
        Ok(head) => sniff(head),
        Err(_) => Encoding::Utf8,
    };
    match encoding {
        Encoding::Utf8 => Box::new(input),
        other => Box::new(std::io::BufReader::with_capacity(
            64 * 1024,
            Utf16Reader::new(input, other),
        )),
    }
}

/// One line as read by [`read_line`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line is in the buffer (without its line ending).
    Text,
    /// The line was longer than the bound; its bytes were skipped.
    TooLong,
    End,
}

/// Reads the next line into `buf`, keeping at most `max` bytes of it.
pub fn read_line(input: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> std::io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], Some(at + 1)),
            None => (available, None),
        };
        if !too_long {
            if buf.len() + chunk.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(available.len());
        input.consume(used);
        if done.is_some() {
            break;
        }
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(match (any, too_long) {
        (false, _) => Line::End,
        (true, true) => Line::TooLong,
        (true, false) => Line::Text,
    })
}

/// A line's text: UTF-8 when it is, else Windows-1252 (whose every byte is
/// a character), so that one line typed on another system is still read.
pub fn decode_line(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
    }
}

fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        other => char::from(other),
    }
}

/// A reader that fails once more than [`MAX_TAG_BYTES`] pass without a `<`:
/// an XML parser behind it never holds one enormous element or attribute.
pub struct TagBound<R> {
    inner: R,
    since_open: u64,
}

impl<R> TagBound<R> {
    pub fn new(inner: R) -> Self {
        TagBound {
            inner,
            since_open: 0,
        }
    }
}

impl<R: Read> Read for TagBound<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        for &b in &out[..n] {
            if b == b'<' {
                self.since_open = 0;
            } else {
                self.since_open += 1;
                if self.since_open > MAX_TAG_BYTES {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "an element is longer than 1 MB",
                    ));
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_in_both_byte_orders_reads_as_utf8() {
        let text = "time,kind\nCafé,☕\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        for bytes in [le, be] {
            let mut out = String::new();
            as_utf8(std::io::BufReader::new(&bytes[..]))
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
            assert!(head_text(&bytes).starts_with("time,kind"));
        }
    }

    #[test]
    fn a_windows_1252_line_is_read_and_long_lines_are_bounded() {
        assert_eq!(decode_line(b"Caf\xe9 \x80"), "Café €");
        assert_eq!(decode_line("Café".as_bytes()), "Café");
        let mut input = std::io::BufReader::new(&b"short\r\nxxxxxxxxxx\nlast"[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut input, &mut buf, 8).unwrap(), Line::Text);
        assert_eq!(buf, b"short");
        assert_eq!(read_line(&mut input, &mut buf, 8).unwrap(), Line::TooLong);
        assert_eq!(read_line(&mut input, &mut buf, 8).unwrap(), Line::Text);
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut input, &mut buf, 8).unwrap(), Line::End);
    }

    #[test]
    fn an_endless_element_stops_the_reader() {
        let mut data = b"<a>".to_vec();
        data.extend(std::iter::repeat_n(b'x', MAX_TAG_BYTES as usize + 10));
        let mut out = Vec::new();
        assert!(TagBound::new(&data[..]).read_to_end(&mut out).is_err());
    }
}

//! CSV import: a header naming at least `time`, `kind`, `value` and `unit`
//! (optional `value2`, `end`, `source`), then one reading per line. Fields
//! may be quoted ("..." with "" for a quote). Read line by line, each line
//! bounded in length, in whatever encoding the file came in (see `text`).

use super::import_job::{ParseEnd, Parsed, Sink};
use super::reading::{NewReading, ReadingProblem};
use super::text::{self, Line, MAX_LINE_BYTES};
use std::io::BufRead;

/// Splits one CSV line into fields.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

struct Columns {
    time: usize,
    kind: usize,
    value: usize,
    unit: usize,
    value2: Option<usize>,
    end: Option<usize>,
    source: Option<usize>,
}

fn columns(header: &str) -> Option<Columns> {
    let names: Vec<String> = fields(header)
        .into_iter()
        .map(|f| f.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let at = |name: &str| names.iter().position(|n| n == name);
    Some(Columns {
        time: at("time")?,
        kind: at("kind")?,
        value: at("value")?,
        unit: at("unit")?,
        value2: at("value2"),
        end: at("end"),
        source: at("source"),
    })
}

fn reading(columns: &Columns, line: &str) -> Result<NewReading, ReadingProblem> {
    let fields = fields(line);
    let get = |i: usize| fields.get(i).map(|f| f.trim()).unwrap_or_default();
    let optional = |i: Option<usize>| i.map(get).filter(|f| !f.is_empty());
    let value = get(columns.value)
        .parse::<f64>()
        .map_err(|_| ReadingProblem::NotANumber)?;
    let value2 = match optional(columns.value2) {
        Some(v) => Some(v.parse::<f64>().map_err(|_| ReadingProblem::NotANumber)?),
        None => None,
    };
    Ok(NewReading {
        kind: get(columns.kind).into(),
        time: get(columns.time).into(),
        end: optional(columns.end).map(str::to_owned),
        value,
        value2,
        unit: get(columns.unit).into(),
        source: optional(columns.source).map(str::to_owned),
        status: None,
        comparator: None,
    })
}

/// Reads a CSV file, handing readings to `sink` in batches; `index` is the
/// line number. UTF-8 (with or without a byte-order mark) and UTF-16 files
/// are read alike; a line in Windows-1252 is read as such; a line longer
/// than [`MAX_LINE_BYTES`] is refused as that line, and the import goes on.
pub fn parse(input: impl BufRead, sink: &mut Sink<'_>) -> ParseEnd {
    let mut input = text::as_utf8(input);
    let mut buf = Vec::with_capacity(256);
    let header = match text::read_line(&mut input, &mut buf, MAX_LINE_BYTES) {
        Ok(Line::Text) => text::decode_line(&buf).into_owned(),
        _ => return ParseEnd::NotThisFormat,
    };
    let Some(columns) = columns(&header) else {
        return ParseEnd::NotThisFormat;
    };
    let mut index = 1;
    loop {
        index += 1;
        let item = match text::read_line(&mut input, &mut buf, MAX_LINE_BYTES) {
            Ok(Line::End) => break,
            Err(_) => return ParseEnd::Malformed { at: index as u64 },
            Ok(Line::TooLong) => Err(ReadingProblem::Malformed {
                what: crate::refusals::Malformation::LineTooLong {
                    kb: MAX_LINE_BYTES / 1024,
                },
            }),
            Ok(Line::Text) => {
                let line = text::decode_line(&buf);
                if line.trim().is_empty() {
                    continue;
                }
                reading(&columns, &line)
            }
        };
        if !sink.push(Parsed { index, item }) {
            return ParseEnd::Stopped;
        }
    }
    ParseEnd::Complete
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_their_commas() {
        assert_eq!(fields(r#"a,"b,c","d""e""#), vec!["a", "b,c", "d\"e"]);
    }

    #[test]
    fn the_header_may_come_in_any_order() {
        let columns = columns("unit,Value,kind,time,source").unwrap();
        let r = reading(&columns, "kg,70.5,weight,2026-11-01T07:00:00Z,Scale").unwrap();
        assert_eq!(
            (r.kind.as_str(), r.value, r.source.as_deref()),
            ("weight", 70.5, Some("Scale"))
        );
        assert!(columns_missing());
    }

    fn columns_missing() -> bool {
        super::columns("time,kind,value").is_none()
    }
}

//! Readers of the files people import: CSV in any of the encodings spreadsheets save
//! (UTF-8 with or without BOM, UTF-16 with BOM, Windows-1252) and delimiters (`,` `;`
//! tab, sniffed), and XLSX, XLS and ODS through calamine. A reader gives the header, then
//! rows one at a time: a CSV file is decoded and parsed as it is read, never whole.
//!
//! Works on any `Read + Seek`, so it does no I/O of its own.

use std::io::{Read, Seek, SeekFrom};

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problems::RowProblem;

/// How much of a text file is looked at to guess its encoding and delimiter.
const SAMPLE: usize = 64 * 1024;

/// The most a spreadsheet (a ZIP of XML parts) may unpack to. An XLSX that declares
/// more is refused before a byte of it is inflated: a zip bomb stops here.
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// The most a spreadsheet part may inflate relative to its packed size. Real sheets
/// compress ten to fifty times; bombs a thousand times and more.
pub const MAX_RATIO: u64 = 250;

/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 500;

/// The most cells a spreadsheet may make the reader hold: 100,000 rows of 50 columns.
/// XLSX counts the cells it holds; ODS counts what its repeated rows and columns expand
/// to, before calamine expands them (a few bytes saying "this row, a million times" would
/// otherwise take gigabytes).
pub const MAX_CELLS: u64 = 5_000_000;

/// A file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Csv,
    Xlsx,
    Xls,
    Ods,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
            FileFormat::Xls => "xls",
            FileFormat::Ods => "ods",
        }
    }

    pub fn parse(s: &str) -> Option<FileFormat> {
        [
            FileFormat::Csv,
            FileFormat::Xlsx,
            FileFormat::Xls,
            FileFormat::Ods,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
}

/// The character encoding of a text file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum TextEncoding {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// What Excel in Spanish on Windows saves "CSV" in.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl TextEncoding {
    pub const NAMES: &'static [&'static str] = &["utf-8", "utf-16le", "utf-16be", "windows-1252"];

    pub fn as_str(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Windows1252 => "windows-1252",
        }
    }

    pub fn parse(s: &str) -> Option<TextEncoding> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "utf-16le" | "utf-16" | "utf16" => Some(TextEncoding::Utf16Le),
            "utf-16be" => Some(TextEncoding::Utf16Be),
            "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" | "ansi" => {
                Some(TextEncoding::Windows1252)
            }
            _ => None,
        }
    }

    fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }
}

/// What the person importing may say instead of letting the reader guess.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReadOptions {
    pub format: Option<FileFormat>,
    pub encoding: Option<TextEncoding>,
    /// `,`, `;`, `|` or `\t` (also spelled `tab`).
    #[schema(value_type = Option<String>)]
    pub delimiter: Option<char>,
    /// The worksheet to read (the first one by default).
    pub sheet: Option<String>,
}

/// One cell as the file holds it: text from a CSV, or a typed value from a spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Empty,
    Text(String),
    /// A spreadsheet number, written out with `.` as the decimal point.
    Number(String),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Raw {
    /// The cell as text (what a preview shows and a rejected-rows file repeats).
    pub fn text(&self) -> String {
        match self {
            Raw::Empty => String::new(),
            Raw::Text(s) | Raw::Number(s) => s.clone(),
            Raw::Bool(b) => b.to_string(),
            Raw::Date(d) => d.format("%Y-%m-%d").to_string(),
            Raw::DateTime(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Raw::Empty => true,
            Raw::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// One data row: its line (or spreadsheet row) number, counting the header as 1.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    pub number: u64,
    pub cells: Vec<Raw>,
    /// What is wrong with the row as a row (cells missing or extra, undecodable bytes).
    pub problems: Vec<RowProblem>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header row but no data rows")]
    NoRows,
    #[error("the file has more than {MAX_COLUMNS} columns")]
    TooManyColumns,
    #[error(
        "the spreadsheet would unpack to {unpacked} bytes (more than {limit}); it may be a zip bomb and was not opened"
    )]
    Bomb { unpacked: u64, limit: u64 },
    #[error("the spreadsheet holds more than {MAX_CELLS} cells; split it into smaller files")]
    TooManyCells,
    #[error("the worksheet '{0}' is not in this file")]
    NoSheet(String),
    #[error("the {format} file cannot be read: {reason}")]
    Unreadable {
        format: &'static str,
        reason: String,
    },
}

impl FileError {
    fn unreadable(format: FileFormat, reason: impl ToString) -> FileError {
        FileError::Unreadable {
            format: format.as_str(),
            reason: reason.to_string(),
        }
    }
}

/// A file opened for reading: its header and what was detected, then its rows.
pub struct Table {
    pub format: FileFormat,
    /// For CSV files: the encoding and delimiter used.
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<char>,
    /// The sheet read, for spreadsheets.
    pub sheet: Option<String>,
    /// The header's cells, trimmed; an empty header cell is named `Column N`.
    pub header: Vec<String>,
    rows: Box<dyn Iterator<Item = Result<RawRow, FileError>> + Send>,
    /// The first data row, read ahead to tell a header without rows.
    first: Option<RawRow>,
}

impl Table {
    /// The next data row; rows whose cells are all empty are passed over.
    pub fn next_row(&mut self) -> Option<Result<RawRow, FileError>> {
        if let Some(r) = self.first.take() {
            return Some(Ok(r));
        }
        self.rows.next()
    }
}

impl Iterator for Table {
    type Item = Result<RawRow, FileError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_row()
    }
}

const ODS_MIME: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";

/// Guesses a file's format from its first bytes (and its name, to tell an ODS from an
/// XLSX when the bytes do not).
pub fn sniff_format(head: &[u8], name: &str) -> FileFormat {
    let lower = name.to_ascii_lowercase();
    if head.starts_with(b"PK\x03\x04") {
        if lower.ends_with(".ods") || head.windows(ODS_MIME.len()).any(|w| w == ODS_MIME) {
            FileFormat::Ods
        } else {
            FileFormat::Xlsx
        }
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        FileFormat::Xls
    } else {
        FileFormat::Csv
    }
}

/// Opens a file: detects what the options leave open, reads the header and the first
/// row, and checks the file is worth reading.
pub fn open<R: Read + Seek + Send + 'static>(
    mut r: R,
    name: &str,
    opts: &ReadOptions,
) -> Result<Table, FileError> {
    let mut head = vec![0u8; 512];
    let n = read_full(&mut r, &mut head).map_err(|e| FileError::unreadable(FileFormat::Csv, e))?;
    head.truncate(n);
    if n == 0 {
        return Err(FileError::Empty);
    }
    r.seek(SeekFrom::Start(0))
        .map_err(|e| FileError::unreadable(FileFormat::Csv, e))?;
    let format = opts.format.unwrap_or_else(|| sniff_format(&head, name));
    let (header, rows, encoding, delimiter, sheet) = match format {
        FileFormat::Csv => {
            let (h, rows, enc, delim) = open_csv(r, opts)?;
            (h, rows, Some(enc), Some(delim), None)
        }
        _ => {
            let (h, rows, sheet) = open_sheet(r, format, opts)?;
            (h, rows, None, None, Some(sheet))
        }
    };
    if header.len() > MAX_COLUMNS {
        return Err(FileError::TooManyColumns);
    }
    // The file's text in composed form (see `text::nfc`), whatever wrote it: a name
    // exported with separate accent marks must match the one already in the database.
    let mut header = header;
    header.iter_mut().for_each(|h| {
        crate::text::nfc_in_place(h);
        // A header only names a column; its NUL is shown, not stored as such.
        if h.contains('\0') {
            *h = h.replace('\0', "\u{FFFD}");
        }
    });
    let names = header.clone();
    let rows: Rows = Box::new(rows.map(move |row| {
        row.map(|mut row| {
            for (i, cell) in row.cells.iter_mut().enumerate() {
                if let Raw::Text(s) = cell {
                    crate::text::nfc_in_place(s);
                    refuse_nul(s, i, &names, &mut row.problems);
                }
            }
            row
        })
    }));
    let mut t = Table {
        format,
        encoding,
        delimiter,
        sheet,
        header,
        rows,
        first: None,
    };
    match t.rows.next() {
        None => return Err(FileError::NoRows),
        Some(Err(e)) => return Err(e),
        Some(Ok(row)) => t.first = Some(row),
    }
    Ok(t)
}

/// A cell holding a NUL character (PostgreSQL cannot store one) makes its row a bad
/// row, saying which column; the cell is kept with the NUL shown as U+FFFD, so that the
/// row can be stored and shown among the rejected ones.
fn refuse_nul(cell: &mut String, column: usize, header: &[String], problems: &mut Vec<RowProblem>) {
    if !cell.contains('\0') {
        return;
    }
    *cell = cell.replace('\0', "\u{FFFD}");
    let name = header
        .get(column)
        .cloned()
        .unwrap_or_else(|| format!("Column {}", column + 1));
    problems.push(RowProblem::Nul(name));
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

type Rows = Box<dyn Iterator<Item = Result<RawRow, FileError>> + Send>;

/// Names the header's cells: trimmed, and `Column N` where a cell is empty.
fn header_names(cells: impl Iterator<Item = String>) -> Vec<String> {
    let mut h: Vec<String> = cells
        .enumerate()
        .map(|(i, c)| {
            let t = c.trim().trim_start_matches('\u{feff}').trim().to_owned();
            if t.is_empty() {
                format!("Column {}", i + 1)
            } else {
                t
            }
        })
        .collect();
    // Trailing unnamed columns are what spreadsheets leave behind; drop them.
    while h.last().is_some_and(|n| n.starts_with("Column ")) && h.len() > 1 {
        h.pop();
    }
    h
}

/// The encoding a text sample is in, from its byte order mark or its bytes.
pub fn sniff_encoding(sample: &[u8], complete: bool) -> TextEncoding {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return TextEncoding::Utf8;
    }
    if sample.starts_with(b"\xFF\xFE") {
        return TextEncoding::Utf16Le;
    }
    if sample.starts_with(b"\xFE\xFF") {
        return TextEncoding::Utf16Be;
    }
    // UTF-16 without a mark: text in Latin script has a zero in every other byte.
    let pairs = sample.len() / 2;
    if pairs >= 2 {
        let even_zero = sample.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_zero = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|b| **b == 0)
            .count();
        if odd_zero * 10 >= pairs * 7 {
            return TextEncoding::Utf16Le;
        }
        if even_zero * 10 >= pairs * 7 {
            return TextEncoding::Utf16Be;
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // A sample cut inside a character is still UTF-8.
        Err(e) if !complete && e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Windows1252,
    }
}

/// The delimiter that splits the sample's lines into the same number of fields, more
/// than one; `,` when none does.
pub fn sniff_delimiter(sample: &str) -> char {
    let mut best = (',', 0usize, 0usize);
    for d in [',', ';', '\t', '|'] {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(d as u8)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let mut counts = Vec::new();
        for rec in rdr.records().take(50) {
            match rec {
                Ok(r) => counts.push(r.len()),
                Err(_) => break,
            }
        }
        // The last line of a sample may be cut short.
        if counts.len() > 2 {
            counts.pop();
        }
        let Some(&first) = counts.first() else {
            continue;
        };
        if first < 2 {
            continue;
        }
        let consistent = counts.iter().filter(|c| **c == first).count();
        if (consistent, first) > (best.1, best.2) {
            best = (d, consistent, first);
        }
    }
    best.0
}

/// Turns bytes in any supported encoding into UTF-8 as they are read.
struct Decode<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
    /// A `\r` that ended the last chunk, held until the next shows whether a `\n`
    /// follows it.
    held_cr: bool,
}

impl<R: Read> Decode<R> {
    fn new(inner: R, enc: TextEncoding) -> Decode<R> {
        Decode {
            inner,
            // The BOM, when there is one, is removed by the decoder.
            decoder: enc.encoding().new_decoder_with_bom_removal(),
            input: vec![0; 16 * 1024],
            out: Vec::new(),
            pos: 0,
            done: false,
            held_cr: false,
        }
    }
}

/// Turns the `\r\n` line ends Excel on Windows writes into `\n`. The CSV reader counts
/// the line of a `\r\n` only when it reads the next record, so the rows of such a file
/// were numbered one too low. A `\r` at the end of a chunk is held back (`held_cr`)
/// until the next chunk says whether a `\n` follows; a lone `\r` is kept.
fn crlf_to_lf(out: &mut Vec<u8>, held_cr: &mut bool, last: bool) {
    let mut fixed = Vec::with_capacity(out.len() + 1);
    if std::mem::take(held_cr) && out.first() != Some(&b'\n') {
        fixed.push(b'\r');
    }
    let mut bytes = out.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if b == b'\r' {
            match bytes.peek() {
                Some(b'\n') => continue,
                None if !last => {
                    *held_cr = true;
                    continue;
                }
                _ => {}
            }
        }
        fixed.push(b);
    }
    *out = fixed;
}

impl<R: Read> Read for Decode<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.out.len() {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            let last = n == 0;
            let cap = self.decoder.max_utf8_buffer_length(n).unwrap_or(n * 3 + 16);
            self.out.clear();
            self.out.resize(cap, 0);
            let (_, _, written, _) =
                self.decoder
                    .decode_to_utf8(&self.input[..n], &mut self.out, last);
            self.out.truncate(written);
            crlf_to_lf(&mut self.out, &mut self.held_cr, last);
            self.pos = 0;
            self.done = last;
        }
        let k = buf.len().min(self.out.len() - self.pos);
        buf[..k].copy_from_slice(&self.out[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

fn open_csv<R: Read + Seek + Send + 'static>(
    mut r: R,
    opts: &ReadOptions,
) -> Result<(Vec<String>, Rows, TextEncoding, char), FileError> {
    let fail = |e: std::io::Error| FileError::unreadable(FileFormat::Csv, e);
    let mut sample = vec![0u8; SAMPLE];
    let n = read_full(&mut r, &mut sample).map_err(fail)?;
    sample.truncate(n);
    r.seek(SeekFrom::Start(0)).map_err(fail)?;
    let enc = opts
        .encoding
        .unwrap_or_else(|| sniff_encoding(&sample, n < SAMPLE));
    let (text, _, _) = enc.encoding().decode(&sample);
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(FileError::Empty);
    }
    let delim = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(u8::try_from(delim).unwrap_or(b','))
        .has_headers(false)
        .flexible(true)
        .from_reader(Decode::new(r, enc));
    let mut header = None;
    let mut records = rdr.byte_records();
    for rec in records.by_ref() {
        let rec = rec.map_err(|e| FileError::unreadable(FileFormat::Csv, e))?;
        let Some(last) = rec
            .iter()
            .rposition(|c| !c.iter().all(u8::is_ascii_whitespace))
        else {
            continue;
        };
        // Named before a name is made: a line of millions of delimiters would otherwise
        // become millions of `Column N` names.
        if last >= MAX_COLUMNS {
            return Err(FileError::TooManyColumns);
        }
        header = Some(header_names(
            rec.iter()
                .take(last + 1)
                .map(|c| String::from_utf8_lossy(c).into_owned()),
        ));
        break;
    }
    let Some(header) = header else {
        return Err(FileError::Empty);
    };
    let width = header.len();
    let rows = rdr.into_byte_records().filter_map(move |rec| {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => return Some(Err(FileError::unreadable(FileFormat::Csv, e))),
        };
        let number = rec.position().map_or(0, |p| p.line());
        let mut problems = Vec::new();
        let mut cells: Vec<Raw> = Vec::with_capacity(width);
        let mut bad_bytes = false;
        // Cells past the header are only looked at, never kept: a line of millions of
        // delimiters stays one row of `width` cells.
        let mut last_extra = None;
        for (i, c) in rec.iter().enumerate() {
            if i >= width {
                if !String::from_utf8_lossy(c).trim().is_empty() {
                    last_extra = Some(i);
                }
                bad_bytes |= c.windows(3).any(|w| w == "\u{fffd}".as_bytes());
                continue;
            }
            let s = String::from_utf8_lossy(c);
            if s.contains('\u{fffd}') {
                bad_bytes = true;
            }
            // A CSV export of Cartera quotes text that starts like a formula: read it
            // back as it was.
            let s = crate::io::unguard(&s);
            cells.push(if s.trim().is_empty() {
                Raw::Empty
            } else if s.contains('\r') {
                // A line break inside a quoted field is one `\n`, whoever saved it.
                Raw::Text(s.replace("\r\n", "\n"))
            } else {
                Raw::Text(s.to_owned())
            });
        }
        if cells.iter().all(Raw::is_empty) && last_extra.is_none() {
            return None;
        }
        if bad_bytes {
            problems.push(RowProblem::Encoding(enc.as_str().to_owned()));
        }
        match last_extra {
            Some(last) => problems.push(RowProblem::Cells {
                cells: last + 1,
                columns: width,
            }),
            None => shape(&mut cells, width, &mut problems),
        }
        Some(Ok(RawRow {
            number,
            cells,
            problems,
        }))
    });
    Ok((header, Box::new(rows), enc, delim))
}

/// Fits a row to the header's width, saying what did not fit.
fn shape(cells: &mut Vec<Raw>, width: usize, problems: &mut Vec<RowProblem>) {
    if cells.len() > width {
        let extra = cells[width..].iter().filter(|c| !c.is_empty()).count();
        if extra > 0 {
            problems.push(RowProblem::Cells {
                cells: width
                    + cells[width..]
                        .iter()
                        .rposition(|c| !c.is_empty())
                        .map_or(0, |p| p + 1),
                columns: width,
            });
        }
        cells.truncate(width);
    } else if cells.len() < width {
        problems.push(RowProblem::Cells {
            cells: cells.len(),
            columns: width,
        });
        cells.resize(width, Raw::Empty);
    }
}

/// Refuses a ZIP whose declared unpacked size is out of proportion, before inflating it.
fn check_zip<R: Read + Seek>(r: &mut R, format: FileFormat) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(&mut *r).map_err(|e| FileError::unreadable(format, e))?;
    let mut unpacked: u64 = 0;
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| FileError::unreadable(format, e))?;
        let size = f.size();
        unpacked = unpacked.saturating_add(size);
        if size > 1024 * 1024 && size / f.compressed_size().max(1) > MAX_RATIO {
            return Err(FileError::Bomb {
                unpacked: size,
                limit: f.compressed_size().saturating_mul(MAX_RATIO),
            });
        }
    }
    if unpacked > MAX_UNPACKED {
        return Err(FileError::Bomb {
            unpacked,
            limit: MAX_UNPACKED,
        });
    }
    drop(zip);
    r.seek(SeekFrom::Start(0))
        .map_err(|e| FileError::unreadable(format, e))?;
    Ok(())
}

fn open_sheet<R: Read + Seek + Send + 'static>(
    mut r: R,
    format: FileFormat,
    opts: &ReadOptions,
) -> Result<(Vec<String>, Rows, String), FileError> {
    use calamine::Reader;
    let fail = |e: calamine::Error| FileError::unreadable(format, e);
    // The cells that hold something, by absolute (row, column). A range would be as
    // large as the span of its cells: two cells at A1 and XFD1048576 make seventeen
    // billion (a file of a few hundred bytes that aborted the process).
    let mut cells: Vec<(u32, u32, Raw)> = Vec::new();
    let mut keep = |row: u32, col: u32, value: Raw| {
        if value.is_empty() {
            return Ok(());
        }
        if cells.len() as u64 >= MAX_CELLS {
            return Err(FileError::TooManyCells);
        }
        cells.push((row, col, value));
        Ok(())
    };
    let sheet = match format {
        FileFormat::Xlsx => {
            check_zip(&mut r, format)?;
            let mut wb = calamine::Xlsx::new(r).map_err(|e| fail(e.into()))?;
            let sheet = pick_sheet(wb.sheet_names(), opts)?;
            // Cell by cell, never as a range.
            let mut reader = wb
                .worksheet_cells_reader(&sheet)
                .map_err(|e| fail(e.into()))?;
            while let Some(cell) = reader.next_cell().map_err(|e| fail(e.into()))? {
                let (row, col) = cell.get_position();
                keep(
                    row,
                    col,
                    raw(&calamine::Data::from(cell.get_value().clone())),
                )?;
            }
            sheet
        }
        FileFormat::Ods | FileFormat::Xls => {
            let (range, sheet) = if format == FileFormat::Ods {
                check_zip(&mut r, format)?;
                // calamine expands repeated rows and columns as it opens the file.
                check_ods_cells(&mut r)?;
                let mut wb = calamine::Ods::new(r).map_err(|e| fail(e.into()))?;
                let sheet = pick_sheet(wb.sheet_names(), opts)?;
                (
                    wb.worksheet_range(&sheet).map_err(|e| fail(e.into()))?,
                    sheet,
                )
            } else {
                // calamine opens every sheet as a range as it opens the file.
                check_xls_cells(&mut r)?;
                let mut wb = calamine::Xls::new(r).map_err(|e| fail(e.into()))?;
                let sheet = pick_sheet(wb.sheet_names(), opts)?;
                (
                    wb.worksheet_range(&sheet).map_err(|e| fail(e.into()))?,
                    sheet,
                )
            };
            let (row0, col0) = range.start().unwrap_or((0, 0));
            for (row, col, d) in range.used_cells() {
                let (row, col) = (u32::try_from(row), u32::try_from(col));
                if let (Ok(row), Ok(col)) = (row, col) {
                    keep(row0.saturating_add(row), col0.saturating_add(col), raw(d))?;
                }
            }
            sheet
        }
        FileFormat::Csv => {
            return Err(FileError::unreadable(format, "not a spreadsheet"));
        }
    };
    let (header, rows) = sheet_rows(cells)?;
    Ok((header, rows, sheet))
}

/// The header (the first row holding something) and the data rows of a sheet's cells.
/// Columns count from the leftmost cell used; a row's number is its spreadsheet row.
fn sheet_rows(mut cells: Vec<(u32, u32, Raw)>) -> Result<(Vec<String>, Rows), FileError> {
    // Stable: of a cell written twice, the last stays last.
    cells.sort_by_key(|(row, col, _)| (*row, *col));
    let Some(col0) = cells.iter().map(|(_, col, _)| *col).min() else {
        return Err(FileError::Empty);
    };
    let mut it = cells.into_iter().peekable();
    let Some(&(first, _, _)) = it.peek() else {
        return Err(FileError::Empty);
    };
    let mut named: Vec<(usize, String)> = Vec::new();
    while let Some((_, col, value)) = it.next_if(|(row, _, _)| *row == first) {
        let at = (col - col0) as usize;
        if at >= MAX_COLUMNS {
            return Err(FileError::TooManyColumns);
        }
        named.push((at, value.text()));
    }
    let mut names = vec![String::new(); named.last().map_or(0, |(at, _)| at + 1)];
    for (at, name) in named {
        names[at] = name;
    }
    let header = header_names(names.into_iter());
    let width = header.len();
    let rows = std::iter::from_fn(move || {
        let &(row, _, _) = it.peek()?;
        let mut cells = vec![Raw::Empty; width];
        let mut last_extra = None;
        while let Some((_, col, value)) = it.next_if(|(r, _, _)| *r == row) {
            let at = (col - col0) as usize;
            match cells.get_mut(at) {
                Some(cell) => *cell = value,
                None => last_extra = Some(at),
            }
        }
        let mut problems = Vec::new();
        if let Some(last) = last_extra {
            problems.push(RowProblem::Cells {
                cells: last + 1,
                columns: width,
            });
        }
        Some(Ok(RawRow {
            number: u64::from(row) + 1,
            cells,
            problems,
        }))
    });
    Ok((header, Box::new(rows)))
}

/// Refuses an XLS whose sheets span more than [`MAX_CELLS`] cells, before calamine opens
/// it: it reads each sheet into a range as large as the span of its cells, and a cell
/// record may name any row and column up to 65,535 (a file of a few kilobytes with two
/// cells far apart would take a hundred gigabytes). Reads the workbook stream's cell
/// records for their row and column only.
fn check_xls_cells<R: Read + Seek>(r: &mut R) -> Result<(), FileError> {
    let unreadable = |e: std::io::Error| FileError::unreadable(FileFormat::Xls, e);
    let u16_at = |d: &[u8], at: usize| {
        d.get(at..at + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
    };
    {
        let mut file = cfb::CompoundFile::open(&mut *r).map_err(unreadable)?;
        // Without a workbook stream calamine says what is wrong.
        let Some(name) = ["/Workbook", "/Book"]
            .into_iter()
            .find(|n| file.is_stream(n))
        else {
            drop(file);
            r.seek(SeekFrom::Start(0)).map_err(unreadable)?;
            return Ok(());
        };
        let mut stream = std::io::BufReader::new(file.open_stream(name).map_err(unreadable)?);
        // The span of the sheet being read (first row, last row, first column, last
        // column), and the cells of the sheets before it.
        let mut span: Option<(u32, u32, u32, u32)> = None;
        let mut done: u64 = 0;
        let area = |s: Option<(u32, u32, u32, u32)>| {
            s.map_or(0, |(r0, r1, c0, c1)| {
                u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
            })
        };
        let mut head = [0u8; 4];
        let mut data = Vec::new();
        while stream.read_exact(&mut head).is_ok() {
            let kind = u16::from_le_bytes([head[0], head[1]]);
            data.resize(usize::from(u16::from_le_bytes([head[2], head[3]])), 0);
            if stream.read_exact(&mut data).is_err() {
                break;
            }
            let (row, first, last) = match kind {
                // BOF: a sheet (or the workbook globals) begins.
                0x0809 => {
                    done = done.saturating_add(area(span.take()));
                    continue;
                }
                // Number, Label, RString, BoolErr, Rk, LabelSst, Formula.
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    let (Some(row), Some(col)) = (u16_at(&data, 0), u16_at(&data, 2)) else {
                        continue;
                    };
                    (row, col, col)
                }
                // MulRk: a row's run of columns, the last named at the end.
                0x00BD => {
                    let (Some(row), Some(first), Some(last)) = (
                        u16_at(&data, 0),
                        u16_at(&data, 2),
                        data.len().checked_sub(2).and_then(|at| u16_at(&data, at)),
                    ) else {
                        continue;
                    };
                    (row, first.min(last), first.max(last))
                }
                _ => continue,
            };
            span = Some(match span {
                None => (row, row, first, last),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(first), c1.max(last)),
            });
            if done.saturating_add(area(span)) > MAX_CELLS {
                return Err(FileError::TooManyCells);
            }
        }
    }
    r.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    Ok(())
}

/// Refuses an ODS whose repeated rows and columns expand past [`MAX_CELLS`], before
/// calamine expands them: `table:number-rows-repeated="1048576"` on a row of a hundred
/// cells is a few bytes and a hundred million cells. Counts what calamine keeps: each
/// row element up to its last cell holding something, then the block from the first
/// row holding something to the last, as wide as the widest such row.
fn check_ods_cells<R: Read + Seek>(r: &mut R) -> Result<(), FileError> {
    use quick_xml::events::{BytesStart, Event};
    const SHEET_ROWS: u64 = 1_048_576;
    const SHEET_COLUMNS: u64 = 16_384;
    let unreadable = |e: &dyn std::fmt::Display| FileError::unreadable(FileFormat::Ods, e);
    let repeats = |e: &BytesStart<'_>, name: &[u8]| -> u64 {
        e.attributes()
            .with_checks(false)
            .filter_map(Result::ok)
            .find(|a| a.key.local_name().as_ref() == name)
            .and_then(|a| {
                std::str::from_utf8(&a.value)
                    .ok()?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .unwrap_or(1)
    };
    let mut zip = zip::ZipArchive::new(&mut *r).map_err(|e| unreadable(&e))?;
    {
        // Without a content part calamine says what is wrong.
        let Ok(content) = zip.by_name("content.xml") else {
            drop(zip);
            r.seek(SeekFrom::Start(0)).map_err(|e| unreadable(&e))?;
            return Ok(());
        };
        let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
        let mut buf = Vec::new();
        // Cells kept while reading row elements, and the block of the table being read.
        let mut read: u64 = 0;
        let mut done: u64 = 0;
        let (mut span, mut pending, mut widest) = (0u64, 0u64, 0u64);
        // The row being read: its repeats, the columns so far, the last one used.
        let mut row: Option<u64> = None;
        let (mut col, mut extent) = (0u64, 0u64);
        loop {
            let ev = match xml.read_event_into(&mut buf) {
                Ok(Event::Eof) | Err(_) => break,
                Ok(ev) => ev,
            };
            match &ev {
                Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                    b"table" => {
                        done = done.saturating_add(span.saturating_mul(widest));
                        (span, pending, widest) = (0, 0, 0);
                    }
                    b"table-row" if matches!(ev, Event::Start(_)) => {
                        row = Some(repeats(e, b"number-rows-repeated").min(SHEET_ROWS));
                        (col, extent) = (0, 0);
                    }
                    b"table-cell" | b"covered-table-cell" if row.is_some() => {
                        let n = repeats(e, b"number-columns-repeated");
                        col = col.saturating_add(n).min(SHEET_COLUMNS);
                        let used = matches!(ev, Event::Start(_))
                            || e.attributes()
                                .with_checks(false)
                                .filter_map(Result::ok)
                                .any(|a| {
                                    matches!(
                                        a.key.local_name().as_ref(),
                                        b"value-type" | b"formula"
                                    )
                                });
                        if used {
                            extent = col;
                        }
                    }
                    _ => {}
                },
                Event::End(e) if e.local_name().as_ref() == b"table-row" => {
                    if let Some(rows) = row.take() {
                        read = read.saturating_add(extent);
                        if extent > 0 {
                            // The first row holding something opens the block.
                            span = if widest == 0 {
                                rows
                            } else {
                                span.saturating_add(pending).saturating_add(rows)
                            };
                            pending = 0;
                            widest = widest.max(extent);
                        } else if span > 0 {
                            pending = pending.saturating_add(rows);
                        }
                    }
                }
                _ => {}
            }
            let total = read
                .saturating_add(done)
                .saturating_add(span.saturating_mul(widest));
            if total > MAX_CELLS {
                return Err(FileError::TooManyCells);
            }
            buf.clear();
        }
    }
    drop(zip);
    r.seek(SeekFrom::Start(0)).map_err(|e| unreadable(&e))?;
    Ok(())
}

fn pick_sheet(names: Vec<String>, opts: &ReadOptions) -> Result<String, FileError> {
    match &opts.sheet {
        Some(want) => names
            .into_iter()
            .find(|n| n == want)
            .ok_or_else(|| FileError::NoSheet(want.clone())),
        None => names.into_iter().next().ok_or(FileError::Empty),
    }
}

fn raw(d: &calamine::Data) -> Raw {
    use calamine::Data;
    match d {
        Data::Empty => Raw::Empty,
        Data::String(s) => {
            if s.trim().is_empty() {
                Raw::Empty
            } else {
                Raw::Text(s.clone())
            }
        }
        Data::Int(i) => Raw::Number(i.to_string()),
        Data::Float(f) => Raw::Number(float_text(*f)),
        Data::Bool(b) => Raw::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => Raw::Date(t.date()),
            Some(t) => Raw::DateTime(t),
            None => Raw::Number(float_text(dt.as_f64())),
        },
        Data::DateTimeIso(s) => {
            if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Raw::Date(d)
            } else if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
                Raw::DateTime(t)
            } else {
                Raw::Text(s.clone())
            }
        }
        Data::DurationIso(s) => Raw::Text(s.clone()),
        Data::Error(e) => Raw::Text(format!("#{e:?}")),
    }
}

/// A float as the shortest decimal that reads back the same, never in exponent form.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

    /// A row's cells as text, and its problems.
    type Row = (Vec<String>, Vec<String>);

    /// The header and every row of a file.
    fn read_all(bytes: Vec<u8>, name: &str) -> (Vec<String>, Vec<Row>) {
        let t = open(Cursor::new(bytes), name, &ReadOptions::default()).unwrap();
        let header = t.header.clone();
        let rows = t
            .map(|r| {
                let r = r.unwrap();
                (
                    r.cells.iter().map(Raw::text).collect(),
                    r.problems.iter().map(ToString::to_string).collect(),
                )
            })
            .collect();
        (header, rows)
    }

    #[test]
    fn a_nul_in_a_cell_makes_its_row_bad_and_is_not_kept() {
        let csv = "Nombre,Ape\0llido\nAna,Gar\0cía\nEva,Díaz\n";
        let (header, rows) = read_all(csv.as_bytes().to_vec(), "x.csv");
        assert_eq!(header, ["Nombre", "Ape\u{FFFD}llido"]);
        assert_eq!(rows[0].0, ["Ana", "Gar\u{FFFD}cía"]);
        assert_eq!(
            rows[0].1,
            [
                "has a cell in column 'Ape\u{FFFD}llido' that holds a NUL character (\\u0000), which cannot be stored"
            ]
        );
        assert_eq!(rows[1], (vec!["Eva".to_owned(), "Díaz".to_owned()], vec![]));

        // A spreadsheet writes a NUL as `_x0000_`, which the reader turns back into one.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (col, (head, cell)) in [("Nombre", "Ana\0"), ("Apellido", "García")]
            .iter()
            .enumerate()
        {
            let col = u16::try_from(col).unwrap();
            sheet.write_string(0, col, *head).unwrap();
            sheet.write_string(1, col, *cell).unwrap();
        }
        let (_, rows) = read_all(book.save_to_buffer().unwrap(), "x.xlsx");
        assert_eq!(rows[0].0, ["Ana\u{FFFD}", "García"]);
        assert!(rows[0].1[0].contains("column 'Nombre'"), "{:?}", rows[0].1);
    }

    #[test]
    fn crlf_rows_are_numbered_as_their_lines() {
        let numbers = |csv: &str| -> Vec<u64> {
            open(
                Cursor::new(csv.as_bytes().to_vec()),
                "x.csv",
                &ReadOptions::default(),
            )
            .unwrap()
            .map(|r| r.unwrap().number)
            .collect()
        };
        let lf = "Nombre,Nota\nAna,uno\n\"Eva\",\"dos\nlíneas\"\nLuis,tres\n";
        assert_eq!(numbers(lf), [2, 3, 5]);
        assert_eq!(numbers(&lf.replace('\n', "\r\n")), [2, 3, 5]);
        let (_, rows) = read_all(lf.replace('\n', "\r\n").into_bytes(), "x.csv");
        assert_eq!(rows[1].0, ["Eva", "dos\nlíneas"]);
        // A `\r` and its `\n` split across two reads of the decoder.
        let mut out = b"a\r".to_vec();
        let mut held = false;
        crlf_to_lf(&mut out, &mut held, false);
        assert_eq!((out.as_slice(), held), (b"a".as_slice(), true));
        let mut next = b"\nb\r".to_vec();
        crlf_to_lf(&mut next, &mut held, true);
        assert_eq!((next.as_slice(), held), (b"\nb\r".as_slice(), false));
    }
}

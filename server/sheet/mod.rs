//! Tables people upload: a CSV file (UTF-8, comma or semicolon) or the first sheet of an XLSX
//! workbook, read into rows of text with the line number a person sees in their spreadsheet.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Why an upload could not be read as a table.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("the file is empty")]
    Empty,
    #[error("the XLSX file could not be read ({0}): save it again from Excel, or as CSV UTF-8")]
    Xlsx(String),
    #[error("the CSV file could not be read at line {line}: {reason}")]
    Csv { line: u64, reason: String },
}

/// One row of the table, with its line (spreadsheet row) number, cells trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Reads `data` as XLSX when it is a ZIP archive, else as CSV. Blank rows are dropped.
pub fn read_table(data: &[u8]) -> Result<Vec<SheetRow>, SheetError> {
    let rows = if data.starts_with(b"PK\x03\x04") {
        read_xlsx(data)?
    } else {
        read_csv(data)?
    };
    let rows: Vec<SheetRow> = rows
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()))
        .collect();
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    Ok(rows)
}

fn read_csv(data: &[u8]) -> Result<Vec<SheetRow>, SheetError> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    // Excel in a Vietnamese locale saves "CSV" with semicolons.
    let first_line = data.split(|&b| b == b'\n').next().unwrap_or_default();
    let semicolons = first_line.iter().filter(|&&b| b == b';').count();
    let commas = first_line.iter().filter(|&&b| b == b',').count();
    let delimiter = if semicolons > commas { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(data);
    let mut rows = Vec::new();
    let mut lines = Lines::new(data);
    for record in reader.records() {
        let record = record.map_err(|e| SheetError::Csv {
            line: lines.at(e.position().map_or(0, |p| p.byte() as usize)),
            reason: match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "not UTF-8 text (save it as CSV UTF-8)".into(),
                _ => e.to_string(),
            },
        })?;
        // The csv crate does not count blank lines; a spreadsheet does.
        let start = record.position().map_or(0, |p| p.byte() as usize);
        rows.push(SheetRow {
            line: lines.at(start),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(rows)
}

/// Line numbers of byte offsets in a text read front to back, as a spreadsheet counts them
/// (blank lines included, CRLF or LF). Each offset asked for is at or after the previous one, so
/// a whole file costs one pass.
pub struct Lines<'a> {
    data: &'a [u8],
    /// Where counting stopped, and the newlines before it.
    offset: usize,
    newlines: u64,
}

impl<'a> Lines<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Lines {
            data,
            offset: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the first character at or after `offset` (the csv crate places a
    /// record at the blank lines it skipped before it).
    pub fn at(&mut self, offset: usize) -> u64 {
        let mut start = offset.min(self.data.len());
        while matches!(self.data.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        if start < self.offset {
            // Asked out of order: count again from the beginning.
            self.offset = 0;
            self.newlines = 0;
        }
        self.newlines += self.data[self.offset..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = start;
        self.newlines + 1
    }
}

fn read_xlsx(data: &[u8]) -> Result<Vec<SheetRow>, SheetError> {
    let mut book = Xlsx::new(Cursor::new(data)).map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| SheetError::Xlsx("it has no sheet".into()))?
        .map_err(|e| SheetError::Xlsx(e.to_string()))?;
    let first = range.start().map_or(0, |(row, _)| u64::from(row));
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| SheetRow {
            line: first + i as u64 + 1,
            cells: cells.iter().map(cell_text).collect(),
        })
        .collect())
}

/// A cell as the person typed it: whole numbers without ".0" (a phone number typed as a
/// number loses its leading 0, which the phone check puts back).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_and_a_bom_reads_with_line_numbers() {
        let rows = read_table("\u{feff}Họ và tên;Số điện thoại\n\nAn ; 0912345678\n".as_bytes())
            .expect("table");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells, ["Họ và tên", "Số điện thoại"]);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].cells, ["An", "0912345678"]);
    }

    #[test]
    fn xlsx_cells_read_as_typed() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Họ và tên").expect("write");
        sheet.write_string(1, 0, "Đỗ Thị Hằng").expect("write");
        sheet.write_number(1, 1, 912_345_678.0).expect("write");
        let bytes = book.save_to_buffer().expect("xlsx");
        let rows = read_table(&bytes).expect("table");
        assert_eq!(rows[1].line, 2);
        assert_eq!(rows[1].cells, ["Đỗ Thị Hằng", "912345678"]);
    }

    #[test]
    fn unreadable_uploads_say_why() {
        assert!(matches!(read_table(b"\n ,\n"), Err(SheetError::Empty)));
        assert!(matches!(
            read_table(b"PK\x03\x04junk"),
            Err(SheetError::Xlsx(_))
        ));
        assert!(matches!(
            read_table(b"a,b\n\xff\xfe,x\n"),
            Err(SheetError::Csv { .. })
        ));
    }
}

//! The raw-data export for a commune's own staff: every household and person of a commune or
//! village with every field of every survey version, as XLSX (two sheets) or CSV (one sheet).
//! Person-level data: district and province officials get figures, not names (the administrator,
//! who runs the server, is not refused), and every download is written to the access log.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::privacy::{record_read, Read};
use crate::store::Store;
use crate::survey::export::{tables, Cell, Table};
use crate::survey::versions;

/// Which sheet a CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sheet {
    Households,
    Persons,
}

impl Sheet {
    /// `households` or `persons` (the default).
    pub fn parse(name: Option<&str>) -> Result<Sheet> {
        match name {
            None | Some("persons") => Ok(Sheet::Persons),
            Some("households") => Ok(Sheet::Households),
            Some(other) => Err(Error::bad_request(format!(
                "sheet '{other}' is not one of: households, persons"
            ))),
        }
    }
}

/// The raw data of one commune or village: its tables, once the caller is allowed and the read
/// is logged.
async fn load(store: &Store, who: &Principal, code: &str) -> Result<[Table; 2]> {
    if !matches!(who.role, Role::TeamLead | Role::Commune | Role::Admin) {
        return Err(Error::forbidden(
            "the raw data (names, ID numbers, answers) stays with the commune's own staff: \
             a commune officer or team lead downloads it; officials above use the indicator reports",
        ));
    }
    let unit = store
        .unit(code)
        .await?
        .filter(|u| who.covers(&u.path))
        .ok_or_else(|| Error::not_found(format!("unit {code} not found (or not in your area)")))?;
    if !matches!(unit.level.as_str(), "commune" | "village") {
        return Err(Error::bad_request(format!(
            "{} is a {}: raw data is downloaded per commune or village",
            unit.name, unit.level
        )));
    }
    let definition = versions::current(store).await?;
    let data = store.raw_households(&unit.path).await?;
    record_read(
        store,
        who,
        Read::RawData,
        &unit.code,
        &unit.path,
        "raw data export",
    )
    .await?;
    Ok(tables(&definition, &data))
}

/// Both sheets as an Excel workbook.
pub async fn xlsx(store: &Store, who: &Principal, code: &str) -> Result<Vec<u8>> {
    let sheets = load(store, who, code).await?;
    workbook(&sheets).map_err(|e| Error::Internal(format!("writing XLSX: {e}")))
}

/// One sheet as CSV (UTF-8 with a byte-order mark, so Excel reads the Vietnamese).
pub async fn csv(store: &Store, who: &Principal, code: &str, sheet: Sheet) -> Result<Vec<u8>> {
    let [households, persons] = load(store, who, code).await?;
    let table = if sheet == Sheet::Households {
        households
    } else {
        persons
    };
    let mut out = csv::Writer::from_writer("\u{feff}".as_bytes().to_vec());
    let write = |out: &mut csv::Writer<Vec<u8>>| -> std::result::Result<(), csv::Error> {
        out.write_record(&table.headings)?;
        for row in &table.rows {
            out.write_record(row.iter().map(|c| match c {
                Cell::Empty => String::new(),
                Cell::Number(n) => n.to_string(),
                Cell::Text(t) => t.clone(),
            }))?;
        }
        Ok(())
    };
    write(&mut out).map_err(|e| Error::Internal(format!("writing CSV: {e}")))?;
    out.into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

fn workbook(sheets: &[Table; 2]) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let head = Format::new().set_bold();
    for table in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(table.name)?;
        for (c, h) in table.headings.iter().enumerate() {
            let col = u16::try_from(c).unwrap_or(u16::MAX);
            sheet.write_string_with_format(0, col, h, &head)?;
            sheet.set_column_width(col, 18)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, cell) in row.iter().enumerate() {
                let col = u16::try_from(c).unwrap_or(u16::MAX);
                match cell {
                    Cell::Empty => {}
                    Cell::Number(n) => {
                        sheet.write_number(r, col, *n as f64)?;
                    }
                    // Written as strings, never formulas, whatever they start with.
                    Cell::Text(t) => {
                        sheet.write_string(r, col, t)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}

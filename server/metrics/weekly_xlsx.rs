//! The commune's weekly progress workbook (`weekly.xlsx`): villages, members, and the
//! indicators against targets.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::metrics::progress::Progress;
use crate::metrics::table::{IndicatorTable, UnitIndicators};
use crate::store::IndicatorRow;

/// The commune's weekly progress report: villages, enumerators, and the indicators against targets.
pub fn xlsx(
    table: &IndicatorTable,
    progress: &Progress,
    catalogue: &[IndicatorRow],
) -> Result<Vec<u8>> {
    build_weekly(table, progress, catalogue)
        .map_err(|e| Error::Internal(format!("writing XLSX: {e}")))
}

fn build_weekly(
    table: &IndicatorTable,
    progress: &Progress,
    catalogue: &[IndicatorRow],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin);
    let pct = Format::new()
        .set_num_format("0.0%")
        .set_border(FormatBorder::Thin);
    let bold = Format::new().set_bold();

    let sheet = book.add_worksheet();
    sheet.set_name("Tiến độ")?;
    sheet.write_string_with_format(
        0,
        0,
        format!("BÁO CÁO TIẾN ĐỘ KHẢO SÁT HẰNG TUẦN – {}", table.unit.name),
        &bold,
    )?;
    let headers = [
        "Thôn/bản/tổ dân phố",
        "Số hộ",
        "Số hộ đã đến",
        "Tỷ lệ",
        "Số người đã khảo sát",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *h, &head)?;
    }
    sheet.set_column_width(0, 30)?;
    let rows: Vec<&UnitIndicators> = if table.children.is_empty() {
        vec![&table.unit]
    } else {
        table
            .children
            .iter()
            .chain(std::iter::once(&table.unit))
            .collect()
    };
    for (i, u) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string_with_format(r, 0, &u.name, &cell)?;
        sheet.write_number_with_format(r, 1, u.households_known as f64, &cell)?;
        sheet.write_number_with_format(r, 2, u.households_visited as f64, &cell)?;
        if u.households_known > 0 {
            sheet.write_number_with_format(
                r,
                3,
                u.households_visited as f64 / u.households_known as f64,
                &pct,
            )?;
        } else {
            sheet.write_string_with_format(r, 3, "–", &cell)?;
        }
        sheet.write_number_with_format(r, 4, u.persons_surveyed as f64, &cell)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name("Thành viên")?;
    for (c, h) in ["Thành viên tổ CNS", "Số hộ đã đến", "Lần đến gần nhất"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
    }
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(2, 24)?;
    for (i, e) in progress.by_enumerator.iter().enumerate() {
        let r = 1 + i as u32;
        sheet.write_string_with_format(r, 0, &e.display_name, &cell)?;
        sheet.write_number_with_format(r, 1, e.households_visited as f64, &cell)?;
        sheet.write_string_with_format(r, 2, e.last_visit.as_deref().unwrap_or("–"), &cell)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name("Chỉ tiêu")?;
    for (c, h) in ["STT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Đạt"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, c as u16, *h, &head)?;
    }
    sheet.set_column_width(1, 60)?;
    for (i, ind) in catalogue.iter().enumerate() {
        let r = 1 + i as u32;
        let v = &table.unit.indicators[i];
        sheet.write_number_with_format(r, 0, ind.id as f64, &cell)?;
        sheet.write_string_with_format(r, 1, &ind.name_vi, &cell)?;
        sheet.write_number_with_format(r, 2, v.target, &pct)?;
        match v.rate {
            Some(rate) => sheet.write_number_with_format(r, 3, rate, &pct)?,
            None => sheet.write_string_with_format(r, 3, "–", &cell)?,
        };
        let met = match v.met {
            Some(true) => "Đạt",
            Some(false) => "Chưa đạt",
            None => "–",
        };
        sheet.write_string_with_format(r, 4, met, &cell)?;
    }
    book.save_to_buffer()
}

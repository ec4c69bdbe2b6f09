//! The province-style report: rows the indicators, columns the units × before/after, each cell
//! coloured against its target; as XLSX and as CSV (numbers in the vi-VN format).

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::metrics::progress::Progress;
use crate::metrics::table::{IndicatorTable, IndicatorValue, UnitIndicators};
use crate::store::IndicatorRow;

/// The unit columns of the report: each child, then the unit itself as the total.
fn columns(table: &IndicatorTable) -> Vec<&UnitIndicators> {
    table
        .children
        .iter()
        .chain(std::iter::once(&table.unit))
        .collect()
}

/// A rate as vi-VN percent text: 80,5%.
pub fn vi_percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1}%", r * 100.0).replace('.', ","),
        None => "–".to_string(),
    }
}

/// The title and the line under it: which campaign (its targets apply), as of when, and the
/// day the "Trước" columns are from, so a file read on its own says what it compares.
fn title(table: &IndicatorTable) -> (String, String) {
    let campaign = table.campaign.as_ref().map_or_else(
        || "chưa có".to_string(),
        |c| format!("{} (mã {})", c.name, c.id),
    );
    let when = table.as_of.clone().unwrap_or_else(|| "hiện tại".into());
    let before = table.baseline.clone().unwrap_or_else(|| "chưa chọn".into());
    (
        format!(
            "KẾT QUẢ THỰC HIỆN MÔ HÌNH \"3 KHÔNG\" – {}",
            table.unit.name
        ),
        format!("Chiến dịch: {campaign}; số liệu đến: {when}; trước (mốc so sánh): {before}"),
    )
}

/// The text of the "after" cell: the rate, or a commune's declared status as the province's
/// table writes it.
fn after_text(v: &IndicatorValue) -> String {
    match (v.rate, v.status) {
        (None, Some(status)) => status.label_vi().to_string(),
        (rate, _) => vi_percent(rate),
    }
}

/// (rate, met) of a cell: before (baseline) or after.
fn cell(v: &IndicatorValue, before: bool) -> Option<(Option<f64>, Option<bool>)> {
    if before {
        v.baseline.as_ref().map(|b| (b.rate, b.met))
    } else {
        Some((v.rate, v.met))
    }
}

pub fn csv(table: &IndicatorTable, catalogue: &[IndicatorRow]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let (t1, t2) = title(table);
    let cols = columns(table);
    let width = 3 + cols.len() * 2;
    let pad = |first: &str| {
        let mut row = vec![first.to_string()];
        row.resize(width, String::new());
        row
    };
    let err = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    w.write_record(pad(&t1)).map_err(err)?;
    w.write_record(pad(&t2)).map_err(err)?;
    let mut header = vec!["STT".to_string(), "Chỉ tiêu".into(), "Mục tiêu".into()];
    for u in &cols {
        header.push(format!("{} – Trước", u.name));
        header.push(format!("{} – Sau", u.name));
    }
    w.write_record(&header).map_err(err)?;
    for (i, ind) in catalogue.iter().enumerate() {
        let mut row = vec![
            ind.id.to_string(),
            ind.name_vi.clone(),
            vi_percent(Some(table.unit.indicators[i].target)),
        ];
        for u in &cols {
            let v = &u.indicators[i];
            row.push(vi_percent(cell(v, true).and_then(|(rate, _)| rate)));
            row.push(after_text(v));
        }
        w.write_record(&row).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

pub fn xlsx(table: &IndicatorTable, catalogue: &[IndicatorRow]) -> Result<Vec<u8>> {
    build_xlsx(table, catalogue).map_err(|e| Error::Internal(format!("writing XLSX: {e}")))
}

fn build_xlsx(
    table: &IndicatorTable,
    catalogue: &[IndicatorRow],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("3 KHÔNG")?;
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xDDEBF7));
    let text = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let pct = Format::new()
        .set_num_format("0.0%")
        .set_border(FormatBorder::Thin);
    let met = pct
        .clone()
        .set_background_color(Color::RGB(0xC6EFCE))
        .set_font_color(Color::RGB(0x006100));
    let unmet = pct
        .clone()
        .set_background_color(Color::RGB(0xFFC7CE))
        .set_font_color(Color::RGB(0x9C0006));
    let (t1, t2) = title(table);
    sheet.write_string_with_format(0, 0, &t1, &bold)?;
    sheet.write_string(1, 0, &t2)?;
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 10)?;
    for (col, label) in [(0u16, "STT"), (1, "Chỉ tiêu"), (2, "Mục tiêu")] {
        sheet.merge_range(3, col, 4, col, label, &head)?;
    }
    let cols = columns(table);
    for (i, u) in cols.iter().enumerate() {
        let c = 3 + (i as u16) * 2;
        sheet.merge_range(3, c, 3, c + 1, &u.name, &head)?;
        sheet.write_string_with_format(4, c, "Trước", &head)?;
        sheet.write_string_with_format(4, c + 1, "Sau", &head)?;
        sheet.set_column_width(c, 11)?;
        sheet.set_column_width(c + 1, 11)?;
    }
    for (i, ind) in catalogue.iter().enumerate() {
        let r = 5 + i as u32;
        sheet.write_number_with_format(r, 0, ind.id as f64, &text)?;
        sheet.write_string_with_format(r, 1, &ind.name_vi, &text)?;
        sheet.write_number_with_format(r, 2, table.unit.indicators[i].target, &pct)?;
        for (j, u) in cols.iter().enumerate() {
            let c = 3 + (j as u16) * 2;
            for (offset, v) in [
                (0u16, cell(&u.indicators[i], true)),
                (1, cell(&u.indicators[i], false)),
            ] {
                match v.and_then(|(rate, met)| rate.map(|r| (r, met))) {
                    Some((rate, m)) => {
                        let f = match m {
                            Some(true) => &met,
                            Some(false) => &unmet,
                            None => &pct,
                        };
                        sheet.write_number_with_format(r, c + offset, rate, f)?;
                    }
                    None => {
                        let v = &u.indicators[i];
                        match (offset, v.status) {
                            // A declared status: its text, coloured as not met.
                            (1, Some(_)) => {
                                let unmet_text = text
                                    .clone()
                                    .set_background_color(Color::RGB(0xFFC7CE))
                                    .set_font_color(Color::RGB(0x9C0006));
                                sheet.write_string_with_format(
                                    r,
                                    c + offset,
                                    after_text(v),
                                    &unmet_text,
                                )?
                            }
                            _ => sheet.write_string_with_format(r, c + offset, "–", &text)?,
                        };
                    }
                }
            }
        }
    }
    sheet.set_freeze_panes(5, 3)?;
    book.save_to_buffer()
}

/// The commune's weekly progress report: villages, enumerators, and the indicators against targets.
pub fn weekly_xlsx(
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

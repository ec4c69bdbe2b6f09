//! The province's table ("BẢNG TỔNG HỢP SỐ LIỆU"): the indicators under the slide's two section
//! rows, each with its official name and its target as the plans write it ("80% trở lên"), then
//! per unit "Trước" and "Sau", coloured against the target; as XLSX and as CSV (where a third
//! column per unit says "Đạt"/"Chưa đạt", since a CSV has no colour). Rates keep up to two
//! decimals, as the province writes them (84,76%).

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Note, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::metrics::percent::{percent_format, percent_text};
use crate::metrics::table::{IndicatorTable, IndicatorValue, UnitIndicators};
use crate::metrics::targets::target_text;
use crate::store::IndicatorRow;

/// The slide's section rows, in order: the catalogue's `section` and its title.
const SECTIONS: [(&str, &str); 2] = [
    ("government", "ĐỐI VỚI CHÍNH QUYỀN SỐ"),
    ("people", "ĐỐI VỚI NGƯỜI DÂN, DOANH NGHIỆP"),
];

/// The unit columns of the report: each compared unit, then the unit itself as the total.
fn columns(table: &IndicatorTable) -> Vec<&UnitIndicators> {
    table
        .children
        .iter()
        .chain(std::iter::once(&table.unit))
        .collect()
}

/// A column's heading: its name, or "district (commune)" as the province's table writes a
/// commune compared across districts.
fn heading(table: &IndicatorTable, u: &UnitIndicators) -> String {
    let direct = u.code == table.unit.code || u.parent_code.as_deref() == Some(&table.unit.code);
    match (&u.parent_name, direct) {
        (Some(parent), false) => format!("{parent} ({})", u.name),
        _ => u.name.clone(),
    }
}

/// The rows: a section title, or an indicator with its position in the catalogue.
enum Row<'a> {
    Section(&'static str),
    Indicator(usize, &'a IndicatorRow),
}

fn rows(catalogue: &[IndicatorRow]) -> Vec<Row<'_>> {
    let mut out = Vec::new();
    for (section, title) in SECTIONS {
        let members: Vec<_> = catalogue
            .iter()
            .enumerate()
            .filter(|(_, ind)| ind.section == section)
            .collect();
        if !members.is_empty() {
            out.push(Row::Section(title));
            out.extend(members.into_iter().map(|(i, ind)| Row::Indicator(i, ind)));
        }
    }
    // An indicator of a section this table does not know still gets its row.
    out.extend(
        catalogue
            .iter()
            .enumerate()
            .filter(|(_, ind)| SECTIONS.iter().all(|(s, _)| *s != ind.section))
            .map(|(i, ind)| Row::Indicator(i, ind)),
    );
    out
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
    match (v.rate, v.status, v.eligible) {
        (None, Some(status), _) => status.label_vi().to_string(),
        // An indicator added by rule says how many were asked its question.
        (rate, _, Some(eligible)) => format!(
            "{} (đã hỏi {}/{})",
            percent_text(rate),
            v.denominator,
            eligible
        ),
        (rate, _, None) => percent_text(rate),
    }
}

fn met_text(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "Đạt",
        Some(false) => "Chưa đạt",
        None => "",
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
    let width = 3 + cols.len() * 3;
    let pad = |first: &str, second: &str| {
        let mut row = vec![first.to_string(), second.to_string()];
        row.resize(width, String::new());
        row
    };
    let err = |e: csv::Error| Error::Internal(format!("writing CSV: {e}"));
    w.write_record(pad(&t1, "")).map_err(err)?;
    w.write_record(pad(&t2, "")).map_err(err)?;
    let mut header = vec![
        "STT".to_string(),
        "Nội dung chỉ tiêu".into(),
        "Chỉ tiêu".into(),
    ];
    for u in &cols {
        let name = heading(table, u);
        header.push(format!("{name} – Trước"));
        header.push(format!("{name} – Sau"));
        header.push(format!("{name} – Đạt/Chưa đạt"));
    }
    w.write_record(&header).map_err(err)?;
    for row in rows(catalogue) {
        let (i, ind) = match row {
            Row::Section(title) => {
                w.write_record(pad("", title)).map_err(err)?;
                continue;
            }
            Row::Indicator(i, ind) => (i, ind),
        };
        let mut line = vec![
            ind.id.to_string(),
            ind.name_vi.clone(),
            target_text(table.unit.indicators[i].target),
        ];
        for u in &cols {
            let v = &u.indicators[i];
            line.push(percent_text(cell(v, true).and_then(|(rate, _)| rate)));
            line.push(after_text(v));
            line.push(met_text(v.met).to_string());
        }
        w.write_record(&line).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| Error::Internal(format!("writing CSV: {e}")))
}

pub fn xlsx(table: &IndicatorTable, catalogue: &[IndicatorRow]) -> Result<Vec<u8>> {
    build_xlsx(table, catalogue).map_err(|e| Error::Internal(format!("writing XLSX: {e}")))
}

/// Cell formats: borders everywhere, green for met, red for not met.
struct Formats {
    text: Format,
    section: Format,
    met: Format,
    unmet: Format,
}

impl Formats {
    fn new() -> Formats {
        let text = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
        Formats {
            section: text
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2)),
            met: text
                .clone()
                .set_background_color(Color::RGB(0xC6EFCE))
                .set_font_color(Color::RGB(0x006100)),
            unmet: text
                .clone()
                .set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006)),
            text,
        }
    }

    fn coloured(&self, met: Option<bool>) -> &Format {
        match met {
            Some(true) => &self.met,
            Some(false) => &self.unmet,
            None => &self.text,
        }
    }
}

fn build_xlsx(
    table: &IndicatorTable,
    catalogue: &[IndicatorRow],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("3 KHÔNG")?;
    let f = Formats::new();
    let head = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xDDEBF7));
    let (t1, t2) = title(table);
    sheet.write_string_with_format(0, 0, &t1, &Format::new().set_bold())?;
    sheet.write_string(1, 0, &t2)?;
    sheet.set_column_width(0, 5)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 13)?;
    for (col, label) in [(0u16, "STT"), (1, "Nội dung chỉ tiêu"), (2, "Chỉ tiêu")] {
        sheet.merge_range(3, col, 4, col, label, &head)?;
    }
    let cols = columns(table);
    let last = 2 + (cols.len() as u16) * 2;
    for (i, u) in cols.iter().enumerate() {
        let c = 3 + (i as u16) * 2;
        sheet.merge_range(3, c, 3, c + 1, &heading(table, u), &head)?;
        sheet.write_string_with_format(4, c, "Trước", &head)?;
        sheet.write_string_with_format(4, c + 1, "Sau", &head)?;
        sheet.set_column_width(c, 11)?;
        sheet.set_column_width(c + 1, 11)?;
    }
    for (n, row) in rows(catalogue).into_iter().enumerate() {
        let r = 5 + n as u32;
        let (i, ind) = match row {
            Row::Section(title) => {
                sheet.merge_range(r, 0, r, last, title, &f.section)?;
                continue;
            }
            Row::Indicator(i, ind) => (i, ind),
        };
        sheet.write_number_with_format(r, 0, ind.id as f64, &f.text)?;
        sheet.write_string_with_format(r, 1, &ind.name_vi, &f.text)?;
        let target = target_text(table.unit.indicators[i].target);
        sheet.write_string_with_format(r, 2, &target, &f.text)?;
        for (j, u) in cols.iter().enumerate() {
            let c = 3 + (j as u16) * 2;
            let v = &u.indicators[i];
            for (offset, value) in [(0u16, cell(v, true)), (1, cell(v, false))] {
                let col = c + offset;
                match value {
                    Some((Some(rate), met)) => {
                        let format = f.coloured(met).clone().set_num_format(percent_format(rate));
                        sheet.write_number_with_format(r, col, rate, &format)?;
                        if let (1, Some(eligible)) = (offset, v.eligible) {
                            // An indicator added by rule: how many were asked its question.
                            let asked = format!("Đã hỏi {}/{}", v.denominator, eligible);
                            sheet.insert_note(r, col, &Note::new(asked).set_author("Khảo Sát"))?;
                        }
                    }
                    // A declared status: its text, coloured as not met.
                    _ if offset == 1 && v.status.is_some() => {
                        sheet.write_string_with_format(r, col, after_text(v), &f.unmet)?;
                    }
                    _ => {
                        sheet.write_string_with_format(r, col, "–", &f.text)?;
                    }
                }
            }
        }
    }
    sheet.set_freeze_panes(5, 3)?;
    book.save_to_buffer()
}

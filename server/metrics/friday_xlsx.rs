//! The Friday report as an XLSX file for the district: what was submitted (or the draft), with
//! the commune's name, the week, the indicators now / last week / at the baseline, the week's
//! work by village and member, and signature lines.

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::metrics::friday::WeeklyReport;
use crate::store::IndicatorRow;
use crate::survey::schema::helped_label;

pub fn friday_xlsx(report: &WeeklyReport, catalogue: &[IndicatorRow]) -> Result<Vec<u8>> {
    build(report, catalogue).map_err(|e| Error::Internal(format!("writing XLSX: {e}")))
}

/// Writes a row of cells with one format.
fn row(
    sheet: &mut Worksheet,
    r: u32,
    cells: &[Value],
    format: &Format,
) -> std::result::Result<(), XlsxError> {
    for (c, v) in cells.iter().enumerate() {
        let c = c as u16;
        match v {
            Value::Number(n) => {
                sheet.write_number_with_format(r, c, n.as_f64().unwrap_or(0.0), format)?
            }
            Value::String(s) => sheet.write_string_with_format(r, c, s, format)?,
            _ => sheet.write_string_with_format(r, c, "–", format)?,
        };
    }
    Ok(())
}

fn build(
    weekly: &WeeklyReport,
    catalogue: &[IndicatorRow],
) -> std::result::Result<Vec<u8>, XlsxError> {
    let rep = &weekly.report;
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xDDEBF7));
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let pct = Format::new()
        .set_num_format("0.0%")
        .set_border(FormatBorder::Thin);
    let text = |v: &Value| v.as_str().unwrap_or("–").to_string();

    let sheet = book.add_worksheet();
    sheet.set_name("Báo cáo tuần")?;
    sheet.set_column_width(0, 6)?;
    sheet.set_column_width(1, 56)?;
    for c in 2..7 {
        sheet.set_column_width(c, 13)?;
    }
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "BÁO CÁO TIẾN ĐỘ THỰC HIỆN MÔ HÌNH \"3 KHÔNG\" – {}",
            text(&rep["commune_name"])
        ),
        &bold,
    )?;
    let status = match (weekly.status.as_str(), &weekly.submitted_at) {
        ("submitted", Some(at)) => format!(
            "Đã gửi lúc {at} bởi {}{}",
            weekly.submitted_by_name.as_deref().unwrap_or("–"),
            match weekly.timeliness {
                Some(crate::metrics::deadline::Timeliness::Late) => " (quá hạn)",
                _ => " (đúng hạn)",
            }
        ),
        _ => "Bản nháp, chưa gửi".to_string(),
    };
    sheet.write_string(
        1,
        0,
        format!(
            "Tuần từ {} – số liệu đến hết ngày {} (so với {}); hạn gửi {}. {status}",
            weekly.week,
            text(&rep["report_day"]),
            text(&rep["previous_report_day"]),
            weekly.deadline
        ),
    )?;
    let mut r = 3;
    for (label, key) in [
        ("Số hộ đã đến trong tuần", "households_visited_this_week"),
        (
            "Số người đã khảo sát trong tuần",
            "persons_surveyed_this_week",
        ),
        ("Số hộ đã đến (lũy kế)", "households_visited"),
        ("Số người đã khảo sát (lũy kế)", "persons_surveyed"),
        (
            "Trường hợp chỉnh sửa trùng nhau chưa xử lý",
            "open_conflicts",
        ),
        ("Hồ sơ yêu cầu sửa chưa xong", "open_send_backs"),
    ] {
        row(
            sheet,
            r,
            &[Value::Null, label.into(), rep[key].clone()],
            &cell,
        )?;
        r += 1;
    }
    if let Some(helped) = rep["helped_this_week"].as_object() {
        for (kind, n) in helped {
            let label = format!("Hỗ trợ trong tuần: {}", helped_label(kind));
            row(sheet, r, &[Value::Null, label.into(), n.clone()], &cell)?;
            r += 1;
        }
    }
    r += 1;
    row(
        sheet,
        r,
        &[
            "STT",
            "Chỉ tiêu",
            "Mục tiêu",
            "Tuần này",
            "Tuần trước",
            "Trước (mốc)",
            "Đạt",
        ]
        .map(Value::from),
        &head,
    )?;
    for ind in rep["indicators"].as_array().into_iter().flatten() {
        r += 1;
        let id = ind["id"].as_i64().unwrap_or(0);
        let name = catalogue
            .iter()
            .find(|c| c.id == id)
            .map_or(String::new(), |c| c.name_vi.clone());
        row(sheet, r, &[id.into(), name.into()], &cell)?;
        for (c, key) in [
            (2u16, "target"),
            (3, "rate"),
            (4, "last_week_rate"),
            (5, "baseline_rate"),
        ] {
            match ind[key].as_f64() {
                Some(v) => sheet.write_number_with_format(r, c, v, &pct)?,
                None => sheet.write_string_with_format(r, c, "–", &cell)?,
            };
        }
        let met = match ind["met"].as_bool() {
            Some(true) => "Đạt",
            Some(false) => "Chưa đạt",
            None => "–",
        };
        sheet.write_string_with_format(r, 6, met, &cell)?;
    }
    r += 3;
    sheet.write_string_with_format(r, 1, "NGƯỜI LẬP BIỂU", &bold)?;
    sheet.write_string_with_format(r, 4, "TM. ỦY BAN NHÂN DÂN XÃ", &bold)?;
    sheet.write_string(r + 1, 1, "(Ký, ghi rõ họ tên)")?;
    sheet.write_string(r + 1, 4, "(Ký tên, đóng dấu)")?;

    let sheet = book.add_worksheet();
    sheet.set_name("Theo thôn")?;
    sheet.set_column_width(0, 26)?;
    row(
        sheet,
        0,
        &[
            "Thôn",
            "Số hộ",
            "Đã đến (lũy kế)",
            "Đã đến trong tuần",
            "Người đã khảo sát",
        ]
        .map(Value::from),
        &head,
    )?;
    for (i, v) in rep["villages"].as_array().into_iter().flatten().enumerate() {
        let cells = [
            "name",
            "households_known",
            "households_visited",
            "visited_this_week",
            "persons_surveyed",
        ]
        .map(|k| v[k].clone());
        row(sheet, 1 + i as u32, &cells, &cell)?;
    }

    let sheet = book.add_worksheet();
    sheet.set_name("Theo thành viên")?;
    sheet.set_column_width(0, 28)?;
    row(
        sheet,
        0,
        &["Thành viên tổ CNS", "Đã đến (lũy kế)", "Đã đến trong tuần"].map(Value::from),
        &head,
    )?;
    for (i, m) in rep["members"].as_array().into_iter().flatten().enumerate() {
        let cells =
            ["display_name", "households_visited", "visited_this_week"].map(|k| m[k].clone());
        row(sheet, 1 + i as u32, &cells, &cell)?;
    }
    book.save_to_buffer()
}

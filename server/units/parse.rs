//! Parsing and checking a units CSV (`code,name,level,parent_code`) before anything is stored.

use std::collections::HashMap;

use crate::fold::fold;
use crate::sheet::{read_table, SheetRow};
use crate::units::{valid_code, Level};

/// One checked line of the CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitLine {
    pub line: u64,
    pub code: String,
    pub name: String,
    pub level: Level,
    pub parent_code: Option<String>,
}

/// Parses the list and checks each line on its own and against the other lines. Returns the
/// lines ordered parents first, or every problem found, each naming its line number.
/// `existing` answers the level of a code already in the database.
///
/// Two shapes are read, CSV or XLSX: `code,name,level,parent_code` (headers in English or
/// Vietnamese: mã, tên, cấp, mã cha; the level may be left out when the name starts with it, as
/// in "Thôn 3" or "Tổ dân phố 5"), and the statistical office's list, one commune per row
/// (Tỉnh / Thành phố, Mã TP, [Quận Huyện, Mã QH,] Phường Xã, Mã PX, Cấp).
pub fn parse_units_csv(
    data: &[u8],
    existing: &dyn Fn(&str) -> Option<Level>,
) -> Result<Vec<UnitLine>, Vec<String>> {
    let rows = read_table(data).map_err(|e| vec![e.to_string()])?;
    let Some((header, body)) = rows.split_first() else {
        return Err(vec!["the file is empty".into()]);
    };
    let headers: Vec<String> = header.cells.iter().map(|h| fold(h)).collect();
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let raw = if let (Some(p_code), Some(p_name), Some(c_code), Some(c_name)) = (
        col(&["ma tp", "ma tinh"]),
        col(&["tinh thanh pho", "tinh"]),
        col(&["ma px", "ma xa"]),
        col(&["phuong xa", "xa phuong", "ten xa"]),
    ) {
        let district = col(&["ma qh", "ma huyen"]).zip(col(&["quan huyen", "huyen"]));
        official_list(
            body,
            [p_code, p_name, c_code, c_name],
            district,
            col(&["cap"]),
        )
    } else {
        let (Some(c_code), Some(c_name)) = (
            col(&["code", "ma", "ma don vi"]),
            col(&["name", "ten", "ten don vi"]),
        ) else {
            return Err(vec![format!(
                "line {}: the header must name the columns code,name,level,parent_code (mã, tên, cấp, mã cha), or be the statistical office's list (Mã TP, Tỉnh / Thành phố, Mã PX, Phường Xã, Cấp); found: {}",
                header.line,
                header.cells.join(",")
            )]);
        };
        let c_level = col(&["level", "cap", "loai"]);
        let c_parent = col(&["parent code", "parent", "ma cha", "ma don vi cha", "thuoc"]);
        body.iter()
            .map(|r| {
                let cell = |i: usize| r.cells.get(i).cloned().unwrap_or_default();
                RawLine {
                    line: r.line,
                    code: cell(c_code),
                    name: cell(c_name),
                    level: c_level.map(cell).unwrap_or_default(),
                    parent: c_parent.map(cell).filter(|p| !p.is_empty()),
                    repeated: false,
                }
            })
            .collect()
    };
    let mut errors = Vec::new();
    let mut lines: Vec<UnitLine> = Vec::new();
    let mut seen: HashMap<String, &RawLine> = HashMap::new();
    for r in &raw {
        let mut problems = Vec::new();
        if !valid_code(&r.code) {
            problems.push(format!(
                "code '{}' is not valid (1–32 letters, digits, '-', '_' or '.')",
                r.code
            ));
        }
        if r.name.is_empty() {
            problems.push("name is empty".to_string());
        } else if r.name.chars().count() > 200 {
            problems.push("name is longer than 200 characters".to_string());
        }
        let has_parent = r.parent.is_some();
        let level = if r.level.is_empty() {
            Level::from_name(&r.name, has_parent)
        } else {
            Level::parse_under(&r.level, has_parent)
        };
        if level.is_none() {
            problems.push(if r.level.is_empty() {
                format!(
                    "give the level of '{}': write one of {}",
                    r.name,
                    Level::WORDS
                )
            } else {
                format!(
                    "level '{}' is not a level: write one of {}",
                    r.level,
                    Level::WORDS
                )
            });
        }
        match seen.get(&r.code) {
            // The statistical office's list repeats the province and district on every row.
            Some(first) if r.repeated && first.name == r.name && first.parent == r.parent => {
                continue
            }
            Some(first) => problems.push(format!(
                "code {} appears again (first on line {})",
                r.code, first.line
            )),
            None => {}
        }
        if problems.is_empty() {
            seen.insert(r.code.clone(), r);
            if let Some(level) = level {
                lines.push(UnitLine {
                    line: r.line,
                    code: r.code.clone(),
                    name: r.name.clone(),
                    level,
                    parent_code: r.parent.clone(),
                });
            }
        } else {
            errors.push(format!("line {}: {}", r.line, problems.join("; ")));
        }
    }
    let in_file: HashMap<&str, Level> = lines.iter().map(|l| (l.code.as_str(), l.level)).collect();
    for l in &lines {
        let parent_level = match &l.parent_code {
            None if l.level == Level::Province => continue,
            None => {
                errors.push(format!(
                    "line {}: a {} needs a parent_code",
                    l.line,
                    l.level.as_str()
                ));
                continue;
            }
            Some(p) => in_file.get(p.as_str()).copied().or_else(|| existing(p)),
        };
        let parent = l.parent_code.as_deref().unwrap_or_default();
        match parent_level {
            None => errors.push(format!(
                "line {}: parent_code {parent} is neither in this file nor an existing unit",
                l.line
            )),
            Some(pl) if !l.level.allowed_parents().contains(&pl) => errors.push(format!(
                "line {}: a {} cannot sit under {parent}, which is a {}",
                l.line,
                l.level.as_str(),
                pl.as_str()
            )),
            Some(_) => {}
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push("the file has no units: after the header, give one unit per line".to_string());
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| line_number(e));
        return Err(errors);
    }
    // Levels strictly descend from parent to child, so sorting by level puts parents first.
    lines.sort_by_key(|l| (l.level, l.line));
    Ok(lines)
}

/// One row as read, before it is checked. `repeated` marks the province and district cells of
/// the statistical office's list, which repeat on every commune's row.
struct RawLine {
    line: u64,
    code: String,
    name: String,
    level: String,
    parent: Option<String>,
    repeated: bool,
}

/// The statistical office's list: each row a commune with its province (and, before July 2025,
/// its district); province and district become units of their own.
fn official_list(
    body: &[SheetRow],
    [p_code, p_name, c_code, c_name]: [usize; 4],
    district: Option<(usize, usize)>,
    c_level: Option<usize>,
) -> Vec<RawLine> {
    let mut out = Vec::new();
    for r in body {
        let cell = |i: usize| r.cells.get(i).cloned().unwrap_or_default();
        let province = cell(p_code);
        out.push(RawLine {
            line: r.line,
            code: province.clone(),
            name: cell(p_name),
            level: "tỉnh".into(),
            parent: None,
            repeated: true,
        });
        let mut parent = province;
        if let Some((d_code, d_name)) = district {
            let code = cell(d_code);
            if !code.is_empty() {
                out.push(RawLine {
                    line: r.line,
                    code: code.clone(),
                    name: cell(d_name),
                    level: String::new(),
                    parent: Some(parent.clone()),
                    repeated: true,
                });
                parent = code;
            }
        }
        out.push(RawLine {
            line: r.line,
            code: cell(c_code),
            name: cell(c_name),
            level: c_level.map(cell).unwrap_or_default(),
            parent: Some(parent),
            repeated: false,
        });
    }
    out
}

/// The line number a "line N: …" message starts with, to sort messages by line.
pub fn line_number(message: &str) -> u64 {
    message
        .strip_prefix("line ")
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<Level> {
        None
    }

    #[test]
    fn orders_parents_first_and_accepts_missing_district() {
        let csv = "code,name,level,parent_code\n38001.01,Thôn 1,village,38001\n38001,Xã A,commune,38\n38,Thanh Hóa,province,\n";
        let lines = parse_units_csv(csv.as_bytes(), &none).expect("valid");
        let codes: Vec<_> = lines.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["38", "38001", "38001.01"]);
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let csv = "code,name,level,parent_code\n38,Thanh Hóa,province,\nbad code,X,village,38\n39,,commune,38\n40,Y,hamlet,38\n41,Z,village,38\n42,W,commune,99\n38,Dup,province,\n";
        let errors = parse_units_csv(csv.as_bytes(), &none).expect_err("invalid");
        let joined = errors.join("\n");
        assert!(
            joined.contains("line 3: code 'bad code' is not valid"),
            "{joined}"
        );
        assert!(joined.contains("line 4: name is empty"), "{joined}");
        assert!(joined.contains("line 5: level 'hamlet'"), "{joined}");
        assert!(
            joined.contains("line 6: a village cannot sit under 38, which is a province"),
            "{joined}"
        );
        assert!(
            joined.contains("line 7: parent_code 99 is neither"),
            "{joined}"
        );
        assert!(
            joined.contains("line 8: code 38 appears again (first on line 2)"),
            "{joined}"
        );
        assert_eq!(errors.len(), 6);
    }

    #[test]
    fn line_numbers_hold_for_excel_files() {
        // Excel saves CSV with CRLF line ends and a byte-order mark.
        let csv = "\u{feff}code,name,level,parent_code\r\n38,Thanh Hóa,province,\r\n\r\n39,,commune,38\r\n";
        let errors = parse_units_csv(csv.as_bytes(), &none).expect_err("invalid");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("line 4: name is empty"), "{errors:?}");
        let lines = parse_units_csv(
            "code,name,level,parent_code\r\n38,Thanh Hóa,province,\r\n".as_bytes(),
            &none,
        )
        .expect("valid");
        assert_eq!(lines[0].line, 2);
    }

    #[test]
    fn reads_the_statistical_offices_list() {
        let list = "Tỉnh / Thành Phố,Mã TP,Quận Huyện,Mã QH,Phường Xã,Mã PX,Cấp\n\
                    Tỉnh Thanh Hóa,38,Thành phố Thanh Hóa,380,Phường Hàm Rồng,14755,Phường\n\
                    Tỉnh Thanh Hóa,38,Thành phố Thanh Hóa,380,Phường Đông Thọ,14758,Phường\n\
                    Tỉnh Thanh Hóa,38,Huyện Nga Sơn,401,Xã Nga Liên,16159,Xã\n";
        let lines = parse_units_csv(list.as_bytes(), &none).expect("valid");
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.code.as_str(), l.level, l.parent_code.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("38", Level::Province, None),
                ("380", Level::District, Some("38")),
                ("401", Level::District, Some("38")),
                ("14755", Level::Commune, Some("380")),
                ("14758", Level::Commune, Some("380")),
                ("16159", Level::Commune, Some("401")),
            ]
        );
        // After July 2025 the list has no district: communes sit under the province.
        let list = "Mã TP;Tỉnh / Thành phố;Mã xã;Tên xã;Cấp\n38;Tỉnh Thanh Hóa;14758;Phường Hàm Rồng;Phường\n";
        let lines = parse_units_csv(list.as_bytes(), &none).expect("valid");
        assert_eq!(lines[1].parent_code.as_deref(), Some("38"));
    }

    #[test]
    fn reads_the_list_from_a_workbook() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let header = [
            "Mã TP",
            "Tỉnh / Thành phố",
            "Mã xã",
            "Tên xã",
            "Cấp",
            "Tên Tiếng Anh",
        ];
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).expect("write");
        }
        sheet.write_string(1, 0, "38").expect("write");
        sheet.write_string(1, 1, "Tỉnh Thanh Hóa").expect("write");
        // Codes typed as numbers read as the digits.
        sheet.write_number(1, 2, 16138.0).expect("write");
        sheet.write_string(1, 3, "Xã Hồ Vương").expect("write");
        sheet.write_string(1, 4, "Xã").expect("write");
        sheet.write_string(1, 5, "Ho Vuong Commune").expect("write");
        let bytes = book.save_to_buffer().expect("xlsx");
        let lines = parse_units_csv(&bytes, &none).expect("valid");
        assert_eq!(lines[1].code, "16138");
        assert_eq!(lines[1].name, "Xã Hồ Vương");
        assert_eq!(lines[1].level, Level::Commune);
        assert_eq!(lines[1].line, 2);
    }

    #[test]
    fn village_levels_come_from_their_names() {
        let csv = "mã,tên,mã cha\n16159.01,Thôn 1,16159\n16159.02,Tổ dân phố Bắc Sơn,16159\n16159.03,Phú Hậu,16159\n";
        let exists = |c: &str| (c == "16159").then_some(Level::Commune);
        let errors = parse_units_csv(csv.as_bytes(), &exists).expect_err("one without a level");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("line 4: give the level of 'Phú Hậu'"),
            "{errors:?}"
        );
        let lines = parse_units_csv(csv.replace("Phú Hậu", "Bản Phú Hậu").as_bytes(), &exists)
            .expect("valid");
        assert!(lines.iter().all(|l| l.level == Level::Village));
    }

    #[test]
    fn header_is_required() {
        let errors = parse_units_csv(b"a,b\n1,2\n", &none).expect_err("invalid");
        assert!(errors[0].starts_with("line 1: the header must name"));
    }
}

//! Reading a reform mapping: one row per (former commune, new commune) pair, as in the
//! published conversion tables (`old_commune_code,old_commune_name,…,new_commune_code,
//! new_commune_name,share`), headers in English or Vietnamese, CSV or XLSX.

use std::collections::HashMap;

use crate::fold::fold;
use crate::sheet::{read_table, SheetRow};
use crate::units::valid_code;

/// Whether the whole former commune went into the new one, or only part of it (a split).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Share {
    Full,
    Partial,
}

/// One checked row of the mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct MappingLine {
    pub line: u64,
    pub old_code: String,
    pub old_name: String,
    pub new_code: String,
    pub new_name: String,
    pub share: Share,
}

/// The columns read, each by any of its header names (folded: no diacritics, lower case).
const OLD_CODE: &[&str] = &[
    "old commune code",
    "old code",
    "ma xa cu",
    "ma cu",
    "ma dvhc cu",
];
const OLD_NAME: &[&str] = &[
    "old commune name",
    "old name",
    "ten xa cu",
    "ten cu",
    "ten dvhc cu",
];
const NEW_CODE: &[&str] = &[
    "new commune code",
    "new code",
    "ma xa moi",
    "ma moi",
    "ma dvhc moi",
];
const NEW_NAME: &[&str] = &[
    "new commune name",
    "new name",
    "ten xa moi",
    "ten moi",
    "ten dvhc moi",
];
const SHARE: &[&str] = &["share", "phan", "sap xep"];

/// The header a person should write, for messages.
pub const MAPPING_HEADER: &str =
    "old_commune_code,old_commune_name,new_commune_code,new_commune_name,share";

/// Reads and checks the mapping on its own (not against the tree): every problem names its line.
pub fn parse_mapping(data: &[u8]) -> Result<Vec<MappingLine>, Vec<String>> {
    let rows = read_table(data).map_err(|e| vec![e.to_string()])?;
    let (header, body) = rows
        .split_first()
        .ok_or_else(|| vec!["the file is empty".to_string()])?;
    let names: Vec<String> = header.cells.iter().map(|h| fold(h)).collect();
    let col = |wanted: &[&str]| names.iter().position(|h| wanted.contains(&h.as_str()));
    let (Some(c_old), Some(c_new), Some(c_share)) = (col(OLD_CODE), col(NEW_CODE), col(SHARE))
    else {
        return Err(vec![format!(
            "line {}: the header must name the columns {MAPPING_HEADER} (found: {})",
            header.line,
            header.cells.join(",")
        )]);
    };
    let (c_old_name, c_new_name) = (col(OLD_NAME), col(NEW_NAME));
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for row in body {
        match read_line(row, c_old, c_old_name, c_new, c_new_name, c_share) {
            Ok(l) => lines.push(l),
            Err(problems) => errors.push(format!("line {}: {}", row.line, problems.join("; "))),
        }
    }
    check_together(&lines, &mut errors);
    if lines.is_empty() && errors.is_empty() {
        errors.push(
            "the mapping has no rows: after the header, one row per (former commune, new commune)"
                .into(),
        );
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

fn read_line(
    row: &SheetRow,
    c_old: usize,
    c_old_name: Option<usize>,
    c_new: usize,
    c_new_name: Option<usize>,
    c_share: usize,
) -> Result<MappingLine, Vec<String>> {
    let cell = |i: usize| row.cells.get(i).cloned().unwrap_or_default();
    let mut problems = Vec::new();
    let (old_code, new_code) = (cell(c_old), cell(c_new));
    for (what, code) in [
        ("old_commune_code", &old_code),
        ("new_commune_code", &new_code),
    ] {
        if !valid_code(code) {
            problems.push(format!(
                "{what} '{code}' is not a code (1–32 letters or digits)"
            ));
        }
    }
    let new_name = c_new_name.map(cell).unwrap_or_default();
    if c_new_name.is_some() && new_name.is_empty() {
        problems.push("new_commune_name is empty".into());
    }
    let share_text = cell(c_share);
    let share = match fold(&share_text).as_str() {
        "full" | "toan bo" | "toan phan" | "all" => Some(Share::Full),
        "partial" | "mot phan" | "part" => Some(Share::Partial),
        _ => {
            problems.push(format!(
                "share '{share_text}' must be full (toàn bộ) or partial (một phần)"
            ));
            None
        }
    };
    match share {
        Some(share) if problems.is_empty() => Ok(MappingLine {
            line: row.line,
            old_code,
            old_name: c_old_name.map(cell).unwrap_or_default(),
            new_name: if new_name.is_empty() {
                new_code.clone()
            } else {
                new_name
            },
            new_code,
            share,
        }),
        _ => Err(problems),
    }
}

/// Rules across rows: one name per new code, no pair twice, and a former commune that goes
/// whole into one new commune goes nowhere else.
fn check_together(lines: &[MappingLine], errors: &mut Vec<String>) {
    let mut names: HashMap<&str, &MappingLine> = HashMap::new();
    let mut pairs: HashMap<(&str, &str), u64> = HashMap::new();
    let mut formers: HashMap<&str, Vec<&MappingLine>> = HashMap::new();
    for l in lines {
        match names.get(l.new_code.as_str()) {
            Some(first) if fold(&first.new_name) != fold(&l.new_name) => errors.push(format!(
                "line {}: new commune {} is called '{}' here and '{}' on line {}",
                l.line, l.new_code, l.new_name, first.new_name, first.line
            )),
            Some(_) => {}
            None => {
                names.insert(&l.new_code, l);
            }
        }
        if let Some(first) = pairs.insert((&l.old_code, &l.new_code), l.line) {
            errors.push(format!(
                "line {}: {} → {} is already on line {first}",
                l.line, l.old_code, l.new_code
            ));
        }
        formers.entry(&l.old_code).or_default().push(l);
    }
    for rows in formers.values() {
        if rows.len() > 1 {
            if let Some(whole) = rows.iter().find(|l| l.share == Share::Full) {
                let other = rows
                    .iter()
                    .find(|l| l.line != whole.line)
                    .map_or(0, |l| l.line);
                errors.push(format!(
                    "line {}: former commune {} goes whole (full) into {}, yet line {other} sends part of it elsewhere: mark its rows partial",
                    whole.line, whole.old_code, whole.new_code
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "old_commune_code,old_commune_name,old_district_code,old_district_name,new_commune_code,new_commune_name,share\n";

    #[test]
    fn reads_the_published_format_and_vietnamese_headers() {
        let csv = format!("{HEADER}14755,Phường Hàm Rồng,380,TP Thanh Hóa,14758,Phường Hàm Rồng,full\n14758,Phường Đông Thọ,380,TP,14797,Phường Hạc Thành,partial\n14758,Phường Đông Thọ,380,TP,14758,Phường Hàm Rồng,partial\n");
        let lines = parse_mapping(csv.as_bytes()).expect("valid");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].share, Share::Partial);
        assert_eq!(lines[2].line, 4);
        let vi = "Mã xã cũ;Tên xã cũ;Mã xã mới;Tên xã mới;Phần\r\n1;Xã A;9;Xã Mới;Toàn bộ\r\n";
        let lines = parse_mapping(vi.as_bytes()).expect("valid");
        assert_eq!(
            (lines[0].new_code.as_str(), lines[0].share),
            ("9", Share::Full)
        );
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let csv = format!("{HEADER}1,A,,,9,Xã Mới,full\nx y,B,,,9,Xã Mới,full\n3,C,,,9,Xã Khác,full\n1,A,,,8,Xã Tám,partial\n5,E,,,9,Xã Mới,half\n");
        let errors = parse_mapping(csv.as_bytes())
            .expect_err("invalid")
            .join("\n");
        assert!(
            errors.contains("line 3: old_commune_code 'x y' is not a code"),
            "{errors}"
        );
        assert!(
            errors.contains("line 4: new commune 9 is called 'Xã Khác' here"),
            "{errors}"
        );
        assert!(
            errors.contains("line 2: former commune 1 goes whole (full) into 9, yet line 5"),
            "{errors}"
        );
        assert!(errors.contains("line 6: share 'half'"), "{errors}");
    }

    #[test]
    fn a_header_without_the_columns_is_refused() {
        let errors = parse_mapping(b"a,b\n1,2\n").expect_err("invalid");
        assert!(
            errors[0].starts_with("line 1: the header must name"),
            "{errors:?}"
        );
    }
}

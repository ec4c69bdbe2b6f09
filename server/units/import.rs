//! Parsing and checking a units CSV (`code,name,level,parent_code`) before anything is stored.

use std::collections::HashMap;

use crate::sheet::Lines;
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

/// Parses the CSV and checks each line on its own and against the other lines. Returns the
/// lines ordered parents first, or every problem found, each naming its line number.
/// `existing` answers the level of a code already in the database.
pub fn parse_units_csv(
    data: &[u8],
    existing: &dyn Fn(&str) -> Option<Level>,
) -> Result<Vec<UnitLine>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(data);
    let headers = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_lowercase())
            .collect::<Vec<_>>(),
        Err(e) => return Err(vec![format!("line 1: cannot read the header: {e}")]),
    };
    let col = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
    let (Some(c_code), Some(c_name), Some(c_level)) = (
        col(&["code", "ma", "mã"]),
        col(&["name", "ten", "tên"]),
        col(&["level", "cap", "cấp"]),
    ) else {
        return Err(vec![format!(
            "line 1: the header must name the columns code,name,level,parent_code (found: {})",
            headers.join(",")
        )]);
    };
    let c_parent = col(&["parent_code", "parent", "ma_cha", "mã cha"]);

    let mut errors = Vec::new();
    let mut line_of = Lines::new(data);
    let mut lines: Vec<UnitLine> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_of.at(e.position().map_or(0, |p| p.byte() as usize));
                errors.push(format!("line {line}: unreadable CSV: {e}"));
                continue;
            }
        };
        // Counted from the bytes: the csv crate's own line count is one short for files saved
        // with CRLF line ends (Excel's CSVs).
        let line = line_of.at(record.position().map_or(0, |p| p.byte() as usize));
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("").to_string();
        let code = field(c_code);
        let name = field(c_name);
        let level_text = field(c_level);
        let parent = c_parent.map(field).filter(|p| !p.is_empty());
        let mut problems = Vec::new();
        if !valid_code(&code) {
            problems.push(format!(
                "code '{code}' is not valid (1–32 letters, digits, '-', '_' or '.')"
            ));
        }
        if name.is_empty() {
            problems.push("name is empty".to_string());
        } else if name.chars().count() > 200 {
            problems.push("name is longer than 200 characters".to_string());
        }
        let level = Level::parse_under(&level_text, parent.is_some());
        if level.is_none() {
            problems.push(format!(
                "level '{level_text}' is not a level: write one of {}",
                Level::WORDS
            ));
        }
        if let Some(first) = seen.get(&code) {
            problems.push(format!("code {code} appears again (first on line {first})"));
        }
        if problems.is_empty() {
            seen.insert(code.clone(), line);
            if let Some(level) = level {
                lines.push(UnitLine {
                    line,
                    code,
                    name,
                    level,
                    parent_code: parent,
                });
            }
        } else {
            errors.push(format!("line {line}: {}", problems.join("; ")));
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

fn line_number(message: &str) -> u64 {
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
    fn header_is_required() {
        let errors = parse_units_csv(b"a,b\n1,2\n", &none).expect_err("invalid");
        assert!(errors[0].starts_with("line 1: the header must name"));
    }
}

//! The raw data of an area as tables: one row per household, one per person, a column for
//! every field of the survey (hidden ones too) and for every answer no version declares, so
//! nothing recorded is left out. Values are written as people read them ("Có", choice labels);
//! text that a spreadsheet would run as a formula is neutralised.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::clock::vietnam_date;
use crate::store::{
    HouseholdRow, PersonRow, RawHousehold, HOUSEHOLD_FLAG_COLUMNS, PERSON_FLAG_COLUMNS,
};
use crate::survey::answers::LATEST_VISIT;
use crate::survey::definition::{ChoiceValue, Field, FieldType, Section, SurveyDefinition};

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(i64),
    Text(String),
}

/// One sheet: headings and rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub name: &'static str,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Text a spreadsheet would read as a formula (`= + - @`, or a tab or carriage return first)
/// gets a leading apostrophe, so an answer typed on a phone can never run in an officer's Excel.
pub fn neutralise(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(neutralise(s))
    }
}

/// The stored value of a household field: its column, else its answer.
fn household_value(h: &HouseholdRow, answers: &Json, key: &str) -> Json {
    if let Some(i) = HOUSEHOLD_FLAG_COLUMNS.iter().position(|c| *c == key) {
        return h.flags[i].map_or(Json::Null, Json::Bool);
    }
    let column = match key {
        "head_name" => &h.head_name,
        "address" => &h.address,
        "phone" => &h.phone,
        _ => return answers.get(key).cloned().unwrap_or(Json::Null),
    };
    column.clone().map_or(Json::Null, Json::String)
}

fn person_value(p: &PersonRow, answers: &Json, key: &str) -> Json {
    if let Some(i) = PERSON_FLAG_COLUMNS.iter().position(|c| *c == key) {
        return p.flags[i].map_or(Json::Null, Json::Bool);
    }
    let column = match key {
        "full_name" => &p.full_name,
        "sex" => &p.sex,
        "cccd" => &p.cccd,
        "phone" => &p.phone,
        "birth_year" => return p.birth_year.map_or(Json::Null, Json::from),
        "vneid_level" => return p.vneid_level.map_or(Json::Null, Json::from),
        _ => return answers.get(key).cloned().unwrap_or(Json::Null),
    };
    column.clone().map_or(Json::Null, Json::String)
}

fn choice_label(field: &Field, value: &Json) -> Option<String> {
    field
        .choices
        .iter()
        .find(|c| match (&c.value, value) {
            (ChoiceValue::Str(s), Json::String(v)) => s == v,
            (ChoiceValue::Int(i), Json::Number(n)) => n.as_i64() == Some(*i),
            _ => false,
        })
        .map(|c| c.label.vi.clone())
}

/// A value as the cell shows it, read the way its field's type says (anything unexpected is
/// written as it is stored rather than dropped).
fn cell(field: Option<&Field>, value: &Json) -> Cell {
    match (field, value) {
        (_, Json::Null) => Cell::Empty,
        (_, Json::Bool(b)) => Cell::Text(if *b { "Có" } else { "Không" }.into()),
        (Some(f), v) if f.kind == FieldType::Choice => match choice_label(f, v) {
            Some(label) => Cell::Text(label),
            None => raw(v),
        },
        (Some(f), Json::Object(ticks)) if f.kind == FieldType::Choices => {
            let labels: Vec<String> = ticks
                .iter()
                .filter(|(_, v)| v.as_bool() == Some(true))
                .map(|(k, _)| {
                    choice_label(f, &Json::String(k.clone())).unwrap_or_else(|| k.clone())
                })
                .collect();
            text(&labels.join("; "))
        }
        (_, v) => raw(v),
    }
}

fn raw(v: &Json) -> Cell {
    match v {
        Json::Number(n) => n
            .as_i64()
            .map_or_else(|| text(&n.to_string()), Cell::Number),
        Json::String(s) => text(s),
        other => text(&other.to_string()),
    }
}

/// The latest visit's answers: those kept under `latest_visit`, with what it helped with (kept
/// for every visit in `households.helped`) as the ticks of `helped`.
fn latest_visit(h: &HouseholdRow, answers: &Json) -> Json {
    let mut visit = answers
        .get(LATEST_VISIT)
        .cloned()
        .unwrap_or(Json::Object(Default::default()));
    if let (Some(at), Json::Object(map)) = (h.visited_at, &mut visit) {
        let ticks: serde_json::Map<String, Json> = h
            .helped
            .iter()
            .filter(|(when, _)| *when == at)
            .map(|(_, kind)| (kind.clone(), Json::Bool(true)))
            .collect();
        if !ticks.is_empty() {
            map.insert(
                crate::survey::schema::HELPED.to_string(),
                Json::Object(ticks),
            );
        }
    }
    visit
}

fn parse_answers(answers: &Option<String>) -> Json {
    answers
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or(Json::Null)
}

/// Keys answered but declared by no version, in order.
fn undeclared<'a>(
    def: &SurveyDefinition,
    section: Section,
    answers: impl Iterator<Item = &'a Json>,
) -> Vec<String> {
    let mut keys = BTreeSet::new();
    for a in answers {
        if let Json::Object(map) = a {
            keys.extend(
                map.keys()
                    .filter(|k| def.field(section, k).is_none() && *k != LATEST_VISIT)
                    .cloned(),
            );
        }
    }
    keys.into_iter().collect()
}

fn heading(f: &Field) -> String {
    if f.hidden {
        format!("{} (không còn hỏi)", f.label.vi)
    } else {
        f.label.vi.clone()
    }
}

/// The households sheet and the persons sheet of `data`, with every field of `def`.
pub fn tables(def: &SurveyDefinition, data: &[RawHousehold]) -> [Table; 2] {
    let h_answers: Vec<Json> = data
        .iter()
        .map(|r| parse_answers(&r.household.answers))
        .collect();
    let h_extra = undeclared(def, Section::Household, h_answers.iter());
    let mut headings: Vec<String> = ["Mã thôn", "Thôn", "Mã hộ"].map(String::from).to_vec();
    headings.extend(def.household.iter().map(heading));
    headings.extend(
        [
            "Kết quả lần thăm gần nhất",
            "Ngày thăm",
            "Người thăm",
            "Số lần thăm",
            "Trùng với hộ",
        ]
        .map(String::from),
    );
    // The latest visit's other fields (what it helped with, its note, later versions' fields).
    let visit_fields: Vec<&Field> = def.visit.iter().filter(|f| f.key != "outcome").collect();
    headings.extend(
        visit_fields
            .iter()
            .map(|f| format!("Lần thăm gần nhất: {}", heading(f))),
    );
    headings.extend(h_extra.iter().cloned());
    let outcome = def.field(Section::Visit, "outcome");
    let mut rows = Vec::with_capacity(data.len());
    for (r, answers) in data.iter().zip(&h_answers) {
        let h = &r.household;
        let mut row = vec![text(&r.village_code), text(&r.village_name), text(&h.id)];
        row.extend(
            def.household
                .iter()
                .map(|f| cell(Some(f), &household_value(h, answers, &f.key))),
        );
        row.push(cell(
            outcome,
            &h.visit_outcome.clone().map_or(Json::Null, Json::String),
        ));
        row.push(
            h.visited_at
                .map_or(Cell::Empty, |at| Cell::Text(vietnam_date(at / 1000).0)),
        );
        row.push(text(h.visited_by.as_deref().unwrap_or("")));
        row.push(Cell::Number(h.visits));
        row.push(text(h.duplicate_of.as_deref().unwrap_or("")));
        let visit = latest_visit(h, answers);
        row.extend(
            visit_fields
                .iter()
                .map(|f| cell(Some(f), visit.get(&f.key).unwrap_or(&Json::Null))),
        );
        row.extend(
            h_extra
                .iter()
                .map(|k| cell(None, answers.get(k).unwrap_or(&Json::Null))),
        );
        rows.push(row);
    }
    let households = Table {
        name: "Hộ gia đình",
        headings,
        rows,
    };

    let people: Vec<(&RawHousehold, &PersonRow, Json)> = data
        .iter()
        .flat_map(|r| {
            r.household
                .persons
                .iter()
                .map(move |p| (r, p, parse_answers(&p.answers)))
        })
        .collect();
    let p_extra = undeclared(def, Section::Person, people.iter().map(|(_, _, a)| a));
    let mut headings: Vec<String> = ["Mã thôn", "Thôn", "Mã hộ", "Chủ hộ", "Mã người"]
        .map(String::from)
        .to_vec();
    headings.extend(def.person.iter().map(heading));
    headings.extend(p_extra.iter().cloned());
    let mut rows = Vec::with_capacity(people.len());
    for (r, p, answers) in &people {
        let mut row = vec![
            text(&r.village_code),
            text(&r.village_name),
            text(&r.household.id),
            text(r.household.head_name.as_deref().unwrap_or("")),
            text(&p.id),
        ];
        row.extend(
            def.person
                .iter()
                .map(|f| cell(Some(f), &person_value(p, answers, &f.key))),
        );
        row.extend(
            p_extra
                .iter()
                .map(|k| cell(None, answers.get(k).unwrap_or(&Json::Null))),
        );
        rows.push(row);
    }
    [
        households,
        Table {
            name: "Người từ 15 tuổi",
            headings,
            rows,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+84912345678", "-2", "@SUM(A1)", "\tx"] {
            assert!(neutralise(bad).starts_with('\''), "{bad}");
        }
        assert_eq!(neutralise("Nguyễn Văn A"), "Nguyễn Văn A");
    }

    #[test]
    fn values_read_as_their_field_says() {
        use crate::survey::definition::version_1;
        use serde_json::json;
        let v1 = version_1();
        let vneid = v1.field(Section::Person, "vneid_level");
        assert_eq!(cell(vneid, &json!(2)), Cell::Text("Mức 2".into()));
        let outcome = v1.field(Section::Visit, "outcome");
        assert_eq!(
            cell(outcome, &json!("moved_away")),
            Cell::Text("moved_away".into()),
            "a later version's choice kept"
        );
        let helped = v1.field(Section::Visit, "helped");
        let ticks =
            json!({"installed_vneid": true, "opened_payment_account": false, "new_kind": true});
        assert_eq!(
            cell(helped, &ticks),
            Cell::Text("Cài đặt, kích hoạt VNeID; new_kind".into())
        );
        assert_eq!(cell(None, &json!(true)), Cell::Text("Có".into()));
        assert_eq!(
            cell(None, &json!({"a": 1})),
            Cell::Text("{\"a\":1}".into()),
            "anything else as stored"
        );
        assert_eq!(cell(None, &json!("=cmd")), Cell::Text("'=cmd".into()));
    }
}

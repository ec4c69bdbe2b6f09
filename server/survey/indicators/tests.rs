use super::*;
use crate::survey::definition::version_1;

fn person(
    birth_year: Option<i64>,
    answers: Option<&str>,
    has_smartphone: Option<bool>,
) -> PersonRow {
    let mut flags = [None; 12];
    let i = crate::store::PERSON_FLAG_COLUMNS
        .iter()
        .position(|c| *c == "has_smartphone")
        .expect("a person column");
    flags[i] = has_smartphone;
    PersonRow {
        id: format!("p{birth_year:?}{answers:?}"),
        birth_year,
        answers: answers.map(str::to_string),
        flags,
        ..Default::default()
    }
}

fn household(persons: Vec<PersonRow>) -> HouseholdRow {
    HouseholdRow {
        id: "h".into(),
        persons,
        ..Default::default()
    }
}

fn rule(json: &str) -> IndicatorRule {
    serde_json::from_str(json).expect("a rule")
}

#[test]
fn the_denominator_counts_those_asked() {
    let r = rule(r#"{"counts": "persons", "numerator": {"yes": "has_city_app"}}"#);
    let hh = [household(vec![
        person(Some(1980), Some(r#"{"has_city_app": true}"#), None),
        person(Some(1990), Some(r#"{"has_city_app": false}"#), None),
        // Surveyed before the question existed: eligible, not asked.
        person(Some(1970), None, Some(true)),
        // Under 15 in 2026: not counted at all.
        person(Some(2015), Some(r#"{"has_city_app": true}"#), None),
    ])];
    assert_eq!(
        r.count(&hh, 2026),
        RuleCount {
            numerator: 1,
            asked: 2,
            eligible: 3
        }
    );
}

#[test]
fn columns_and_a_population_are_read_like_answers() {
    let r = rule(
        r#"{"counts": "persons", "numerator": {"yes": "has_city_app"}, "denominator": {"yes": "has_smartphone"}}"#,
    );
    let hh = [household(vec![
        person(Some(1980), Some(r#"{"has_city_app": true}"#), Some(true)),
        person(Some(1980), Some(r#"{"has_city_app": true}"#), Some(false)),
        person(None, None, Some(true)),
    ])];
    assert_eq!(
        r.count(&hh, 2026),
        RuleCount {
            numerator: 1,
            asked: 1,
            eligible: 2
        }
    );
    // A column field in the numerator: asked means answered.
    let r = rule(r#"{"counts": "persons", "numerator": {"yes": "has_smartphone"}}"#);
    assert_eq!(
        r.count(&hh, 2026),
        RuleCount {
            numerator: 2,
            asked: 3,
            eligible: 3
        }
    );
}

#[test]
fn deleted_and_duplicate_households_are_not_counted() {
    let r = rule(
        r#"{"counts": "households", "numerator": {"equals": {"field": "water", "value": "tap"}}}"#,
    );
    let mut live = household(vec![]);
    live.answers = Some(r#"{"water": "tap"}"#.into());
    let mut deleted = live.clone();
    deleted.deleted = true;
    let mut duplicate = live.clone();
    duplicate.duplicate_of = Some("h".into());
    let mut other = live.clone();
    other.answers = Some(r#"{"water": "well"}"#.into());
    assert_eq!(
        r.count(&[live, deleted, duplicate, other], 2026),
        RuleCount {
            numerator: 1,
            asked: 2,
            eligible: 2
        }
    );
}

#[test]
fn a_rule_is_checked_against_the_fields() {
    let v1 = version_1();
    let ok = rule(
        r#"{"counts": "persons", "numerator": {"all": [{"yes": "has_smartphone"}, {"yes": "has_cyber_safety_app"}]}}"#,
    );
    assert!(ok.problems(v1).is_empty(), "{:?}", ok.problems(v1));
    let unknown = rule(r#"{"counts": "persons", "numerator": {"yes": "has_city_app"}}"#);
    assert_eq!(unknown.problems(v1).len(), 1, "{:?}", unknown.problems(v1));
    let wrong_section = rule(r#"{"counts": "households", "numerator": {"yes": "has_smartphone"}}"#);
    assert!(!wrong_section.problems(v1).is_empty());
    let no_field = rule(r#"{"counts": "persons", "numerator": {"age_at_least": 60}}"#);
    assert!(no_field.problems(v1)[0].contains("reads no field"));
}

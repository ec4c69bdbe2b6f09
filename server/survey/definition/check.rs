//! What makes a survey version publishable: well formed on its own, and compatible with the
//! version before it, so every document and every phone on an older version stays valid. A
//! version may add fields and choices, hide them, and change labels, hints, `required` and
//! relevance; it may never remove a field or a choice (hide it), change a field's type, or give
//! a key to something else.

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

use super::condition::Test;
use super::{ChoiceValue, Field, FieldType, Section, SurveyDefinition};

/// One reason a version cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// `section.key` of the field concerned, or empty for the whole definition.
    pub field: String,
    /// Which rule: `bad_key`, `reserved_key`, `duplicate_key`, `missing_label`, `no_choices`,
    /// `duplicate_choice`, `choice_value`, `bad_range`, `bad_condition`, `removed_field`,
    /// `type_changed`, `removed_choice`.
    pub rule: &'static str,
    pub message: String,
}

/// Every problem of `candidate`, read against `previous` (the version published last).
pub fn check_definition(candidate: &SurveyDefinition, previous: &SurveyDefinition) -> Vec<Problem> {
    let mut out = Vec::new();
    if candidate.title.vi.trim().is_empty() {
        out.push(problem(
            "",
            "missing_label",
            "the survey has no Vietnamese title".into(),
        ));
    }
    for section in Section::ALL {
        check_section(candidate, section, &mut out);
        compare_section(candidate, previous, section, &mut out);
    }
    out
}

fn problem(field: &str, rule: &'static str, message: String) -> Problem {
    Problem {
        field: field.to_string(),
        rule,
        message,
    }
}

fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some('a'..='z'))
        && key.len() <= 48
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn check_section(def: &SurveyDefinition, section: Section, out: &mut Vec<Problem>) {
    let mut seen = HashSet::new();
    for f in def.fields(section) {
        let name = format!("{}.{}", section.name(), f.key);
        if !valid_key(&f.key) {
            out.push(problem(&name, "bad_key", format!(
                "'{}' is not a key: lower-case letters, digits and '_', starting with a letter, at most 48",
                f.key
            )));
        }
        if section.reserved().contains(&f.key.as_str()) {
            out.push(problem(
                &name,
                "reserved_key",
                format!(
                    "'{}' is used by the document itself in a {}; choose another key",
                    f.key,
                    section.name()
                ),
            ));
        }
        if !seen.insert(f.key.as_str()) {
            out.push(problem(
                &name,
                "duplicate_key",
                format!(
                    "'{}' appears twice in the {} section",
                    f.key,
                    section.name()
                ),
            ));
        }
        if f.label.vi.trim().is_empty() {
            out.push(problem(
                &name,
                "missing_label",
                format!("'{}' has no Vietnamese label", f.key),
            ));
        }
        check_choices(f, &name, out);
        if (f.min.is_some() || f.max.is_some()) && f.kind != FieldType::Number {
            out.push(problem(
                &name,
                "bad_range",
                format!(
                    "'{}' is a {}: only a number has a smallest or largest value",
                    f.key,
                    f.kind.name()
                ),
            ));
        }
        if let (Some(lo), Some(hi)) = (f.min, f.max) {
            if lo > hi {
                out.push(problem(
                    &name,
                    "bad_range",
                    format!("'{}': min {lo} is above max {hi}", f.key),
                ));
            }
        }
        if let Some(rule) = &f.relevant {
            for test in rule.tests() {
                if let Some(why) = check_test(def, section, &test) {
                    out.push(problem(
                        &name,
                        "bad_condition",
                        format!("'{}' is asked when…: {why}", f.key),
                    ));
                }
            }
        }
    }
}

fn check_choices(f: &Field, name: &str, out: &mut Vec<Problem>) {
    let wants = matches!(f.kind, FieldType::Choice | FieldType::Choices);
    if !wants {
        if !f.choices.is_empty() {
            out.push(problem(
                name,
                "choice_value",
                format!(
                    "'{}' is a {}: only choice fields have choices",
                    f.key,
                    f.kind.name()
                ),
            ));
        }
        return;
    }
    if f.choices.is_empty() {
        out.push(problem(
            name,
            "no_choices",
            format!("'{}' has no choices", f.key),
        ));
    }
    let mut seen = HashSet::new();
    let numbers = f
        .choices
        .iter()
        .filter(|c| matches!(c.value, ChoiceValue::Int(_)))
        .count();
    if numbers != 0 && (numbers != f.choices.len() || f.kind == FieldType::Choices) {
        out.push(problem(
            name,
            "choice_value",
            format!(
                "'{}': choices are all text or (one choice only) all whole numbers",
                f.key
            ),
        ));
    }
    for c in &f.choices {
        if !seen.insert(&c.value) {
            out.push(problem(
                name,
                "duplicate_choice",
                format!("'{}': choice '{}' appears twice", f.key, c.value),
            ));
        }
        if let ChoiceValue::Str(s) = &c.value {
            if !valid_key(s) {
                out.push(problem(
                    name,
                    "bad_key",
                    format!(
                        "'{}': choice '{s}' is not a key (lower-case letters, digits and '_')",
                        f.key
                    ),
                ));
            }
        }
        if c.label.vi.trim().is_empty() {
            out.push(problem(
                name,
                "missing_label",
                format!("'{}': choice '{}' has no Vietnamese label", f.key, c.value),
            ));
        }
    }
}

/// Why one test of a relevance rule cannot be evaluated, if it cannot.
pub(crate) fn check_test(
    def: &SurveyDefinition,
    section: Section,
    test: &Test<'_>,
) -> Option<String> {
    let (key, ok, wants) = match test {
        Test::Age => {
            return (section != Section::Person)
                .then(|| "a person's age is known only in the person section".into());
        }
        Test::Answered(key) => (*key, None, ""),
        Test::YesNo(key) => (*key, Some(vec![FieldType::YesNo]), "a yes/no field"),
        Test::AtLeast(key) => (
            *key,
            Some(vec![FieldType::Number, FieldType::Year, FieldType::Choice]),
            "a number",
        ),
        Test::Equals(key, _) => (
            *key,
            Some(vec![FieldType::Choice, FieldType::Text]),
            "a choice or a text",
        ),
    };
    let Some(field) = def.field(section, key) else {
        return Some(format!(
            "there is no field '{key}' in the {} section",
            section.name()
        ));
    };
    match ok {
        Some(types) if !types.contains(&field.kind) => Some(format!(
            "'{key}' is a {}, the test needs {wants}",
            field.kind.name()
        )),
        _ => None,
    }
}

fn compare_section(
    def: &SurveyDefinition,
    previous: &SurveyDefinition,
    section: Section,
    out: &mut Vec<Problem>,
) {
    for old in previous.fields(section) {
        let name = format!("{}.{}", section.name(), old.key);
        let Some(new) = def.field(section, &old.key) else {
            out.push(problem(&name, "removed_field", format!(
                "'{}' was in version {}: a field is never removed (answers exist), mark it hidden instead",
                old.key, previous.version
            )));
            continue;
        };
        if new.kind != old.kind {
            out.push(problem(
                &name,
                "type_changed",
                format!(
                "'{}' was a {} in version {} and cannot become a {}: add a field with a new key",
                old.key,
                old.kind.name(),
                previous.version,
                new.kind.name()
            ),
            ));
            continue;
        }
        for c in &old.choices {
            if !new.choices.iter().any(|n| n.value == c.value) {
                out.push(problem(&name, "removed_choice", format!(
                    "'{}': choice '{}' was in version {}: a choice is never removed, mark it hidden instead",
                    old.key, c.value, previous.version
                )));
            }
        }
    }
}

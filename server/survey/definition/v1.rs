//! Version 1: the "3 KHÔNG" checklist the documents were written with before definitions were
//! data (`v1.json`, also the PWA's definition until it has fetched one). Its keys are those of
//! `survey::schema`; a test keeps the two in agreement.

use std::sync::LazyLock;

use super::SurveyDefinition;

static VERSION_1: LazyLock<SurveyDefinition> = LazyLock::new(|| {
    // The file is part of the binary and checked by the tests below: it cannot fail to parse
    // in a build that passed them.
    serde_json::from_str(include_str!("v1.json")).expect("v1.json is a survey definition")
});

/// The built-in version 1 (the current version until another is published).
pub fn version_1() -> &'static SurveyDefinition {
    &VERSION_1
}

#[cfg(test)]
mod tests {
    use super::super::{check_definition, FieldType, Section};
    use super::*;
    use crate::survey::schema;

    #[test]
    fn version_1_is_well_formed() {
        let v1 = version_1();
        assert_eq!(v1.version, 1);
        assert_eq!(check_definition(v1, v1), vec![]);
    }

    #[test]
    fn version_1_has_the_keys_of_the_documents() {
        let v1 = version_1();
        let keys = |s: Section, t: FieldType| -> Vec<&str> {
            v1.fields(s)
                .iter()
                .filter(|f| f.kind == t)
                .map(|f| f.key.as_str())
                .collect()
        };
        assert_eq!(
            keys(Section::Household, FieldType::YesNo),
            schema::HOUSEHOLD_FLAGS
        );
        let person_flags = keys(Section::Person, FieldType::YesNo);
        assert_eq!(person_flags, schema::PERSON_FLAGS);
        for text in ["head_name", "address", "phone"] {
            assert!(v1.field(Section::Household, text).is_some(), "{text}");
        }
        let choice_values = |s: Section, key: &str| -> Vec<String> {
            let f = v1.field(s, key).unwrap_or_else(|| panic!("{key}"));
            f.choices.iter().map(|c| c.value.to_string()).collect()
        };
        assert_eq!(choice_values(Section::Person, "sex"), schema::SEXES);
        assert_eq!(
            choice_values(Section::Visit, "outcome"),
            schema::VISIT_OUTCOMES
        );
        assert_eq!(choice_values(Section::Visit, "helped"), schema::HELPED_WITH);
        let helped = v1.field(Section::Visit, "helped").expect("helped");
        for (c, kind) in helped.choices.iter().zip(schema::HELPED_KINDS.iter()) {
            assert_eq!(
                (c.label.vi.as_str(), c.label.en.as_str()),
                (kind.vi, kind.en)
            );
        }
        assert_eq!(
            choice_values(Section::Person, "vneid_level"),
            ["0", "1", "2"]
        );
    }
}

//! Relevance rules: when a field is asked. Written as small JSON objects over the fields of the
//! same section (and a person's age), evaluated by the phone; the server checks that each one
//! names fields that exist and have a type it can test.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ChoiceValue;

/// A condition over the answers of one record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
// A condition nests conditions: the schema names itself instead of being expanded without end.
#[schema(no_recursion)]
pub enum Condition {
    /// The yes/no field is answered yes: `{"yes": "has_phone"}`.
    Yes(String),
    /// The yes/no field is answered no.
    No(String),
    /// The field has an answer.
    Answered(String),
    /// The field's value is this one (a choice, a text): `{"equals": {"field": "sex", "value": "female"}}`.
    Equals(FieldValue),
    /// The whole-number field is at least this: `{"at_least": {"field": "vneid_level", "value": 1}}`.
    AtLeast(FieldNumber),
    /// The person is at least this old in the year of the visit, or their birth year is
    /// unknown (they are asked): `{"age_at_least": 15}`. Person section only.
    AgeAtLeast(i64),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldValue {
    pub field: String,
    pub value: ChoiceValue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldNumber {
    pub field: String,
    pub value: i64,
}

/// What a condition asks of one field, for checking it against the field's type.
pub enum Test<'a> {
    YesNo(&'a str),
    Answered(&'a str),
    Equals(&'a str, &'a ChoiceValue),
    AtLeast(&'a str),
    Age,
}

impl Condition {
    /// Every test the condition makes, nested ones included.
    pub fn tests(&self) -> Vec<Test<'_>> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<Test<'a>>) {
        match self {
            Condition::Yes(f) | Condition::No(f) => out.push(Test::YesNo(f)),
            Condition::Answered(f) => out.push(Test::Answered(f)),
            Condition::Equals(fv) => out.push(Test::Equals(&fv.field, &fv.value)),
            Condition::AtLeast(fnum) => out.push(Test::AtLeast(&fnum.field)),
            Condition::AgeAtLeast(_) => out.push(Test::Age),
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.collect(out)),
            Condition::Not(c) => c.collect(out),
        }
    }
}

//! The survey definition as data (docs/SCHEMA.md, "Survey definition"): the fields of the
//! household, person and visit sections with their types, labels, choices and relevance rules.
//! Version 1 is today's "3 KHÔNG" checklist (`v1.json`, the same keys as the documents); later
//! versions are published from the console and may only add (`check.rs` says what breaks one).

pub mod check;
pub mod condition;
mod v1;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use check::{check_definition, Problem};
pub use condition::Condition;
pub use v1::version_1;

/// A text in both languages of the app; English may be left empty (Vietnamese is shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub vi: String,
    #[serde(default)]
    pub en: String,
}

/// One version of the survey: what the phones ask and what the projection reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyDefinition {
    /// Assigned when published (a draft carries the number it will get).
    #[serde(default)]
    pub version: i64,
    pub title: Text,
    /// Fields of a household (`households.<id>.<key>` in the village document).
    pub household: Vec<Field>,
    /// Fields of a person aged 15+ (`households.<id>.persons.<id>.<key>`).
    pub person: Vec<Field>,
    /// Fields of a visit (`households.<id>.visits.<id>.<key>`).
    pub visit: Vec<Field>,
}

/// The three places a field can live in the village document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Household,
    Person,
    Visit,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Household, Section::Person, Section::Visit];

    pub fn name(self) -> &'static str {
        match self {
            Section::Household => "household",
            Section::Person => "person",
            Section::Visit => "visit",
        }
    }

    /// Keys the document uses for itself in this section; no field may take them.
    pub fn reserved(self) -> &'static [&'static str] {
        match self {
            Section::Household => &[
                "deleted",
                "duplicate_of",
                "created_at",
                "created_by",
                "persons",
                "visits",
                crate::survey::answers::LATEST_VISIT,
            ],
            Section::Person => &["deleted"],
            Section::Visit => &["at", "by"],
        }
    }
}

impl SurveyDefinition {
    pub fn fields(&self, section: Section) -> &[Field] {
        match section {
            Section::Household => &self.household,
            Section::Person => &self.person,
            Section::Visit => &self.visit,
        }
    }

    /// The field of `section` with this key.
    pub fn field(&self, section: Section, key: &str) -> Option<&Field> {
        self.fields(section).iter().find(|f| f.key == key)
    }
}

/// One question (or one recorded value) of a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The key in the document; stable for life (never reused for another meaning).
    pub key: String,
    #[serde(rename = "type")]
    pub kind: FieldType,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// `details` (who: names, numbers) or `checklist` (the survey's questions): where the phone
    /// shows it, and whether answering it counts as surveyed.
    #[serde(default)]
    pub part: Part,
    /// For `choice` and `choices`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// For `number`: the smallest and largest value accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// The phone asks for an answer before the record counts as complete.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Asked only when this holds (over fields of the same section; a person's age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relevant: Option<Condition>,
    /// No longer asked; answers already given are kept, projected and exported.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// How a field's value is written in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// `true` / `false` / absent (not asked yet).
    YesNo,
    /// A whole number (`min`, `max`).
    Number,
    /// A year (a whole number, e.g. a birth year).
    Year,
    /// One of `choices` (a string, or a whole number when the choices are numbers).
    Choice,
    /// Several of `choices`: a map from each choice ticked to `true`, so ticks merge.
    Choices,
    Text,
    /// A Vietnamese phone number (text).
    Phone,
    /// A 12-digit personal identification number (text).
    CitizenId,
    /// A day, `YYYY-MM-DD` (text).
    Date,
}

impl FieldType {
    /// Every type, in the order the survey editor offers them.
    pub const ALL: [FieldType; 9] = [
        FieldType::YesNo,
        FieldType::Choice,
        FieldType::Choices,
        FieldType::Number,
        FieldType::Year,
        FieldType::Text,
        FieldType::Phone,
        FieldType::CitizenId,
        FieldType::Date,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FieldType::YesNo => "yes_no",
            FieldType::Number => "number",
            FieldType::Year => "year",
            FieldType::Choice => "choice",
            FieldType::Choices => "choices",
            FieldType::Text => "text",
            FieldType::Phone => "phone",
            FieldType::CitizenId => "citizen_id",
            FieldType::Date => "date",
        }
    }

    /// The value is a whole number in the document.
    pub fn is_number(self) -> bool {
        matches!(self, FieldType::Number | FieldType::Year)
    }
}

/// Where a field is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Details,
    #[default]
    Checklist,
}

/// One choice of a `choice` or `choices` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: ChoiceValue,
    pub label: Text,
    /// No longer offered; answers already given keep it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// A choice's value as written in the document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ChoiceValue {
    Int(i64),
    Str(String),
}

impl std::fmt::Display for ChoiceValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChoiceValue::Int(i) => write!(f, "{i}"),
            ChoiceValue::Str(s) => f.write_str(s),
        }
    }
}

//! Indicators defined as data (docs/SCHEMA.md, "Indicators as data"): a numerator and an
//! optional population written as conditions over the survey's fields, counted over a
//! village's households as they are read out of its document. The rule for records surveyed
//! before a field existed: the rate's denominator counts only those asked, that is those with
//! an answer to every field the numerator reads; the records the indicator is about are counted
//! beside it (`eligible`), so a screen can say "asked n of m".

pub mod tally;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use utoipa::ToSchema;

use crate::store::{Cell, HouseholdRow, PersonRow, RuleCount, RuleRow, Store, StoreError};
use crate::survey::definition::check::check_test;
use crate::survey::definition::condition::Test;
use crate::survey::definition::{ChoiceValue, Condition, Section, SurveyDefinition};

/// What an indicator counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Counted {
    /// Live households.
    Households,
    /// Live persons aged 15+ (or of unknown age) of live households.
    Persons,
}

impl Counted {
    pub fn name(self) -> &'static str {
        match self {
            Counted::Households => "households",
            Counted::Persons => "persons",
        }
    }

    pub fn parse(s: &str) -> Option<Counted> {
        match s {
            "households" => Some(Counted::Households),
            "persons" => Some(Counted::Persons),
            _ => None,
        }
    }

    /// The survey section whose fields the conditions read.
    pub fn section(self) -> Section {
        match self {
            Counted::Households => Section::Household,
            Counted::Persons => Section::Person,
        }
    }
}

/// An indicator's rule: who is counted, and among whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRule {
    pub counts: Counted,
    /// The records counted in the numerator: `{"yes": "has_province_app"}`.
    pub numerator: Condition,
    /// The records the indicator is about (default: every live one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<Condition>,
    /// Which records the rate is taken among (default: those asked).
    #[serde(default, skip_serializing_if = "RateAmong::is_asked")]
    pub rate_among: RateAmong,
}

/// The records an indicator's rate is taken among.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateAmong {
    /// The eligible records with an answer to every field the numerator reads: a record
    /// surveyed before its question existed is neither a yes nor a no.
    #[default]
    Asked,
    /// Every eligible record, an unanswered question counting as no: the definition of the
    /// province's pilot table, which the model's indicators keep.
    Eligible,
}

impl RateAmong {
    pub fn name(self) -> &'static str {
        match self {
            RateAmong::Asked => "asked",
            RateAmong::Eligible => "eligible",
        }
    }

    /// The stored value (`None`: asked).
    pub fn parse(s: Option<&str>) -> Option<RateAmong> {
        match s {
            None | Some("asked") => Some(RateAmong::Asked),
            Some("eligible") => Some(RateAmong::Eligible),
            _ => None,
        }
    }

    fn is_asked(&self) -> bool {
        *self == RateAmong::Asked
    }

    /// The rate's denominator out of a record count.
    pub fn denominator(self, c: &RuleCount) -> i64 {
        match self {
            RateAmong::Asked => c.asked,
            RateAmong::Eligible => c.eligible,
        }
    }
}

impl IndicatorRule {
    /// The rule of a stored indicator; `None` (logged) for one this server cannot read.
    pub fn from_row(row: &RuleRow) -> Option<IndicatorRule> {
        let read = || -> Result<IndicatorRule, String> {
            Ok(IndicatorRule {
                counts: Counted::parse(&row.counts)
                    .ok_or_else(|| format!("counts '{}'", row.counts))?,
                numerator: serde_json::from_str(&row.numerator_when).map_err(|e| e.to_string())?,
                denominator: row
                    .denominator_when
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(|e| e.to_string())?,
                rate_among: RateAmong::parse(row.rate_among.as_deref()).ok_or_else(|| {
                    format!("rate_among '{}'", row.rate_among.as_deref().unwrap_or(""))
                })?,
            })
        };
        read()
            .map_err(|e| tracing::warn!(indicator = row.id, error = %e, "an indicator's rule cannot be read; it is not counted"))
            .ok()
    }

    /// Counts every rule over `households` (see `count`).
    pub fn count_all(
        rules: &[(i64, IndicatorRule)],
        households: &[HouseholdRow],
        year: i64,
    ) -> Vec<(i64, RuleCount)> {
        rules
            .iter()
            .map(|(id, r)| (*id, r.count(households, year)))
            .collect()
    }

    /// Why the rule cannot be counted with the fields of `def`, each reason once.
    pub fn problems(&self, def: &SurveyDefinition) -> Vec<String> {
        let mut tests = self.numerator.tests();
        let reads_a_field = tests.iter().any(|t| field_of(t).is_some());
        if let Some(d) = &self.denominator {
            tests.extend(d.tests());
        }
        let mut out: Vec<String> = Vec::new();
        for problem in tests
            .iter()
            .filter_map(|t| check_test(def, self.counts.section(), t))
        {
            if !out.contains(&problem) {
                out.push(problem);
            }
        }
        if !reads_a_field {
            out.push("the numerator reads no field: name the question it counts".into());
        }
        out
    }

    /// Counts `households` (those born in or before `year - 15` being the persons aged 15+).
    pub fn count(&self, households: &[HouseholdRow], year: i64) -> RuleCount {
        let fields: Vec<&str> = self.numerator.tests().iter().filter_map(field_of).collect();
        let mut c = RuleCount::default();
        let mut add = |record: &Record<'_>| {
            if !self
                .denominator
                .as_ref()
                .is_none_or(|d| record.meets(d, year))
            {
                return;
            }
            c.eligible += 1;
            if fields.iter().all(|f| record.answered(f)) {
                c.asked += 1;
                if record.meets(&self.numerator, year) {
                    c.numerator += 1;
                }
            }
        };
        for h in households
            .iter()
            .filter(|h| !h.deleted && h.duplicate_of.is_none())
        {
            match self.counts {
                Counted::Households => add(&Record::household(h)),
                Counted::Persons => h
                    .persons
                    .iter()
                    .filter(|p| !p.deleted && p.birth_year.is_none_or(|y| y <= year - 15))
                    .for_each(|p| add(&Record::person(p))),
            }
        }
        c
    }
}

/// Every readable indicator rule of the catalogue, with its indicator's id.
pub async fn rules(store: &Store) -> Result<Vec<(i64, IndicatorRule)>, StoreError> {
    Ok(store
        .indicator_rules()
        .await?
        .iter()
        .filter_map(|row| IndicatorRule::from_row(row).map(|r| (row.id, r)))
        .collect())
}

/// The field a test reads (none for the person's age).
fn field_of<'a>(t: &Test<'a>) -> Option<&'a str> {
    match t {
        Test::YesNo(f) | Test::Answered(f) | Test::AtLeast(f) | Test::Equals(f, _) => Some(f),
        Test::Age => None,
    }
}

/// One answer as the conditions compare it.
#[derive(Debug, PartialEq)]
enum Answer<'a> {
    None,
    Int(i64),
    Bool(bool),
    Text(&'a str),
}

/// A household or a person with its answers: columns first, then the fields without one.
struct Record<'a> {
    row: Row<'a>,
    others: Map<String, Json>,
}

#[derive(Clone, Copy)]
enum Row<'a> {
    Household(&'a HouseholdRow),
    Person(&'a PersonRow),
}

impl<'a> Record<'a> {
    fn household(h: &'a HouseholdRow) -> Self {
        Record {
            row: Row::Household(h),
            others: parse(h.answers.as_deref()),
        }
    }

    fn person(p: &'a PersonRow) -> Self {
        Record {
            row: Row::Person(p),
            others: parse(p.answers.as_deref()),
        }
    }

    /// The answer of a field that has a column (or a place of its own in the row).
    fn column(&self, key: &str) -> Option<Answer<'a>> {
        match self.row {
            Row::Household(h) => match key {
                "head_name" => Some(text(h.head_name.as_deref())),
                "address" => Some(text(h.address.as_deref())),
                "phone" => Some(text(h.phone.as_deref())),
                _ => h.cell(key).map(Answer::from),
            },
            Row::Person(p) => match key {
                "full_name" => Some(text(p.full_name.as_deref())),
                "cccd" => Some(text(p.cccd.as_deref())),
                "phone" => Some(text(p.phone.as_deref())),
                _ => p.cell(key).map(Answer::from),
            },
        }
    }

    fn birth_year(&self) -> Option<i64> {
        match self.row {
            Row::Household(_) => None,
            Row::Person(p) => p.birth_year,
        }
    }

    fn answer(&self, key: &str) -> Answer<'_> {
        if let Some(a) = self.column(key) {
            return a;
        }
        match self.others.get(key) {
            Some(Json::Bool(b)) => Answer::Bool(*b),
            Some(Json::Number(n)) => n.as_i64().map_or(Answer::None, Answer::Int),
            Some(Json::String(s)) => text(Some(s)),
            // A list of choices, a map: answered, compared by nothing else.
            Some(Json::Array(a)) if !a.is_empty() => Answer::Text(""),
            _ => Answer::None,
        }
    }

    fn answered(&self, key: &str) -> bool {
        self.answer(key) != Answer::None
    }

    fn meets(&self, c: &Condition, year: i64) -> bool {
        match c {
            Condition::Yes(f) => matches!(self.answer(f), Answer::Bool(true) | Answer::Int(1)),
            Condition::No(f) => matches!(self.answer(f), Answer::Bool(false) | Answer::Int(0)),
            Condition::Answered(f) => self.answered(f),
            Condition::Equals(fv) => match (self.answer(&fv.field), &fv.value) {
                (Answer::Int(a), ChoiceValue::Int(b)) => a == *b,
                (Answer::Text(a), ChoiceValue::Str(b)) => a == b,
                _ => false,
            },
            Condition::AtLeast(fnum) => {
                matches!(self.answer(&fnum.field), Answer::Int(v) if v >= fnum.value)
            }
            Condition::AgeAtLeast(n) => self.birth_year().is_none_or(|y| year - y >= *n),
            Condition::All(cs) => cs.iter().all(|c| self.meets(c, year)),
            Condition::Any(cs) => cs.iter().any(|c| self.meets(c, year)),
            Condition::Not(c) => !self.meets(c, year),
        }
    }
}

impl<'a> From<Cell<'a>> for Answer<'a> {
    fn from(c: Cell<'a>) -> Self {
        match c {
            Cell::Null => Answer::None,
            Cell::Int(i) => Answer::Int(i),
            Cell::Text(t) => text(Some(t)),
        }
    }
}

/// A text answer; an empty one is no answer.
fn text(t: Option<&str>) -> Answer<'_> {
    match t {
        Some(t) if !t.trim().is_empty() => Answer::Text(t),
        _ => Answer::None,
    }
}

fn parse(answers: Option<&str>) -> Map<String, Json> {
    answers
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;

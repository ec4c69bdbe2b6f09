//! The rows the projection writes: a household and its persons as SQL stores them.

/// Household yes/no answers: their `households` columns, in the order of `HouseholdRow::flags`
/// (the village document uses the same names, see `survey::schema`).
pub const HOUSEHOLD_FLAG_COLUMNS: [&str; 4] = [
    "pays_electricity_cashless",
    "pays_water_cashless",
    "has_business",
    "business_has_qr",
];

/// The per-person checklist (yes/no): its `persons` columns, in the order of `PersonRow::flags`.
pub const PERSON_FLAG_COLUMNS: [&str; 12] = [
    "has_cccd",
    "has_phone",
    "has_smartphone",
    "own_sim",
    "has_public_service_account",
    "has_payment_account",
    "has_e_signature",
    "has_province_app",
    "has_cyber_safety_app",
    "trained_digital_skills",
    "uses_digital_platform",
    "used_online_service_eid",
];

/// One column's value as SQL would see it (what a counter's condition is evaluated against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

impl From<Option<bool>> for Cell<'_> {
    fn from(v: Option<bool>) -> Self {
        v.map_or(Cell::Null, |b| Cell::Int(i64::from(b)))
    }
}

impl From<Option<i64>> for Cell<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Null, Cell::Int)
    }
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Cell::Null, Cell::Text)
    }
}

/// A household as the projection stores it (read out of a village document by `survey::read`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HouseholdRow {
    pub id: String,
    pub head_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// The household checklist answers, in the order of their `households` columns.
    pub flags: [Option<bool>; 4],
    pub deleted: bool,
    pub duplicate_of: Option<String>,
    pub created_at: Option<i64>,
    pub created_by: Option<String>,
    /// Outcome, time and visitor of the latest visit.
    pub visit_outcome: Option<String>,
    pub visited_at: Option<i64>,
    /// The `by` the document gives for that visit: trusted only when a server-side edit wrote it.
    pub visited_by: Option<String>,
    /// Automerge actor (hex) that created that visit: the projection attributes the visit to the
    /// signed-in user who uploaded that actor's changes, whatever `by` says.
    pub visited_actor: Option<String>,
    pub visits: i64,
    /// What the visits helped with: (the visit's `at` in ms, the kind), for kinds marked true.
    pub helped: Vec<(i64, String)>,
    pub persons: Vec<PersonRow>,
    /// Answers to fields without a column (a later survey version's, or unknown to this
    /// server): a JSON object, `None` when there are none.
    pub answers: Option<String>,
    /// Fields that could not be read as the schema says.
    pub errors: Vec<String>,
}

impl HouseholdRow {
    /// The value of a `households` column a counter's condition may name (`None`: not one).
    pub fn cell(&self, column: &str) -> Option<Cell<'_>> {
        if let Some(i) = HOUSEHOLD_FLAG_COLUMNS.iter().position(|c| *c == column) {
            return Some(self.flags[i].into());
        }
        Some(match column {
            "visit_outcome" => self.visit_outcome.as_deref().into(),
            "visited_at" => self.visited_at.into(),
            "duplicate_of" => self.duplicate_of.as_deref().into(),
            "deleted" => Cell::Int(i64::from(self.deleted)),
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonRow {
    pub id: String,
    pub full_name: Option<String>,
    pub birth_year: Option<i64>,
    pub sex: Option<String>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub deleted: bool,
    pub vneid_level: Option<i64>,
    /// The person checklist answers, in the order of their `persons` columns.
    pub flags: [Option<bool>; 12],
    /// Answers to fields without a column, as for `HouseholdRow::answers`.
    pub answers: Option<String>,
}

impl PersonRow {
    /// The value of a `persons` column a counter's condition may name (`None`: not one).
    pub fn cell(&self, column: &str) -> Option<Cell<'_>> {
        if let Some(i) = PERSON_FLAG_COLUMNS.iter().position(|c| *c == column) {
            return Some(self.flags[i].into());
        }
        Some(match column {
            "vneid_level" => self.vneid_level.into(),
            "birth_year" => self.birth_year.into(),
            "sex" => self.sex.as_deref().into(),
            "deleted" => Cell::Int(i64::from(self.deleted)),
            _ => return None,
        })
    }
}

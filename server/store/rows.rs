//! The rows the projection writes: a household and its persons as SQL stores them.

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
    pub persons: Vec<PersonRow>,
    /// Fields that could not be read as the schema says.
    pub errors: Vec<String>,
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
}

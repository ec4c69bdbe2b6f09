//! The rows the bulk loaders write, with their columns: those of `households` and `persons`
//! as the projection (server/store/projection.rs) writes them, the yes/no answers named by the
//! survey schema.

use std::collections::HashMap;

use khaosat::store::{HouseholdRow, PersonRow};
use khaosat::survey::schema::{HOUSEHOLD_FLAGS, PERSON_FLAGS};

use crate::population::Village;

/// A column value, written by both loaders.
#[derive(Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Int(i64),
    Null,
}

pub fn text(s: Option<&str>) -> Cell<'_> {
    s.map_or(Cell::Null, Cell::Text)
}

pub fn int(i: Option<i64>) -> Cell<'static> {
    i.map_or(Cell::Null, Cell::Int)
}

pub trait Row {
    const TABLE: &'static str;
    /// The columns, in the order of `cells`.
    fn columns() -> Vec<&'static str>;
    fn cells(&self) -> Vec<Cell<'_>>;
}

pub struct Household<'p> {
    pub id: String,
    pub village: &'p Village,
    pub head_name: String,
    pub address: String,
    pub phone: Option<String>,
    /// `survey::schema::HOUSEHOLD_FLAGS`, in order.
    pub flags: [Option<i64>; HOUSEHOLD_FLAGS.len()],
    pub deleted: bool,
    pub duplicate_of: Option<String>,
    pub created_at: i64,
    pub created_by: String,
    pub visit_outcome: Option<&'static str>,
    pub visited_at: Option<i64>,
    pub visited_by: Option<String>,
    pub visits: i64,
    pub updated_at: i64,
}

impl Row for Household<'_> {
    const TABLE: &'static str = "households";
    fn columns() -> Vec<&'static str> {
        let mut c = vec![
            "id",
            "village_code",
            "document_id",
            "head_name",
            "address",
            "phone",
        ];
        c.extend(HOUSEHOLD_FLAGS);
        c.extend([
            "deleted",
            "duplicate_of",
            "created_at",
            "created_by",
            "visit_outcome",
            "visited_at",
            "visited_by",
            "visits",
            "updated_at",
        ]);
        c
    }

    fn cells(&self) -> Vec<Cell<'_>> {
        let mut c = vec![
            Cell::Text(&self.id),
            Cell::Text(&self.village.code),
            Cell::Text(&self.village.document_id),
            Cell::Text(&self.head_name),
            Cell::Text(&self.address),
            text(self.phone.as_deref()),
        ];
        c.extend(self.flags.map(int));
        c.extend([
            Cell::Int(i64::from(self.deleted)),
            text(self.duplicate_of.as_deref()),
            Cell::Int(self.created_at),
            Cell::Text(&self.created_by),
            text(self.visit_outcome),
            int(self.visited_at),
            text(self.visited_by.as_deref()),
            Cell::Int(self.visits),
            Cell::Int(self.updated_at),
        ]);
        c
    }
}

pub struct Person<'p> {
    pub id: String,
    pub household_id: String,
    pub village: &'p Village,
    pub full_name: String,
    pub birth_year: Option<i64>,
    pub sex: Option<&'static str>,
    pub cccd: Option<String>,
    pub phone: Option<String>,
    pub deleted: bool,
    pub vneid_level: Option<i64>,
    /// `survey::schema::PERSON_FLAGS`, in order.
    pub flags: [Option<i64>; PERSON_FLAGS.len()],
    pub updated_at: i64,
}

impl Row for Person<'_> {
    const TABLE: &'static str = "persons";
    fn columns() -> Vec<&'static str> {
        let mut c = vec![
            "id",
            "household_id",
            "village_code",
            "full_name",
            "birth_year",
            "sex",
            "cccd",
            "phone",
            "deleted",
            "vneid_level",
        ];
        c.extend(PERSON_FLAGS);
        c.push("updated_at");
        c
    }

    fn cells(&self) -> Vec<Cell<'_>> {
        let mut c = vec![
            Cell::Text(&self.id),
            Cell::Text(&self.household_id),
            Cell::Text(&self.village.code),
            Cell::Text(&self.full_name),
            int(self.birth_year),
            text(self.sex),
            text(self.cccd.as_deref()),
            text(self.phone.as_deref()),
            Cell::Int(i64::from(self.deleted)),
            int(self.vneid_level),
        ];
        c.extend(self.flags.map(int));
        c.push(Cell::Int(self.updated_at));
        c
    }
}

/// A village's generated rows as the projection reads them out of its document (what the
/// indicators' rules are counted over).
pub fn projected(households: &[Household<'_>], persons: &[Person<'_>]) -> Vec<HouseholdRow> {
    let flag = |f: Option<i64>| f.map(|v| v == 1);
    let mut out: Vec<HouseholdRow> = households
        .iter()
        .map(|h| HouseholdRow {
            id: h.id.clone(),
            flags: h.flags.map(flag),
            deleted: h.deleted,
            duplicate_of: h.duplicate_of.clone(),
            visit_outcome: h.visit_outcome.map(str::to_string),
            visited_at: h.visited_at,
            visits: h.visits,
            ..Default::default()
        })
        .collect();
    let index: HashMap<&str, usize> = out
        .iter()
        .enumerate()
        .map(|(i, h)| (h.id.as_str(), i))
        .collect();
    let mut members: Vec<Vec<PersonRow>> = vec![Vec::new(); out.len()];
    for p in persons {
        if let Some(&i) = index.get(p.household_id.as_str()) {
            members[i].push(PersonRow {
                id: p.id.clone(),
                birth_year: p.birth_year,
                deleted: p.deleted,
                vneid_level: p.vneid_level,
                flags: p.flags.map(flag),
                ..Default::default()
            });
        }
    }
    for (h, m) in out.iter_mut().zip(members) {
        h.persons = m;
    }
    out
}

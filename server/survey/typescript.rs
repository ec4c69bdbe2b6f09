//! The TypeScript types of the village document, generated from `schema.rs` so the PWA and the
//! server cannot drift apart: `pwa/src/schema.ts` is this output, checked by a test.

use crate::survey::definition::{FieldType, Section};
use crate::survey::schema::{
    self, HELPED_WITH, HOUSEHOLD_FLAGS, PERSON_FLAGS, SEXES, VISIT_OUTCOMES,
};

fn union(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The source of `pwa/src/schema.ts`.
pub fn typescript() -> String {
    let flags = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("  {n}?: boolean | null;\n"))
            .collect::<String>()
    };
    format!(
        "// Generated from server/survey/schema.rs by `KHAOSAT_WRITE_SCHEMA=1 cargo test typescript_schema`.\n\
         // Do not edit: change the Rust schema and regenerate. See docs/SCHEMA.md.\n\n\
         export const SCHEMA_VERSION = {version};\n\n\
         export type Sex = {sexes};\n\
         export type VisitOutcome = {outcomes};\n\
         export type HelpedWith = {helped};\n\n\
         export const HOUSEHOLD_FLAGS = [{household_list}] as const;\n\
         export const PERSON_FLAGS = [{person_list}] as const;\n\
         export const VISIT_OUTCOMES = [{outcome_list}] as const;\n\
         export const HELPED_WITH = [{helped_list}] as const;\n\n\
         /** What a visit helped with, as the plans name it (vi) and in English. */\n\
         export const HELPED_LABELS: Record<HelpedWith, {{ vi: string; en: string }}> = {{\n{helped_labels}}};\n\n\
         /** Strings are written as Automerge ImmutableString; the server also reads text. */\n\
         export interface Person {{\n  full_name?: string;\n  birth_year?: number;\n  sex?: Sex;\n  cccd?: string;\n  phone?: string;\n  deleted?: boolean;\n  /** 0 none, 1 level 1, 2 level 2 */\n  vneid_level?: 0 | 1 | 2 | null;\n{person_flags}}}\n\n\
         export interface Visit {{\n  /** Unix milliseconds */\n  at: number;\n  by: string;\n  outcome: VisitOutcome;\n  helped?: Partial<Record<HelpedWith, boolean>>;\n  note?: string;\n}}\n\n\
         export interface Household {{\n  head_name?: string;\n  address?: string;\n  phone?: string;\n{household_flags}  deleted?: boolean;\n  duplicate_of?: string;\n  created_at?: number;\n  created_by?: string;\n  {persons}?: Record<string, Person>;\n  {visits}?: Record<string, Visit>;\n}}\n\n\
         export interface VillageDocument {{\n  {version_key}: number;\n  {village}: string;\n  {households}: Record<string, Household>;\n}}\n\n\
         /** The types of a survey definition's fields (docs/SCHEMA.md, \"Survey definition\"). */\n\
         export const FIELD_TYPES = [{field_types}] as const;\n\
         export type FieldType = (typeof FIELD_TYPES)[number];\n\n\
         /** Keys the document keeps for itself in each section: no field may take them. */\n\
         export const RESERVED_KEYS = {{ {reserved} }} as const;\n",
        version = schema::SCHEMA_VERSION,
        sexes = union(&SEXES),
        outcomes = union(&VISIT_OUTCOMES),
        helped = union(&HELPED_WITH),
        household_list = list(&HOUSEHOLD_FLAGS),
        person_list = list(&PERSON_FLAGS),
        outcome_list = list(&VISIT_OUTCOMES),
        helped_list = list(&HELPED_WITH),
        helped_labels = schema::HELPED_KINDS
            .iter()
            .map(|l| format!("  {}: {{ vi: {:?}, en: {:?} }},\n", l.key, l.vi, l.en))
            .collect::<String>(),
        person_flags = flags(&PERSON_FLAGS),
        household_flags = flags(&HOUSEHOLD_FLAGS),
        persons = schema::PERSONS,
        visits = schema::VISITS,
        version_key = schema::SCHEMA_VERSION_KEY,
        village = schema::VILLAGE_CODE,
        households = schema::HOUSEHOLDS,
        field_types = FieldType::ALL
            .iter()
            .map(|t| format!("\"{}\"", t.name()))
            .collect::<Vec<_>>()
            .join(", "),
        reserved = Section::ALL
            .iter()
            .map(|s| format!("{}: [{}]", s.name(), list(s.reserved())))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typescript_schema_is_in_step() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("pwa/src/schema.ts");
        let generated = typescript();
        if std::env::var_os("KHAOSAT_WRITE_SCHEMA").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed, generated,
            "pwa/src/schema.ts is stale: run KHAOSAT_WRITE_SCHEMA=1 cargo test typescript_schema"
        );
    }

    #[test]
    fn schema_doc_names_every_field() {
        let doc = include_str!("../../docs/SCHEMA.md");
        for field in HOUSEHOLD_FLAGS
            .iter()
            .chain(&PERSON_FLAGS)
            .chain(&HELPED_WITH)
            .chain(&VISIT_OUTCOMES)
        {
            assert!(
                doc.contains(&format!("`{field}`")),
                "docs/SCHEMA.md does not mention {field}"
            );
        }
    }
}

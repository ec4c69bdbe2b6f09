// The survey definition as data (docs/SCHEMA.md, "Survey definition"): what each screen asks.
// The shapes mirror server/survey/definition/ (field types and reserved keys come generated in
// schema.ts); the server checks every definition it serves.
// Version 1 is built in (the same file the server embeds), so the form works offline from the
// first load; a newer version is fetched with the document list at each connection and kept on
// the phone. Answers to fields a version hides or a phone does not know stay in the document.
import { signal } from "@preact/signals"
import builtIn from "../../../server/survey/definition/v1.json"
import { api } from "../api/http"
import { lang } from "../i18n"
import { readJson, writeJson } from "../util/storage"
import type { FieldType } from "../schema"

export interface Text {
  vi: string
  en?: string
}
export type { FieldType }
export type ChoiceValue = string | number
export interface Choice {
  value: ChoiceValue
  label: Text
  hidden?: boolean
}
export type Condition =
  | { yes: string }
  | { no: string }
  | { answered: string }
  | { equals: { field: string; value: ChoiceValue } }
  | { at_least: { field: string; value: number } }
  | { age_at_least: number }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
export interface Field {
  key: string
  type: FieldType
  label: Text
  hint?: Text
  part?: "details" | "checklist"
  choices?: Choice[]
  min?: number
  max?: number
  required?: boolean
  relevant?: Condition
  hidden?: boolean
}
export type SectionName = "household" | "person" | "visit"
export interface SurveyDefinition {
  version: number
  title: Text
  household: Field[]
  person: Field[]
  visit: Field[]
}

const KEY = "khaosat.survey"
const v1 = builtIn as SurveyDefinition

/** The version this phone renders: the newest it has seen (never older than the built-in one). */
export const survey = signal<SurveyDefinition>(newest(readJson<SurveyDefinition | null>(KEY, null)))

function newest(kept: SurveyDefinition | null): SurveyDefinition {
  return kept && kept.version > v1.version ? kept : v1
}

/**
 * Asks the server for the current version (at each connection). A form open meanwhile re-renders
 * with the new fields; what was typed is in the document already (every field saves on leaving).
 */
export async function refreshSurvey(): Promise<void> {
  try {
    keepSurvey(await api<SurveyDefinition>("/api/v1/survey"))
  } catch {
    // Offline or signed out: keep the version this phone has.
  }
}

/** Keeps a version on this phone (and renders it) when it is newer than the one it has. */
export function keepSurvey(def: SurveyDefinition): void {
  if (def.version <= survey.peek().version) return
  writeJson(KEY, def)
  survey.value = def
}

/** A text in the language of the app (Vietnamese when there is no English). */
export const say = (text: Text | undefined): string => (text ? (lang.value === "en" && text.en) || text.vi : "")

/** The fields of a section still asked, in order, optionally of one part. */
export function asked(def: SurveyDefinition, section: SectionName, part?: "details" | "checklist"): Field[] {
  return def[section].filter((f) => !f.hidden && (!part || (f.part ?? "checklist") === part))
}

/** Whether a record's value is an answer (not absent, null or an empty string). */
export function isAnswered(v: unknown): boolean {
  if (v === undefined || v === null) return false
  if (typeof v === "object" && !(v instanceof Array) && "val" in (v as object)) return String((v as { val: unknown }).val) !== ""
  if (typeof v === "object") return Object.values(v as object).some((x) => x === true)
  return String(v) !== ""
}

const plain = (v: unknown): unknown => (v !== null && typeof v === "object" && "val" in (v as object) ? (v as { val: unknown }).val : v)

/** Whether `field` is asked of `record` (its relevance rule holds); `year` is the year of the visit. */
export function isRelevant(field: Field, record: Record<string, unknown>, year = new Date().getFullYear()): boolean {
  return !field.relevant || holds(field.relevant, record, year)
}

function holds(c: Condition, r: Record<string, unknown>, year: number): boolean {
  if ("yes" in c) return r[c.yes] === true
  if ("no" in c) return r[c.no] === false
  if ("answered" in c) return isAnswered(r[c.answered])
  if ("equals" in c) return plain(r[c.equals.field]) === c.equals.value
  if ("at_least" in c) {
    const v = plain(r[c.at_least.field])
    return typeof v === "number" && v >= c.at_least.value
  }
  if ("age_at_least" in c) {
    const born = plain(r.birth_year)
    return typeof born !== "number" || year - born >= c.age_at_least
  }
  if ("all" in c) return c.all.every((x) => holds(x, r, year))
  if ("any" in c) return c.any.some((x) => holds(x, r, year))
  if ("not" in c) return !holds(c.not, r, year)
  return true
}

/** The checklist questions asked of a record and how many have an answer. */
export function progress(def: SurveyDefinition, section: SectionName, record: Record<string, unknown>): { answered: number; total: number } {
  const fields = asked(def, section, "checklist").filter((f) => isRelevant(f, record))
  return { answered: fields.filter((f) => isAnswered(record[f.key])).length, total: fields.length }
}

// A conflict's field and values as the lead reads them: the labels of the household and person
// forms ("Họ tên chủ hộ", "Số CCCD của Nguyễn Thị Lan"), the forms' words for coded values
// ("Nam", "Mức 2", "Vắng nhà", "Có"), and the document's current state of that field on this phone.
import { getConflicts } from "@automerge/automerge/slim"
import type { Household, VillageDocument } from "../schema"
import { str } from "../survey/read"
import { date, t } from "../i18n"

export type FieldValue = string | number | boolean | null

const HOUSEHOLD_TEXT: Record<string, string> = {
  head_name: "household.head_name",
  address: "household.address",
  phone: "household.phone",
  deleted: "field.household_deleted",
  duplicate_of: "field.duplicate_of",
}
const PERSON_TEXT: Record<string, string> = {
  full_name: "person.full_name",
  birth_year: "person.birth_year",
  sex: "person.sex",
  cccd: "person.cccd",
  phone: "person.phone",
  vneid_level: "person.vneid",
  deleted: "field.person_deleted",
}

/** The label of a field path inside a household, saying whose it is for a person's field. */
export function fieldLabel(field: string, h: Household | undefined): string {
  const [first, id, key, sub] = field.split("/")
  if (first === "persons" && key) {
    const label = PERSON_TEXT[key] ? t(PERSON_TEXT[key]) : t(`flag.${key}`)
    const name = str(h?.persons?.[id]?.full_name) || t("person.no_name")
    return t("field.of_person", { field: label, name })
  }
  if (first === "visits" && key) {
    const at = h?.visits?.[id]?.at
    const label = key === "outcome" ? t("field.visit_outcome") : key === "note" ? t("visit.note") : key === "helped" && sub ? `${t("visit.helped")}: ${t(`helped.${sub}`)}` : key
    return at ? t("field.of_visit", { field: label, date: date(at) }) : label
  }
  if (!id) return HOUSEHOLD_TEXT[first] ? t(HOUSEHOLD_TEXT[first]) : t(`flag.${first}`)
  return field
}

/** A value as the forms show it. */
export function valueText(field: string, value: FieldValue): string {
  const key = field.split("/").pop()!
  if (value === null || value === "") return t("review.empty_value")
  if (typeof value === "boolean") return value ? t("yes") : t("no")
  if (key === "sex") return t(`sex.${value}`)
  if (key === "vneid_level") return t(`vneid.${value}`)
  if (key === "outcome") return t(`outcome.${value}`)
  return String(value)
}

/** The field's place in this phone's copy: the object holding it and its key. */
function locate(doc: VillageDocument, householdId: string, field: string): { obj: Record<string, unknown>; key: string } | undefined {
  const path = field.split("/")
  const key = path.pop()!
  let obj: unknown = doc.households?.[householdId]
  for (const step of path) obj = obj && typeof obj === "object" ? (obj as Record<string, unknown>)[step] : undefined
  return obj && typeof obj === "object" ? { obj: obj as Record<string, unknown>, key } : undefined
}

const plain = (v: unknown): FieldValue => (v === undefined ? null : typeof v === "object" && v !== null ? str(v) : (v as FieldValue))

/**
 * What this phone's copy holds for the field: the value it shows, and whether it holds several
 * values (the conflict has reached this phone; only then does writing the field settle it
 * rather than start another conflict).
 */
export function localField(doc: VillageDocument, householdId: string, field: string): { shown: FieldValue; values: FieldValue[] } | undefined {
  const at = locate(doc, householdId, field)
  if (!at) return undefined
  const conflicts = getConflicts(at.obj, at.key)
  const values = conflicts ? Object.values(conflicts).map(plain) : []
  return { shown: plain(at.obj[at.key]), values }
}

export const sameValue = (a: FieldValue, b: FieldValue) => a === b || ((a === null || a === "") && (b === null || b === ""))

// A conflict's field and values as the lead reads them: the labels of the survey definition's
// questions ("Họ tên chủ hộ", "Số CCCD của Nguyễn Thị Lan"), its words for choices ("Nam",
// "Mức 2", "Vắng nhà", "Có"), and the document's current state of that field on this phone.
import { getConflicts } from "@automerge/automerge/slim"
import type { Household, VillageDocument } from "../schema"
import { str } from "../survey/read"
import { say, survey, type SectionName } from "../survey/definition"
import { date, t } from "../i18n"

export type FieldValue = string | number | boolean | null

/** The document's own keys (not questions of the survey). */
const OWN: Record<string, string> = {
  deleted: "field.household_deleted",
  duplicate_of: "field.duplicate_of",
}

/** The survey's label of a field (the version this phone has); the key itself if unknown. */
function label(section: SectionName, key: string): string {
  if (section === "visit" && key === "outcome") return t("field.visit_outcome")
  const f = survey.value[section].find((x) => x.key === key)
  return f ? say(f.label) : key
}

/** The label of a field path inside a household, saying whose it is for a person's field. */
export function fieldLabel(field: string, h: Household | undefined): string {
  const [first, id, key, sub] = field.split("/")
  if (first === "persons" && key) {
    const text = key === "deleted" ? t("field.person_deleted") : label("person", key)
    const name = str(h?.persons?.[id]?.full_name) || t("person.no_name")
    return t("field.of_person", { field: text, name })
  }
  if (first === "visits" && key) {
    const at = h?.visits?.[id]?.at
    const text = sub ? `${label("visit", key)}: ${choiceLabel("visit", key, sub) ?? sub}` : label("visit", key)
    return at ? t("field.of_visit", { field: text, date: date(at) }) : text
  }
  if (!id) return OWN[first] ? t(OWN[first]) : label("household", first)
  return field
}

/** The label of one choice of a field, if the survey has it. */
function choiceLabel(section: SectionName, key: string, value: FieldValue): string | undefined {
  const c = survey.value[section].find((x) => x.key === key)?.choices?.find((c) => c.value === value)
  return c ? say(c.label) : undefined
}

/** A value as the forms show it. */
export function valueText(field: string, value: FieldValue): string {
  const path = field.split("/")
  const key = path.pop()!
  if (value === null || value === "") return t("review.empty_value")
  if (typeof value === "boolean") return value ? t("yes") : t("no")
  const section: SectionName = path[0] === "persons" ? "person" : path[0] === "visits" ? "visit" : "household"
  return choiceLabel(section, key, value) ?? String(value)
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

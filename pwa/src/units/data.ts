// The unit tree's answers (docs/API.md, /units), the search, names of units by code, and the
// server's sentences about units turned into Vietnamese (the server writes English; a sentence we
// do not recognise is shown as it came).
import { api, ApiError } from "../api/http"
import { session } from "../api/session"
import type { Role } from "../api/types"
import { fold } from "../util/fold"
import { t } from "../i18n"

export interface UnitInfo {
  /** The unit's identity for life (URLs); `official_code` is the code it holds now. */
  code: string
  official_code?: string
  name: string
  level: string
  parent_code: string | null
  /** active | merged | retired */
  status: string
  merged_into: string | null
  created_at: string
  retired_at: string | null
}

export interface UnitEvent {
  unit_code: string
  /** created | moved | merged | retired | renamed */
  kind: string
  old_parent: string | null
  new_parent: string | null
  other_unit: string | null
  detail: string | null
  actor: string | null
  at: string
}

export interface CodePeriod {
  code: string
  unit_code: string
  /** "0001-01-01": held since before the system knew */
  valid_from: string
  valid_to: string | null
}

export interface UnitDetail extends UnitInfo {
  children: UnitInfo[]
  history: UnitEvent[]
  codes?: CodePeriod[]
}

export interface ImportedUnit {
  line: number
  code: string
  name: string
  level: string
  parent_code: string | null
}

export interface UnitImport {
  dry_run: boolean
  created: number
  unchanged: number
  units: ImportedUnit[]
}

export interface RecordProblem {
  village_code: string
  household_id: string
  message: string
  at: string
}

export interface AccessEntry {
  at: string
  user_id: number
  username: string
  display_name?: string | null
  role: Role
  device_id: string
  unit_code: string
  action: string
  detail: string
}

export interface FieldChange {
  field: string
  old: unknown
  new: unknown
}

export interface HouseholdChange {
  at: string
  user_id: number | null
  username: string | null
  display_name: string | null
  device_id: string | null
  actors: string[]
  fields: string[]
  values: FieldChange[]
}

export const enc = encodeURIComponent
export const unitPath = (code: string) => `/api/v1/units/${enc(code)}`

/** The tree's editors: the province (its own area) and the admin. */
export const TREE_ROLES: Role[] = ["province", "admin"]
export const PROBLEM_ROLES: Role[] = ["team_lead", "commune", "district", "province", "admin"]
export const ACCESS_LOG_ROLES: Role[] = ["commune", "district", "province", "admin"]

export const levelWord = (level: string) => t(`level.${level}`)

/** The code a person knows a unit by: the official one it holds now. */
export const shownCode = (u: { code: string; official_code?: string }) => u.official_code ?? u.code

// ---- Names of units by code (a history or a list names codes): asked once per code ----

const names = new Map<string, Promise<string | null>>()

export function rememberUnits(units: UnitInfo[]): void {
  for (const u of units) names.set(u.code, Promise.resolve(u.name))
}

/** The unit's name, or null when it is not visible to the caller (outside the area) or unreachable. */
export function unitName(code: string): Promise<string | null> {
  let p = names.get(code)
  if (!p) {
    p = api<UnitInfo>(unitPath(code)).then(
      (u) => u.name,
      (e) => {
        // Offline: ask again next time.
        if (!(e instanceof ApiError)) names.delete(code)
        return null
      },
    )
    names.set(code, p)
  }
  return p
}

export function forgetUnitNames(): void {
  names.clear()
  everything = undefined
}

// ---- Search: GET /units?q= (a code prefix, or the name without diacritics and case) ----

let everything: Promise<UnitInfo[]> | undefined

/** Every unit of the caller's area (the search's fallback on a server without `q`). */
function allUnits(): Promise<UnitInfo[]> {
  everything ??= api<UnitInfo[]>("/api/v1/units?include_inactive=true&limit=5000").catch((e) => {
    everything = undefined
    throw e
  })
  return everything
}

/** Matches a unit the way the server's `q` does: a code prefix, or the folded name containing the folded text. */
export function matchesUnit(u: UnitInfo, text: string): boolean {
  const q = fold(text)
  if (!q) return true
  const typed = text.trim().toLowerCase()
  return u.code.toLowerCase().startsWith(typed) || (u.official_code ?? "").startsWith(typed) || fold(u.name).includes(q)
}

/**
 * Units whose code starts with `text` or whose name contains it (without diacritics), inactive ones
 * included, at most 50. Asks the server (`q=`); a server that does not know `q` yet answers 400,
 * and then the area's list is filtered here.
 */
export async function searchUnits(text: string): Promise<UnitInfo[]> {
  const q = text.trim()
  let found: UnitInfo[]
  try {
    found = await api<UnitInfo[]>(`/api/v1/units?q=${enc(q)}&include_inactive=true&limit=50`)
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 400) throw e
    found = (await allUnits()).filter((u) => matchesUnit(u, q))
  }
  rememberUnits(found)
  return found.slice(0, 50)
}

/** The caller's top units: the provinces for an admin, else the scope unit. */
export async function rootUnits(): Promise<UnitInfo[]> {
  const me = session.value?.user
  if (!me?.scope_unit) return api<UnitInfo[]>("/api/v1/units?level=province")
  return [await api<UnitInfo>(unitPath(me.scope_unit))]
}

// ---- The server's sentences, in Vietnamese ----

const level = (english: string) => t(`level.${english}`).toLowerCase()

const RULES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^(\d+) problem\(s\) in the CSV; nothing was imported.*$/s, (m) => t("units.err.problems", { n: Number(m[1]) })],
  [/^cannot read the header: (.*)$/s, () => t("units.err.header_unreadable")],
  [/^the header must name the columns code,name,level,parent_code \(found: (.*)\)$/s, (m) => t("units.err.header", { found: m[1] })],
  [/^the header must name the columns code,name,level,parent_code .*; found: (.*)$/s, (m) => t("units.err.header", { found: m[1] })],
  [/^give the level of '(.*)': write one of .*$/s, (m) => t("units.err.give_level", { name: m[1] })],
  [/^code (\S+) was held by '(.*)', which is (\w+) now; .*$/s, (m) => t("units.err.code_former", { code: m[1], name: m[2], status: t(`units.status.${m[3]}`) })],
  // The reform's mapping and the placement sheet.
  [/^(\d+) problem\(s\) in the (mapping|sheet); nothing was (changed|placed)$/, (m) => t("reform.err.problems", { n: Number(m[1]) })],
  [/^the header must name the columns (old_commune_code|village_code).* \(found: (.*)\)$/s, (m) => t("reform.err.header", { found: m[2] })],
  [/^former commune (\S+) \((.*)\) is not in the tree on (\S+): .*$/s, (m) => t("reform.err.not_in_tree", { code: m[1], name: m[2], date: m[3] })],
  [/^former commune (\S+) \('(.*)'\) is already \w+ .*$/s, (m) => t("reform.err.already", { code: m[1], name: m[2] })],
  [/^former commune (\S+) \('(.*)'\) is outside your area$/, (m) => t("reform.err.outside", { code: m[1], name: m[2] })],
  [/^share '(.*)' must be full .*$/s, (m) => t("reform.err.share", { share: m[1] })],
  [/^former commune (\S+) goes whole \(full\) into (\S+), yet line (\d+) .*$/s, (m) => t("reform.err.whole_and_part", { code: m[1], into: m[2], other: m[3] })],
  [/^new commune (\S+) is called '(.*)' here and '(.*)' on line (\d+)$/, (m) => t("reform.err.two_names", { code: m[1], name: m[2], other: m[3], line: m[4] })],
  [/^code (\S+) is held on (\S+) by '(.*)' \(\S+\), which this reform does not retire$/, (m) => t("reform.err.held", { code: m[1], date: m[2], name: m[3] })],
  [/^effective date '(.*)' is not a date: .*$/s, (m) => t("reform.err.date", { date: m[1] })],
  [/^village (\S+) is not waiting to be placed .*$/s, (m) => t("reform.err.not_waiting", { code: m[1] })],
  [/^(\S+) is not one of the new communes (\S+) \('(.*)'\) went into: (.*)$/, (m) => t("reform.err.not_candidate", { into: m[1], former: m[2], name: m[3], list: m[4] })],
  [/^unreadable CSV: (.*)$/s, () => t("units.err.unreadable")],
  [/^code '(.*)' is not valid .*$/s, (m) => t("units.err.code", { code: m[1] })],
  [/^name is empty$/, () => t("units.err.name_empty")],
  [/^name is longer than 200 characters$/, () => t("units.err.name_long")],
  [/^level '(.*)' is not a level: .*$/s, (m) => t("units.err.level", { level: m[1] })],
  [/^code (\S+) appears again \(first on line (\d+)\)$/, (m) => t("units.err.repeated", { code: m[1], line: m[2] })],
  [/^an? (\w+) needs a parent_code$/, (m) => t("units.err.needs_parent", { level: level(m[1]) })],
  [/^parent_code (\S+) is neither in this file nor an existing unit$/, (m) => t("units.err.no_parent", { code: m[1] })],
  [/^an? (\w+) cannot sit under (\S+), which is an? (\w+)$/, (m) => t("units.err.wrong_parent", { level: level(m[1]), code: m[2], parent: level(m[3]) })],
  [/^the file has no units.*$/s, () => t("units.err.empty")],
  [
    /^unit (\S+) already exists as '(.*)' \((\w+), under (\S+)\); .*$/s,
    (m) => t("units.err.exists", { code: m[1], name: m[2], level: level(m[3]), parent: m[4] === "nothing" ? "—" : m[4] }),
  ],
  [/^you may only add units inside your own area \((.*)\), under an active unit$/, (m) => t("units.err.outside", { scope: m[1] })],
  [/^(\S+) is an? (\w+) and (\S+) an? (\w+): only units of the same level merge$/, (m) => t("units.err.merge_level", { a: m[1], la: level(m[2]), b: m[3], lb: level(m[4]) })],
  [/^both units must be active .*$/s, () => t("units.err.merge_inactive")],
  [/^(\S+) lies inside (\S+)$/, (m) => t("units.err.merge_inside", { into: m[1], code: m[2] })],
  [/^a unit cannot be merged into itself$/, () => t("units.err.merge_self")],
  [/^unit (\S+) still has (\d+) active child unit\(s\).*$/s, (m) => t("units.err.retire_children", { code: m[1], n: Number(m[2]) })],
  [/^unit (\S+) is already (\w+)$/, (m) => t("units.err.already", { code: m[1], status: t(`units.status.${m[2]}`) })],
]

/** One sentence of the server (a problem of a line without its "line N: ", or a message), in the app's language. */
export function sayProblem(text: string): string {
  const one = (p: string) => {
    for (const [re, say] of RULES) {
      const m = p.match(re)
      if (m) return say(m)
    }
    return null
  }
  // A line's problems are joined with "; " (code, name, level…).
  return one(text) ?? text.split(/; (?=[a-z])/).map((p) => one(p) ?? p).join("; ")
}

/** "line 4: parent_code … " → { line: 4, text: "mã cha … " } */
export function lineProblem(detail: string): { line: number | null; text: string } {
  const m = detail.match(/^line (\d+):\s*(.*)$/s)
  return m ? { line: Number(m[1]), text: sayProblem(m[2]) } : { line: null, text: sayProblem(detail) }
}

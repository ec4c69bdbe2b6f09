// Reading a village document into plain rows for the screens. Strings in the document are
// Automerge ImmutableStrings (or collaborative text from other clients); str() accepts both.
import { isImmutableString } from "@automerge/automerge/slim"
import type { Assignment } from "../api/types"
import type { Household, Person, VillageDocument, Visit, VisitOutcome } from "../schema"
import { fold } from "../util/fold"

export function str(v: unknown): string {
  if (v === undefined || v === null) return ""
  if (typeof v === "string") return v
  if (isImmutableString(v)) return v.val
  return String(v)
}

export interface HouseholdRow {
  id: string
  head: string
  address: string
  phone: string
  members: number
  status: VisitOutcome | null
  lastVisitAt: number | null
  duplicateOf: string
  /** username of whoever recorded the household on a phone ("" for the register's) */
  createdBy: string
  /** folded head name, address, phone and member names, for searching */
  search: string
}

export function latestVisit(h: Household): [string, Visit] | undefined {
  let best: [string, Visit] | undefined
  for (const [id, v] of Object.entries(h.visits ?? {})) if (!best || (v.at ?? 0) > (best[1].at ?? 0)) best = [id, v]
  return best
}

export const livePersons = (h: Household): [string, Person][] =>
  Object.entries(h.persons ?? {}).filter(([, p]) => !p.deleted)

export function householdRow(id: string, h: Household): HouseholdRow {
  const persons = livePersons(h)
  const last = latestVisit(h)?.[1]
  const head = str(h.head_name)
  const address = str(h.address)
  const phone = str(h.phone)
  return {
    id,
    head,
    address,
    phone,
    members: persons.length,
    status: last ? (str(last.outcome) as VisitOutcome) : null,
    lastVisitAt: last?.at ?? null,
    duplicateOf: str(h.duplicate_of),
    createdBy: str(h.created_by),
    search: fold([head, address, phone, ...persons.map(([, p]) => str(p.full_name))].join(" ")),
  }
}

const rowCache = new WeakMap<object, HouseholdRow[]>()

/** Rows of the village's households (tombstoned ones left out), sorted by head name; cached per document version. */
export function householdRows(doc: VillageDocument): HouseholdRow[] {
  const cached = rowCache.get(doc)
  if (cached) return cached
  const rows = Object.entries(doc.households ?? {})
    .filter(([, h]) => !h.deleted)
    .map(([id, h]) => householdRow(id, h))
  const collator = new Intl.Collator("vi")
  rows.sort((a, b) => collator.compare(a.head, b.head) || collator.compare(a.address, b.address))
  rowCache.set(doc, rows)
  return rows
}

/**
 * The households an enumerator was given in a village: the union of their assignments' household
 * lists; null when any assignment gives the whole village (or none is known).
 */
export function assignedHouseholds(assignments: readonly Assignment[] | undefined, villageCode: string): Set<string> | null {
  const mine = (assignments ?? []).filter((a) => a.village_code === villageCode)
  if (!mine.length || mine.some((a) => !a.household_ids)) return null
  return new Set(mine.flatMap((a) => a.household_ids ?? []))
}

/** Rows of the given households, plus those this user recorded (a new house they found). */
export const onlyAssigned = (rows: HouseholdRow[], assigned: Set<string>, me: string) => rows.filter((r) => assigned.has(r.id) || (!!me && r.createdBy === me))

// Reading a village document into plain rows for the screens. Strings in the document are
// Automerge ImmutableStrings (or collaborative text from other clients); str() accepts both.
import { isImmutableString } from "@automerge/automerge/slim"
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

// Every edit writes exactly the keys the user changed, each in its own place (never a whole
// household or person object over an existing one), so two phones editing different fields of
// one household offline both keep their edits when they merge. Ids are random UUIDs made here.
import { ImmutableString, isImmutableString } from "@automerge/automerge/slim"
import type { DocHandle } from "@automerge/automerge-repo/slim"
import type { Household, Person, VillageDocument, Visit, VisitOutcome } from "../schema"
import { uuid } from "../util/uuid"
import { requestPersistence } from "./persist"

type Handle = DocHandle<VillageDocument>
type Value = string | number | boolean | null
const S = (s: string) => new ImmutableString(s)

/** Strings become immutable strings (docs/SCHEMA.md); an empty string removes the key. */
function put(obj: Record<string, unknown>, key: string, value: Value | undefined) {
  if (value === undefined || value === "") delete obj[key]
  else obj[key] = typeof value === "string" ? S(value) : value
}

export interface NewHousehold {
  head_name: string
  address: string
  phone: string
}

export function createHousehold(handle: Handle, fields: NewHousehold, by: string): string {
  const id = uuid()
  handle.change((doc) => {
    const h: Record<string, unknown> = { created_at: Date.now(), created_by: S(by), persons: {}, visits: {} }
    for (const [k, v] of Object.entries(fields)) put(h, k, v.trim())
    doc.households ??= {} // the server creates it with the document; only a malformed one lacks it
    doc.households[id] = h as Household
  })
  requestPersistence()
  return id
}

export function setHousehold(handle: Handle, id: string, key: keyof Household | string, value: Value | undefined) {
  handle.change((doc) => put(doc.households[id] as Record<string, unknown>, key, value))
  requestPersistence()
}

export function addPerson(handle: Handle, householdId: string, fields: Partial<Record<keyof Person, Value>>): string {
  const id = uuid()
  handle.change((doc) => {
    const h = doc.households[householdId]
    h.persons ??= {}
    const p: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(fields)) put(p, k, v)
    h.persons[id] = p as Person
  })
  requestPersistence()
  return id
}

export function setPerson(handle: Handle, householdId: string, personId: string, key: keyof Person | string, value: Value | undefined) {
  handle.change((doc) => put(doc.households[householdId].persons![personId] as Record<string, unknown>, key, value))
  requestPersistence()
}

/** Ticks or unticks one choice of a several-choices field: each choice is its own key, so ticks made on two phones merge. */
function tick(obj: Record<string, unknown>, key: string, choice: string, on: boolean) {
  const ticks = (obj[key] ??= {}) as Record<string, boolean>
  ticks[choice] = on
}

export function setPersonTick(handle: Handle, householdId: string, personId: string, key: string, choice: string, on: boolean) {
  handle.change((doc) => tick(doc.households[householdId].persons![personId] as Record<string, unknown>, key, choice, on))
  requestPersistence()
}

export function setHouseholdTick(handle: Handle, householdId: string, key: string, choice: string, on: boolean) {
  handle.change((doc) => tick(doc.households[householdId] as Record<string, unknown>, key, choice, on))
  requestPersistence()
}

export function addVisit(handle: Handle, householdId: string, outcome: VisitOutcome, by: string): string {
  const id = uuid()
  handle.change((doc) => {
    const h = doc.households[householdId]
    h.visits ??= {}
    h.visits[id] = { at: Date.now(), by: S(by), outcome: S(outcome), helped: {} } as unknown as Visit
  })
  requestPersistence()
  return id
}

export function setVisitOutcome(handle: Handle, householdId: string, visitId: string, outcome: VisitOutcome) {
  handle.change((doc) => put(doc.households[householdId].visits![visitId] as unknown as Record<string, unknown>, "outcome", outcome))
}

/** One field of a visit (its note, or one a later survey version added). */
export function setVisitField(handle: Handle, householdId: string, visitId: string, key: string, value: Value) {
  handle.change((doc) => put(doc.households[householdId].visits![visitId] as unknown as Record<string, unknown>, key, value))
}

/** Ticks one choice of a visit's several-choices field (what the visit helped with). */
export function setVisitTick(handle: Handle, householdId: string, visitId: string, key: string, choice: string, on: boolean) {
  handle.change((doc) => tick(doc.households[householdId].visits![visitId] as unknown as Record<string, unknown>, key, choice, on))
}

/**
 * Writes one field of a household again with a single value: how a team lead settles a field two
 * phones set differently (the server closes the conflict when the field holds one value again).
 * `field` is the path inside the household (`head_name`, `persons/<id>/full_name`,
 * `visits/<id>/helped/<what>`). Keeping the value the phones already show needs a delete before
 * the put: a bare put of that value is a change (it replaces every value the field holds) but
 * Automerge reports no patch for it, so automerge-repo would not send it (it syncs on patches)
 * and the server, which reads the fields a change wrote from its patches, would not see the field
 * written. Returns whether a change was made.
 */
export function settleField(handle: Handle, householdId: string, field: string, value: Value): boolean {
  const path = field.split("/")
  const key = path.pop()!
  const before = handle.heads().join()
  handle.change((doc) => {
    let obj = doc.households[householdId] as unknown as Record<string, unknown>
    for (const step of path) obj = obj[step] as Record<string, unknown>
    const shown = obj[key]
    if ((isImmutableString(shown) ? shown.val : shown) === value) delete obj[key]
    obj[key] = typeof value === "string" ? S(value) : value
  })
  requestPersistence()
  return handle.heads().join() !== before
}

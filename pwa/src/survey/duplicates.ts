// Possible duplicate households for the team lead: the same CCCD number on two households
// (anywhere in the documents this phone has), or the same head name and address (folded, so
// accents and spacing do not matter) within one village. Households already marked
// duplicate_of, or removed, are left out.
import type { VillageDocument } from "../schema"
import { fold } from "../util/fold"
import { livePersons, str } from "./read"
import { digitsOnly } from "./validate"

export interface DuplicateMember {
  documentId: string
  village: string
  householdId: string
  head: string
  address: string
  person?: string
}

export interface DuplicateGroup {
  reason: "cccd" | "name_address"
  key: string
  members: DuplicateMember[]
}

export function findDuplicates(villages: { documentId: string; name: string; doc: VillageDocument }[]): DuplicateGroup[] {
  const byCccd = new Map<string, DuplicateMember[]>()
  const groups: DuplicateGroup[] = []
  for (const { documentId, name, doc } of villages) {
    const byNameAddress = new Map<string, DuplicateMember[]>()
    for (const [id, h] of Object.entries(doc.households ?? {})) {
      if (h.deleted || str(h.duplicate_of)) continue
      const base = { documentId, village: name, householdId: id, head: str(h.head_name), address: str(h.address) }
      if (base.head) {
        const key = `${fold(base.head)}|${fold(base.address)}`
        byNameAddress.set(key, [...(byNameAddress.get(key) ?? []), base])
      }
      for (const [, p] of livePersons(h)) {
        const cccd = digitsOnly(str(p.cccd))
        if (cccd.length < 9) continue
        const list = byCccd.get(cccd) ?? []
        if (!list.some((m) => m.householdId === id)) list.push({ ...base, person: str(p.full_name) })
        byCccd.set(cccd, list)
      }
    }
    for (const [key, members] of byNameAddress) if (members.length > 1) groups.push({ reason: "name_address", key, members })
  }
  for (const [key, members] of byCccd) if (members.length > 1) groups.push({ reason: "cccd", key, members })
  return groups
}

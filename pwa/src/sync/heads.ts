// Comparing our copy of a village document with what the server has confirmed it stores.
import * as A from "@automerge/automerge/slim"

export const sameHeads = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join()

/**
 * Whether our copy and the server's hold the same changes: `serverHeads` (one or several states
 * the server confirmed) are all in our copy, and nothing of ours is beyond them.
 */
export function holdsExactly(doc: A.Doc<unknown>, serverHeads: readonly string[]): boolean {
  if (sameHeads(serverHeads, A.getHeads(doc))) return true
  return serverHeads.length > 0 && A.hasHeads(doc, [...serverHeads]) && A.getChangesMetaSince(doc, [...serverHeads]).length === 0
}

/**
 * How many of our changes the server does not have yet. The server's heads may include changes we
 * have not received; those are skipped (the count is then an upper bound until the next sync).
 */
export function unsentChanges(doc: A.Doc<unknown>, serverHeads: readonly string[]): number {
  const known = serverHeads.filter((h) => A.hasHeads(doc, [h]))
  if (sameHeads(known, A.getHeads(doc))) return 0
  return A.getChangesMetaSince(doc, known).length
}

/** Ids of households touched by changes the server does not have yet. */
export function unsentHouseholds(doc: A.Doc<unknown>, serverHeads: readonly string[]): Set<string> {
  const known = serverHeads.filter((h) => A.hasHeads(doc, [h]))
  const local = A.getHeads(doc)
  const ids = new Set<string>()
  if (sameHeads(known, local)) return ids
  for (const p of A.diff(doc, known, local)) if (p.path[0] === "households" && typeof p.path[1] === "string") ids.add(p.path[1])
  return ids
}

#!/usr/bin/env node
// Creates a village document through the stock client and waits until the server has stored it.
// Only for servers that accept documents created by clients (the stock sync server does); khaosat
// creates village documents itself. Prints {"document_id", "url", "heads"}.
import { randomUUID } from "node:crypto"
import * as A from "@automerge/automerge"
import { setup, setPhase, fail, finish, connectRepo, waitUntilServerHasHeads, shutdownRepo } from "./common.mjs"

const USAGE = "node make-doc.mjs --url WS_URL [--village CODE] [--timeout-ms N]"
const args = setup({ url: { type: "string" }, village: { type: "string" } }, USAGE)
if (args) main(args).catch(e => fail(e?.stack ?? String(e)))

async function main(args) {
  if (!args.url) return fail(`--url is required\nusage: ${USAGE}`, 2)
  setPhase("connecting")
  // No storage: nothing to keep on this side once the server has the document.
  const { repo, server } = await connectRepo(args.url, { peerId: `khaosat-test-maker-${randomUUID()}` })
  const handle = repo.create({
    schema_version: 1,
    village_code: new A.ImmutableString(args.village ?? "T"),
    households: {},
  })
  setPhase(`waiting until the server has ${handle.documentId}`)
  await waitUntilServerHasHeads(handle, server.storageId)
  const result = { document_id: handle.documentId, url: handle.url, heads: [...A.getHeads(handle.doc())].sort() }
  await shutdownRepo(repo)
  finish(result)
}

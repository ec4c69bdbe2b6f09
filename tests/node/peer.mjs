#!/usr/bin/env node
// A "phone": the stock automerge-repo client with NodeFS storage (standing in for IndexedDB),
// driven from the command line by khaosat's Rust integration tests. See README.md.
import { randomUUID } from "node:crypto"
import * as A from "@automerge/automerge"
import { Repo, isValidDocumentId } from "@automerge/automerge-repo"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import {
  setup, setPhase, setStateDescriber, fail, finish, log, connectRepo,
  waitUntilServerHasHeads, shutdownRepo, toPlain,
} from "./common.mjs"

const USAGE =
  "node peer.mjs --dir DIR --doc DOCUMENT_ID [--url WS_URL] [--ops OPS_JSON] [--expect-unavailable] [--timeout-ms N]"

const args = setup(
  {
    dir: { type: "string" },
    doc: { type: "string" },
    url: { type: "string" },
    ops: { type: "string" },
    "expect-unavailable": { type: "boolean" },
  },
  USAGE,
)

/**
 * The NodeFS storage, except that a sync state saved by an earlier run is not read back: each run
 * opens with a fresh one, so the server always answers with its heads and the peer knows where
 * the server stands before applying ops. (A client that reconnects with its saved state and
 * nothing new gets no answer at all: docs/API.md, "Idle reconnect"; the load harness measures it.)
 */
class WithoutSavedSyncState extends NodeFSStorageAdapter {
  async load(key) {
    return key[1] === "sync-state" ? undefined : super.load(key)
  }
}

if (args) main(args).catch(e => fail(e?.stack ?? String(e)))

async function main(args) {
  if (!args.dir || !args.doc) return fail(`--dir and --doc are required\nusage: ${USAGE}`, 2)
  const documentId = args.doc.replace(/^automerge:/, "")
  if (!isValidDocumentId(documentId)) return fail(`--doc ${JSON.stringify(args.doc)} is not a valid document id`, 2)
  const docUrl = `automerge:${documentId}`
  const expectUnavailable = !!args["expect-unavailable"]
  if (expectUnavailable && (!args.url || args.ops))
    return fail("--expect-unavailable needs --url and takes no --ops", 2)
  let ops = []
  if (args.ops !== undefined) {
    try {
      ops = parseOps(args.ops)
    } catch (e) {
      return fail(`bad --ops: ${e.message}`, 2)
    }
  }

  const repoOptions = {
    storage: new WithoutSavedSyncState(args.dir),
    peerId: `khaosat-test-peer-${randomUUID()}`,
    // sharePolicy: the default (announce every doc to every peer), like a phone.
  }

  if (!args.url) {
    // OFFLINE: no network adapter at all; the doc must come from local storage.
    setPhase(`offline: loading ${documentId} from ${args.dir}`)
    const repo = new Repo({ ...repoOptions, network: [] })
    let handle
    try {
      handle = await repo.find(docUrl)
    } catch (e) {
      return fail(`document ${documentId} is not in local storage ${args.dir} (${e.message})`)
    }
    applyOps(handle, ops)
    setPhase("offline: flushing storage")
    await repo.flush()
    const result = snapshot(handle)
    await shutdownRepo(repo)
    return finish(result)
  }

  // ONLINE
  setPhase(`connecting to ${redact(args.url)}`)
  const { repo, server } = await connectRepo(args.url, repoOptions)
  setStateDescriber(() => {
    const h = repo.handles[documentId]
    const remote = h?.getSyncInfo(server.storageId)?.lastHeads
    return `handle state ${h?.state ?? "none"}; local heads ${h?.isReady() ? JSON.stringify(h.heads()) : "-"}; server heads ${JSON.stringify(remote ?? null)}`
  })

  // doc-unavailable from the server: the answer --expect-unavailable wants, and a hard failure
  // otherwise (the stock client never retries a peer that said so until it reconnects).
  let serverSaidUnavailable = false
  repo.networkSubsystem.on("message", msg => {
    if (msg.type !== "doc-unavailable" || msg.documentId !== documentId) return
    serverSaidUnavailable = true
    log(`server ${msg.senderId} answered doc-unavailable for ${documentId}`)
    if (!expectUnavailable) fail(`server answered doc-unavailable for ${documentId}`)
  })

  setPhase(`finding ${documentId}`)
  let handle
  try {
    handle = await repo.find(docUrl)
  } catch (e) {
    if (expectUnavailable && serverSaidUnavailable) {
      // Nothing worth storing, and repo.flush() throws on a handle that is not ready: just
      // disconnect and let any throttled sync-state write finish before exiting.
      repo.networkSubsystem.disconnect()
      await new Promise(r => setTimeout(r, 300))
      return finish({ unavailable: true })
    }
    return fail(`repo.find(${docUrl}) failed: ${e.message}`)
  }
  if (expectUnavailable) return fail(`document ${documentId} loaded, but --expect-unavailable was given`)

  if (ops.length > 0) {
    // Edit the server's latest state, as a connected phone would after its first sync. Applying
    // ops to a stale local copy could re-create a map the server already has (walking the path
    // creates missing maps), and concurrently created maps at one key conflict: one loses.
    setPhase("syncing with the server before applying ops")
    await waitUntilServerHasHeads(handle, server.storageId)
    applyOps(handle, ops)
  }
  setPhase("waiting until the server's heads equal the local heads")
  await waitUntilServerHasHeads(handle, server.storageId)
  setPhase("flushing storage")
  await repo.flush()
  const result = snapshot(handle)
  await shutdownRepo(repo)
  finish(result)
}

function snapshot(handle) {
  const doc = handle.doc()
  return { heads: [...A.getHeads(doc)].sort(), doc: toPlain(doc) }
}

/** Validates --ops: a JSON array of {path: [string, ...], value: V} or {path, delete: true}. */
function parseOps(text) {
  const ops = JSON.parse(text)
  if (!Array.isArray(ops)) throw new Error("must be a JSON array")
  ops.forEach((op, i) => {
    const ok =
      op && typeof op === "object" && Array.isArray(op.path) && op.path.length > 0 &&
      op.path.every(k => typeof k === "string") &&
      (op.delete === true ? !("value" in op) : "value" in op)
    if (!ok) throw new Error(`op ${i} must be {"path": [non-empty list of strings], "value": V} or {"path": [...], "delete": true}: ${JSON.stringify(op)}`)
  })
  return ops
}

/** JSON value -> value to assign in a change: strings become immutable strings (SCHEMA.md). */
function toAutomerge(v) {
  if (typeof v === "string") return new A.ImmutableString(v)
  if (Array.isArray(v)) return v.map(toAutomerge) // not in the schema; lets tests write wrong types
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toAutomerge(x)]))
  return v // number (integer -> int, else f64), boolean, null
}

/** Applies all ops in one change (one Automerge change, one set of new heads). */
function applyOps(handle, ops) {
  if (ops.length === 0) return
  setPhase(`applying ${ops.length} op(s)`)
  handle.change(doc => {
    for (const op of ops) {
      const parents = op.path.slice(0, -1)
      const key = op.path[op.path.length - 1]
      let obj = doc
      for (const [i, k] of parents.entries()) {
        if (obj[k] === undefined || obj[k] === null) {
          if (op.delete) throw new Error(`cannot delete ${JSON.stringify(op.path)}: ${JSON.stringify(op.path.slice(0, i + 1))} does not exist`)
          obj[k] = {}
        }
        obj = obj[k]
        if (typeof obj !== "object" || Array.isArray(obj) || A.isImmutableString(obj))
          throw new Error(`${JSON.stringify(op.path.slice(0, i + 1))} is not a map`)
      }
      if (op.delete) delete obj[key]
      else obj[key] = toAutomerge(op.value)
    }
  })
}

/** The token in ?token= is not a secret in tests, but keep logs tidy anyway. */
function redact(url) {
  return url.replace(/([?&]token=)[^&]*/, "$1…")
}


// Helpers shared by peer.mjs and make-doc.mjs: CLI plumbing (one JSON line on stdout, diagnostics
// on stderr, hard timeout) and the two waits that need repo internals ("server connected",
// "server has my heads").
import { parseArgs } from "node:util"
import { Repo, cbor } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

// Library code (automerge-repo) reports some errors with console.log; keep stdout for our JSON.
console.log = console.info = console.warn = (...args) => console.error(...args)

let finished = false
let phase = "starting"
let describeState = () => ""

export const log = msg => process.stderr.write(`[${process.argv[1]?.split("/").pop()}] ${msg}\n`)

/** Records what the script is doing, so that a failure or timeout can say where it stopped. */
export function setPhase(p) {
  phase = p
  log(p)
}

/** Extra state for failure messages (handle state, heads...). */
export function setStateDescriber(fn) {
  describeState = fn
}

/** Prints the single result line and exits with `code`. Later calls are ignored. */
export function finish(result, code = 0) {
  if (finished) return
  finished = true
  // stdout/stderr to a pipe or file are synchronous on Linux; the callback covers other cases.
  process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(code))
}

/** Fails: clear message on stderr, {"error": ...} on stdout, exit code 1 (2 for usage errors). */
export function fail(message, code = 1) {
  if (finished) return
  let extra = ""
  try {
    extra = describeState()
  } catch {
    // the state describer must never hide the real error
  }
  const full = `${message} (phase: ${phase}${extra ? "; " + extra : ""})`
  log(`ERROR: ${full}`)
  finish({ error: full }, code)
}

/**
 * Parses argv with node:util parseArgs; unknown flags are usage errors. Installs the hard timeout
 * (--timeout-ms, default 30000) and handlers that turn stray exceptions into clean failures (the
 * stock WebSocketClientAdapter throws from its socket "error" listener, e.g. on an HTTP 401 at
 * upgrade, which would otherwise crash with a stack trace).
 */
export function setup(options, usage) {
  let values
  try {
    ;({ values } = parseArgs({
      options: { ...options, "timeout-ms": { type: "string" }, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }))
  } catch (e) {
    fail(`${e.message}\nusage: ${usage}`, 2)
    return null
  }
  if (values.help) {
    process.stderr.write(`usage: ${usage}\n`)
    process.exit(0)
  }
  const timeoutMs = Number(values["timeout-ms"] ?? 30000)
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    fail(`--timeout-ms must be a positive number`, 2)
    return null
  }
  setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs)
  process.on("uncaughtException", e => fail(`uncaught exception: ${e?.stack ?? e}`))
  process.on("unhandledRejection", e => fail(`unhandled rejection: ${e?.stack ?? e}`))
  return values
}

/**
 * The stock client adapter, plus a stderr line when the server sends a protocol `error` message
 * (the stock adapter only logs those through `debug`). Behaviour is otherwise unchanged.
 */
class LoggingClientAdapter extends WebSocketClientAdapter {
  receiveMessage(bytes) {
    try {
      const msg = cbor.decode(new Uint8Array(bytes))
      if (msg?.type === "error") log(`server sent error message: ${JSON.stringify(msg.message)}`)
    } catch {
      // the stock code below reports undecodable frames
    }
    super.receiveMessage(bytes)
  }
}

/**
 * Creates a Repo with the stock WebSocket client adapter and resolves once the server has answered
 * our `join` with `peer`. Resolves to { repo, server: { peerId, storageId, isEphemeral } }.
 * Waiting for `peer` first matters: Repo.find() of a doc missing locally otherwise goes
 * "unavailable" as soon as the adapter is force-marked ready (1 s) with no peer connected.
 */
export async function connectRepo(url, repoOptions) {
  const repo = new Repo({ ...repoOptions, network: [new LoggingClientAdapter(url)] })
  // The adapter connects asynchronously, so no `peer` can be missed here. This listener runs after
  // the Repo's own one, so repo.peerMetadataByPeerId is already filled in when it fires.
  const { peerId, peerMetadata } = await new Promise(resolve => repo.networkSubsystem.once("peer", resolve))
  repo.networkSubsystem.on("peer-disconnected", ({ peerId }) => log(`server peer ${peerId} disconnected`))
  repo.networkSubsystem.on("peer", ({ peerId }) => log(`server peer ${peerId} (re)connected`))
  const storageId = repo.getStorageIdOfPeer(peerId)
  log(`server peer ${peerId} metadata ${JSON.stringify(peerMetadata ?? null)}`)
  if (!storageId) throw new Error(`server's "peer" message has no peerMetadata.storageId; cannot tell what it has stored`)
  if (peerMetadata?.isEphemeral !== false)
    throw new Error(`server's "peer" message must say isEphemeral: false (got ${JSON.stringify(peerMetadata?.isEphemeral)})`)
  return { repo, server: { peerId, storageId, isEphemeral: false } }
}

const sorted = heads => [...heads].sort()
export const sameHeads = (a, b) => !!a && !!b && JSON.stringify(sorted(a)) === JSON.stringify(sorted(b))

/**
 * Resolves once the server's last known heads for this document equal our local heads.
 *
 * The Repo records, for every peer that advertised a storageId, the heads that peer last reported
 * in a sync message (syncState.theirHeads) as handle.getSyncInfo(storageId).lastHeads (and emits
 * "remote-heads"). The server only reports heads it has applied, so equality means the server
 * holds every local change (and we hold every change it has). Both sides are bs58 "UrlHeads".
 * Polling keeps this simple and immune to event-ordering subtleties.
 */
export async function waitUntilServerHasHeads(handle, storageId, pollMs = 20) {
  for (;;) {
    const remote = handle.getSyncInfo(storageId)?.lastHeads
    if (sameHeads(remote, handle.heads())) return
    await new Promise(r => setTimeout(r, pollMs))
  }
}

/**
 * Disconnects, lets throttled saves (doc and sync-state, 100 ms debounce) run to completion, and
 * flushes again, so that exiting never leaves a half-written file in the storage directory.
 */
export async function shutdownRepo(repo) {
  await repo.shutdown() // disconnects every adapter, then flush()
  await new Promise(r => setTimeout(r, 300))
  await repo.flush()
}

export const toPlain = doc => JSON.parse(JSON.stringify(doc)) // ImmutableString has toJSON()

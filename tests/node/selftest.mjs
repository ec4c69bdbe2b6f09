#!/usr/bin/env node
// Checks peer.mjs and make-doc.mjs against the stock Node sync server
// (@automerge/automerge-repo-sync-server, a devDependency), without khaosat:
//   node tests/node/selftest.mjs        (after `npm ci` in tests/node)
// Two "phones" A and B fetch a document, edit it offline, sync, and must converge.
import assert from "node:assert/strict"
import { spawn, spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import net from "node:net"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { generateAutomergeUrl } from "@automerge/automerge-repo"

const here = dirname(fileURLToPath(import.meta.url))
const tmp = mkdtempSync(join(tmpdir(), "khaosat-node-selftest-"))
const U1 = "11111111-1111-4111-8111-111111111111"
const U2 = "22222222-2222-4222-8222-222222222222"
let passed = 0
let server

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it for the server). */
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on("error", reject)
  })

/**
 * Starts the stock sync server. Its Server class calls app.listen(PORT) on every interface; the
 * preamble makes a bare-port listen() bind 127.0.0.1 only.
 */
async function startServer(port) {
  const entry = join(here, "node_modules/@automerge/automerge-repo-sync-server/src/index.js")
  const code = `
    import net from "node:net"
    const listen = net.Server.prototype.listen
    net.Server.prototype.listen = function (port, ...rest) {
      return typeof port === "number" && typeof rest[0] !== "string"
        ? listen.call(this, port, "127.0.0.1", ...rest)
        : listen.call(this, port, ...rest)
    }
    await import(${JSON.stringify(entry)})`
  const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
    cwd: tmp,
    env: { ...process.env, PORT: String(port), DATA_DIR: join(tmp, "server-data") },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stderr.on("data", d => (output += d))
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sync server did not start:\n${output}`)), 15000)
    child.stdout.on("data", d => {
      output += d
      if (output.includes("Listening on port")) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.on("exit", c => reject(new Error(`sync server exited (${c}):\n${output}`)))
  })
  return child
}

/** Runs a script; returns its parsed stdout JSON line. Asserts the exit code (0 unless `fails`). */
function run(script, args, { fails = false } = {}) {
  const r = spawnSync(process.execPath, [join(here, script), ...args], { encoding: "utf8", timeout: 60000 })
  const lines = r.stdout.trim().split("\n")
  const ctx = `${script} ${args.join(" ")}\nexit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`
  assert.equal(lines.length, 1, `expected exactly one stdout line\n${ctx}`)
  assert.equal(fails ? r.status !== 0 : r.status === 0, true, `unexpected exit status\n${ctx}`)
  return JSON.parse(lines[0])
}

async function check(name, fn) {
  await fn()
  passed++
  console.log(`ok ${passed} - ${name}`)
}

async function main() {
  const port = await freePort()
  server = await startServer(port)
  const url = `ws://127.0.0.1:${port}/api/v1/sync?token=selftest`
  const dirA = join(tmp, "phone-a")
  const dirB = join(tmp, "phone-b")
  const peer = (dir, extra = [], opts) => run("peer.mjs", ["--dir", dir, "--doc", docId, ...extra], opts)
  const online = ["--url", url]
  const ops = list => ["--ops", JSON.stringify(list)]
  let docId, created, a, b

  await check("make-doc creates a village document on the server", () => {
    created = run("make-doc.mjs", ["--url", url])
    docId = created.document_id
    assert.equal(created.url, `automerge:${docId}`)
  })

  const initial = { schema_version: 1, village_code: "T", households: {} }
  await check("A and B fetch it online", () => {
    for (const dir of [dirA, dirB]) {
      const r = peer(dir, online)
      assert.deepEqual(r, { heads: created.heads, doc: initial })
    }
  })

  await check("A and B edit different households offline", () => {
    a = peer(dirA, ops([{ path: ["households", U1], value: { head_name: "Nguyễn Văn An", created_at: 1700000000000, persons: {} } }]))
    b = peer(dirB, ops([
      { path: ["households", U2, "head_name"], value: "Trần Thị Bình" },
      { path: ["households", U2, "has_business"], value: true },
    ]))
    assert.deepEqual(Object.keys(a.doc.households), [U1])
    assert.deepEqual(Object.keys(b.doc.households), [U2])
    assert.notDeepEqual(a.heads, b.heads)
  })

  await check("offline peer without the document fails clearly", () => {
    const r = peer(join(tmp, "phone-empty"), [], { fails: true })
    assert.match(r.error, /not in local storage/)
  })

  await check("A then B sync online; B ends with both offline edits", () => {
    const a2 = peer(dirA, online)
    assert.deepEqual(a2.heads, a.heads) // the server had nothing new for A
    const b2 = peer(dirB, online)
    assert.deepEqual(b2.heads, [...a.heads, ...b.heads].sort())
    assert.deepEqual(Object.keys(b2.doc.households).sort(), [U1, U2])
  })

  await check("A syncs online with a set and a delete; B syncs; both converge", () => {
    a = peer(dirA, [...online, ...ops([
      { path: ["households", U2, "has_business"], delete: true },
      { path: ["households", U1, "phone"], value: "0912345678" },
    ])])
    b = peer(dirB, online)
    assert.deepEqual(b.heads, a.heads)
    assert.deepEqual(b.doc, a.doc)
    assert.deepEqual(a.doc.households, {
      [U1]: { head_name: "Nguyễn Văn An", created_at: 1700000000000, persons: {}, phone: "0912345678" },
      [U2]: { head_name: "Trần Thị Bình" },
    })
  })

  await check("A's storage kept the converged document", () => {
    assert.deepEqual(peer(dirA), a)
  })

  await check("--expect-unavailable succeeds for a document the server lacks", () => {
    const unknown = generateAutomergeUrl().slice("automerge:".length)
    const r = run("peer.mjs", ["--dir", join(tmp, "phone-c"), "--doc", unknown, ...online, "--expect-unavailable"])
    assert.deepEqual(r, { unavailable: true })
  })

  await check("--expect-unavailable fails for a document the server has", () => {
    const r = peer(join(tmp, "phone-d"), [...online, "--expect-unavailable"], { fails: true })
    assert.match(r.error, /loaded, but --expect-unavailable/)
  })
}

let failed = 0
try {
  await main()
} catch (e) {
  failed = 1
  console.error(`FAILED: ${e.stack ?? e}`)
} finally {
  server?.kill()
  rmSync(tmp, { recursive: true, force: true })
}
console.log(`selftest: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)

// Shared by the scenarios and measure.mjs: the khaosat server as a child process (stop and restart
// it on the same port and database to take the phones offline and back: Playwright's setOffline
// does not close WebSockets), headless Debian Chromium, and small API helpers.
import { spawn } from "node:child_process"
import { createServer, connect } from "node:net"
import { createServer as createHttpServer, request as httpRequest } from "node:http"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { randomUUID } from "node:crypto"
import { chromium } from "playwright-core"

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..")
export const BIN = process.env.KHAOSAT_BIN ?? join(ROOT, "target/release/khaosat")
export const CHROMIUM = process.env.KHAOSAT_CHROMIUM ?? "/usr/bin/chromium"
export const PASSWORD = "khaosat-demo"

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** A demo server on a free port with a throw-away SQLite database; stop()/start() keep both. */
export class Server {
  /** `env`: extra server settings, e.g. { KHAOSAT_ACCESS_TTL_SECS: "15" } */
  constructor(env = {}) {
    this.env = env
    this.dir = mkdtempSync(join(tmpdir(), "khaosat-browser-"))
    this.db = join(this.dir, "khaosat.db")
    this.proc = null
    this.log = ""
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  /**
   * Where the browser opens the app: the server itself, or (KHAOSAT_APP_URL, with
   * KHAOSAT_TEST_PORT fixing the server's port) a `vite preview` proxying to it, to try PWA
   * changes without rebuilding the binary.
   */
  get app() {
    return process.env.KHAOSAT_APP_URL ?? this.url
  }

  async start() {
    this.port ??= Number(process.env.KHAOSAT_TEST_PORT) || (await freePort())
    this.proc = spawn(BIN, ["serve", "--demo", "--addr", `127.0.0.1:${this.port}`], {
      env: { ...process.env, KHAOSAT_DATABASE_URL: `sqlite://${this.db}`, KHAOSAT_LOG: "warn", KHAOSAT_LOG_FORMAT: "json", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    })
    // Never leave a server behind, whatever ends this process.
    const child = this.proc
    process.once("exit", () => child.exitCode === null && child.kill("SIGKILL"))
    const keep = (d) => (this.log = (this.log + d).slice(-20_000))
    this.proc.stdout.on("data", keep)
    this.proc.stderr.on("data", keep)
    const exited = new Promise((_, reject) => this.proc.once("exit", (code) => reject(new Error(`khaosat exited with ${code} before it was ready:\n${this.log}`))))
    exited.catch(() => {})
    const deadline = Date.now() + 30_000
    for (;;) {
      try {
        const r = await fetch(`${this.url}/readyz`)
        if (r.ok) return this
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`khaosat not ready after 30 s:\n${this.log}`)
      await Promise.race([new Promise((r) => setTimeout(r, 100)), exited])
    }
  }

  /** SIGTERM and wait: every WebSocket closes, as when a phone loses its network. */
  async stop() {
    const p = this.proc
    if (!p || p.exitCode !== null) return
    this.proc = null
    const done = new Promise((r) => p.once("exit", r))
    p.kill("SIGTERM")
    const t = setTimeout(() => p.kill("SIGKILL"), 10_000)
    await done
    clearTimeout(t)
  }

  async dispose() {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "vi-VN" }

/**
 * A plain HTTP and WebSocket relay in front of a Server, on its own port (the phone then opens the
 * app at `url`). `replace(path, edit)` makes it answer GET `path` (any query) with `edit(body)` of
 * the server's answer: how a test presents a new version of the PWA to an installed one (the
 * browser fetches the service worker script itself, out of reach of Playwright's routes).
 */
export class Relay {
  constructor(server) {
    this.server = server
    this.edits = new Map()
    this.delays = new Map()
    this.answered = new Map()
  }

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  replace(path, edit) {
    this.edits.set(path, edit)
  }

  /** Holds the server's answers to `path` for `ms` before passing them on (a slow network). */
  delay(path, ms) {
    this.delays.set(path, ms)
  }

  /** How many answers to `path` have been passed on to the phone. */
  answers(path) {
    return this.answered.get(path) ?? 0
  }

  async start() {
    this.http = createHttpServer((req, res) => {
      const path = req.url.split("?")[0]
      const edit = req.method === "GET" ? this.edits.get(path) : undefined
      const headers = { ...req.headers, host: `127.0.0.1:${this.server.port}` }
      if (edit) headers["accept-encoding"] = "identity"
      const up = httpRequest({ host: "127.0.0.1", port: this.server.port, method: req.method, path: req.url, headers }, async (answer) => {
        // Read by the server now, passed on later: the phone gets an answer that is already old.
        const ms = this.delays.get(path)
        if (ms) await new Promise((resolve) => setTimeout(resolve, ms))
        res.on("finish", () => this.answered.set(path, this.answers(path) + 1))
        if (!edit) {
          res.writeHead(answer.statusCode, answer.headers)
          answer.pipe(res)
          return
        }
        const chunks = []
        answer.on("data", (c) => chunks.push(c))
        answer.on("end", () => {
          const body = Buffer.from(edit(Buffer.concat(chunks).toString("utf8")), "utf8")
          const { "content-length": _, "transfer-encoding": __, etag: ___, ...rest } = answer.headers
          res.writeHead(answer.statusCode, { ...rest, "content-length": body.length })
          res.end(body)
        })
      })
      up.on("error", () => res.destroy()) // the server is stopped: as if the network were down
      req.pipe(up)
    })
    // WebSockets (the sync): replay the upgrade request to the server, then copy bytes both ways.
    this.sockets = new Set()
    this.http.on("upgrade", (req, socket, head) => {
      this.sockets.add(socket)
      socket.on("close", () => this.sockets.delete(socket))
      const up = connect(this.server.port, "127.0.0.1", () => {
        const lines = [`${req.method} ${req.url} HTTP/1.1`]
        for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
        up.write(lines.join("\r\n") + "\r\n\r\n")
        if (head.length) up.write(head)
        up.pipe(socket)
        socket.pipe(up)
      })
      up.on("error", () => socket.destroy())
      socket.on("error", () => up.destroy())
    })
    this.port ??= await freePort()
    await new Promise((resolve) => this.http.listen(this.port, "127.0.0.1", resolve))
    return this
  }

  async stop() {
    for (const socket of this.sockets ?? []) socket.destroy()
    this.http?.closeAllConnections?.()
    await new Promise((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()))
  }
}

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS })
}

/** A phone-sized context (360×740). */
export async function phone(browser, extra = {}) {
  return browser.newContext({ ...PHONE, ...extra })
}

/**
 * A phone-sized browser with a profile directory kept on disk (IndexedDB, localStorage, the
 * service worker and its caches): close() ends the whole browser, as when the phone closes the
 * app; launching again with the same directory reopens it.
 */
export async function launchProfile(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: ARGS, ...PHONE })
}

/** Signs in through the login screen and waits for the first screen. */
export async function signIn(page, base, username) {
  await page.goto(base + "/")
  await page.fill("input[name=username]", username)
  await page.fill("input[name=password]", PASSWORD)
  await page.click("button[type=submit]")
  await page.waitForSelector(".syncbar")
}

export async function apiLogin(base, username) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD, device_id: randomUUID() }),
  })
  if (!r.ok) throw new Error(`login ${username}: ${r.status} ${await r.text()}`)
  return r.json()
}

export async function apiGet(base, token, path) {
  const r = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })
  if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`)
  return r.json()
}

/**
 * Reads a village document as the server has it, with the stock automerge-repo client
 * (tests/node/peer.mjs, which waits until it and the server agree on the heads).
 */
export async function serverDoc(base, token, documentId) {
  const dir = mkdtempSync(join(tmpdir(), "khaosat-peer-"))
  try {
    const url = base.replace(/^http/, "ws") + `/api/v1/sync?token=${token}`
    const out = await run(process.execPath, [join(ROOT, "tests/node/peer.mjs"), "--dir", dir, "--doc", documentId, "--url", url, "--timeout-ms", "20000"])
    const result = JSON.parse(out.trim().split("\n").pop())
    if (result.error) throw new Error(result.error)
    return result.doc
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    p.stdout.on("data", (d) => (out += d))
    p.stderr.on("data", (d) => (err += d))
    p.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args[0]} exited ${code}: ${out}\n${err.slice(-3000)}`))))
  })
}

/** Polls fn until it returns a truthy value. */
export async function until(fn, { timeout = 30_000, every = 200, what = "condition" } = {}) {
  const deadline = Date.now() + timeout
  let last
  for (;;) {
    try {
      last = await fn()
      if (last) return last
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/**
 * Routes the phone's sync socket so a test can take it offline while the server still answers
 * the test: `offline()` closes the socket and leaves new ones unanswered (the app sees no
 * server), and fails the HTTP requests matching `requests` if given; `online()` closes the
 * socket again (the app opens a new one) and lets everything through; `allow()` only lets the
 * next socket through; `cut()` only closes (the page side, and so the server side).
 */
export async function syncRoute(ctx, { requests } = {}) {
  let open = true
  const sockets = new Set()
  await ctx.routeWebSocket(/\/api\/v1\/sync/, (ws) => {
    sockets.add(ws)
    if (open) ws.connectToServer()
  })
  if (requests) await ctx.route(requests, (route) => (open ? route.continue() : route.abort("internetdisconnected")))
  const cut = async () => {
    for (const ws of sockets) await ws.close().catch(() => {})
    sockets.clear()
  }
  return {
    offline: async () => {
      open = false
      await cut()
    },
    online: async () => {
      open = true
      await cut()
    },
    allow: () => {
      open = true
    },
    cut,
  }
}

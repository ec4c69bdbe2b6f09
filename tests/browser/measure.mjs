#!/usr/bin/env node
// Sizes and speeds of the PWA, in Debian's headless Chromium against the real server
// (target/release/khaosat, or KHAOSAT_BIN):
//   - bytes transferred by a first load (page, app shell, Automerge wasm, service-worker precache),
//     as sent by the server, and the gzip sizes of the same files for comparison;
//   - time to interactive when the service worker serves the app, with 4x CPU throttling;
//   - time to save a new household, and to render a village of 600 households (and to search it).
// Usage: node tests/browser/measure.mjs   (prints a table; --json for machine-readable output)
import { readFileSync, readdirSync, statSync } from "node:fs"
import { gzipSync } from "node:zlib"
import { join } from "node:path"
import { Server, launch, phone, signIn, apiLogin, ROOT } from "./lib.mjs"
import { waitSync, waitServiceWorker, openVillage, addHousehold } from "./ui.mjs"
import { householdsCsv, importHouseholds } from "./seed.mjs"

const THROTTLE = 4
const results = []
const report = (what, value, unit, note = "") => results.push({ what, value: Math.round(value * 10) / 10, unit, note })

const server = await new Server().start()
const browser = await launch()
try {
  const { access_token } = await apiLogin(server.url, "demo-lead")
  await importHouseholds(server.url, access_token, householdsCsv("39301.02", 600))

  // 1. First load: everything the server sends to a new phone until the app works offline.
  const ctx = await phone(browser)
  let bytes = 0
  let requests = 0
  let wasmBytes = 0
  ctx.on("requestfinished", async (req) => {
    const sizes = await req.sizes().catch(() => null)
    const res = await req.response().catch(() => null)
    if (!sizes || !res || res.fromServiceWorker()) return
    requests++
    bytes += sizes.responseBodySize + sizes.responseHeadersSize
    if (req.url().endsWith(".wasm")) wasmBytes += sizes.responseBodySize
  })
  const page = await ctx.newPage()
  await page.goto(server.app + "/")
  await page.waitForSelector("input[name=username]")
  await waitServiceWorker(page)
  await page.waitForFunction(async () => {
    const keys = await caches.keys()
    for (const k of keys) for (const r of await (await caches.open(k)).keys()) if (r.url.endsWith(".wasm")) return true
    return false
  })
  await page.waitForTimeout(500)
  report("first load: bytes on the wire", bytes / 1024, "KiB", `${requests} responses incl. the service worker's precache; wasm ${Math.round(wasmBytes / 1024)} KiB`)
  const dist = join(ROOT, "pwa/dist")
  let raw = 0
  let gz = 0
  let shell = 0
  for (const f of walk(dist)) {
    const data = readFileSync(f)
    raw += data.length
    gz += gzipSync(data, { level: 9 }).length
    if (/\.(js|css|html)$/.test(f) && !f.endsWith("sw.js") && !/workbox-/.test(f) && !/automerge-/.test(f)) shell += gzipSync(data, { level: 9 }).length
  }
  report("pwa/dist: all files", raw / 1024, "KiB", `${Math.round(gz / 1024)} KiB if gzip-compressed`)
  report("app shell (our JS+CSS+HTML, gzip)", shell / 1024, "KiB", "without Automerge/automerge-repo and the wasm")

  // 2. Sign in, let the data sync, then measure opening the app from the service worker.
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  const cdp = await ctx.newCDPSession(page)
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: THROTTLE })
  const tti = []
  const marks = []
  for (let i = 0; i < 3; i++) {
    await page.reload()
    await page.waitForSelector("a.card[data-village='39301.02']")
    await page.waitForSelector(".syncbar:not([data-state=starting])")
    tti.push(await page.evaluate(() => performance.now()))
    marks.push(await page.evaluate(() => ["khaosat:wasm-ready", "khaosat:docs-loaded"].map((m) => Math.round(performance.getEntriesByName(m)[0]?.startTime ?? NaN))))
  }
  report(`time to interactive (service worker, ${THROTTLE}x CPU)`, median(tti), "ms", `reload → village cards and sync state shown; runs ${tti.map(Math.round).join(", ")}`)
  report(`  of which: Automerge wasm compiled (${THROTTLE}x CPU)`, median(marks.map((m) => m[0])), "ms", "since navigation start")
  report(`  of which: village documents read from IndexedDB (${THROTTLE}x CPU)`, median(marks.map((m) => m[1])), "ms", "since navigation start")
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN)
  report(`first contentful paint (${THROTTLE}x CPU)`, fcp, "ms")
  const offline = []
  await server.stop()
  for (let i = 0; i < 3; i++) {
    await page.reload()
    await page.waitForSelector("a.card[data-village='39301.02']")
    await page.waitForSelector(".syncbar[data-state=offline]")
    offline.push(await page.evaluate(() => performance.now()))
  }
  report(`time to interactive offline (${THROTTLE}x CPU)`, median(offline), "ms", `server stopped; runs ${offline.map(Math.round).join(", ")}`)
  await server.start()
  await page.reload()
  await waitSync(page, "synced", 0)

  // 3. A village of 600 households.
  for (const rate of [1, THROTTLE]) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate })
    const runs = []
    for (let i = 0; i < 3; i++) {
      await page.goto(server.app + "/#/")
      await page.waitForSelector("a.card[data-village='39301.02']")
      const t0 = Date.now()
      await page.click("a.card[data-village='39301.02']")
      await page.waitForFunction(() => document.querySelectorAll("a.row[data-household]").length >= 600).catch(async (e) => {
        throw new Error(`${e.message}: ${await page.textContent("main")}`.slice(0, 800))
      })
      runs.push(Date.now() - t0)
    }
    const total = await page.$$eval("a.row[data-household]", (r) => r.length)
    report(`render a village of ${total} households (${rate}x CPU)`, median(runs), "ms", `tap → all rows shown; runs ${runs.join(", ")}`)
    const t0 = Date.now()
    await page.fill("input[name=search]", "nguyen van")
    await page.waitForFunction((n) => document.querySelectorAll("a.row[data-household]").length < n, total)
    report(`search ${total} households without diacritics (${rate}x CPU)`, Date.now() - t0, "ms", `"nguyen van" → ${await page.$$eval("a.row[data-household]", (r) => r.length)} rows`)
    await page.fill("input[name=search]", "")
  }

  // 4. Saving a household (the village document has 600 households).
  for (const rate of [1, THROTTLE]) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate })
    const runs = []
    for (let i = 0; i < 3; i++) {
      await page.goto(server.app + "/#/")
      await openVillage(page, "39301.02")
      await page.click("a.fab")
      await page.fill("input[name=head_name]", `Đo Thời Gian ${rate}-${i}`)
      await page.fill("input[name=address]", "Xóm Đo")
      const t0 = Date.now()
      await page.click("button[name=save]")
      await page.waitForURL(/\/h\/[0-9a-f-]+$/)
      await page.waitForSelector("input[name=head_name]")
      // and written to IndexedDB
      await page.evaluate(() => new Promise((r) => setTimeout(r, 0)))
      runs.push(Date.now() - t0)
    }
    report(`save a new household (${rate}x CPU)`, median(runs), "ms", `tap Save → household screen; runs ${runs.join(", ")}`)
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 })
  await waitSync(page, "synced", 0)
} finally {
  await browser.close()
  await server.dispose()
}

if (process.argv.includes("--json")) console.log(JSON.stringify(results, null, 2))
else {
  const w = Math.max(...results.map((r) => r.what.length))
  for (const r of results) console.log(`${r.what.padEnd(w)}  ${String(r.value).padStart(8)} ${r.unit.padEnd(4)} ${r.note}`)
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) yield* walk(p)
    else yield p
  }
}

// The access token in the sync URL expires while the phone is offline (here after 15 s instead of
// 15 min): when the server is back, the app renews the token by itself and reconnects with a new
// URL (sync/link.ts), and the offline work reaches the server without any "retry" tap.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { Server, launch, phone, signIn } from "./lib.mjs"
import { waitSync, openVillage, addHousehold, syncState } from "./ui.mjs"

let server, browser
before(async () => {
  server = await new Server({ KHAOSAT_ACCESS_TTL_SECS: "15" }).start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

test("sync resumes with a renewed token after it expired offline", async () => {
  const page = await (await phone(browser)).newPage()
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  const first = await page.evaluate(() => JSON.parse(localStorage.getItem("khaosat.session")).access)
  await openVillage(page, "39301.01")

  await server.stop()
  await waitSync(page, "offline")
  await addHousehold(page, { head: "Võ Thị Hạnh", address: "Xóm Mới, số 1" })
  await page.waitForTimeout(20_000) // the token expires meanwhile
  assert.ok((await syncState(page)).unsent > 0)

  await server.start()
  await waitSync(page, "synced", 0, 90_000)
  const now = await page.evaluate(() => JSON.parse(localStorage.getItem("khaosat.session")))
  assert.notEqual(now.access, first, "the access token was renewed")
  assert.ok(now.accessExp > Date.now(), "and is valid")
})

// The access token in the sync URL expires while the phone is offline (here after 15 s instead of
// 15 min): when the server is back, the app renews the token by itself and reconnects with a new
// URL (sync/link.ts), and the offline work reaches the server without any "retry" tap.
// Also: an account locked after wrong passwords is told, in words, how long to wait.
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

test("a locked account is told how long to wait", async () => {
  const page = await (await phone(browser)).newPage()
  await page.goto(server.app + "/")
  const attempt = async (password) => {
    await page.fill("input[name=username]", "demo-commune")
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")
    await page.waitForSelector("p.error[role=alert]")
    const text = await page.textContent("p.error[role=alert]")
    // The next attempt waits for a fresh answer.
    await page.evaluate(() => document.querySelector("p.error[role=alert]")?.remove())
    return text
  }
  for (let i = 0; i < 4; i++) assert.match(await attempt("sai-mat-khau"), /Sai tên đăng nhập hoặc mật khẩu/)
  assert.match(await attempt("sai-mat-khau"), /thử lại sau 15 phút/)
  // Locked: even the right password is refused, with the same advice.
  assert.match(await attempt("khaosat-demo"), /thử lại sau 1[45] phút/)
  assert.equal(await page.$(".syncbar"), null)
})

// Phone-side durability (issue 7): what an enumerator recorded is still on the phone after the
// browser is closed and reopened, and after a new version of the app (service worker update), and
// is sent once the network is back; signing out with unsent changes asks first; on a shared phone
// the next user does not see them, they stay until their owner signs in again and sends them, and
// a user's copy is deleted from the phone only when the server has all of it.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Server, Relay, launch, launchProfile, phone, signIn, apiLogin, apiGet, serverDoc, until, syncRoute } from "./lib.mjs"
import { waitSync, waitServiceWorker, openVillage, addHousehold, setField, syncState, databases, storedKeysOf, tapSignOut } from "./ui.mjs"

let server, browser, token, thon1
before(async () => {
  server = await new Server().start()
  browser = await launch()
  token = (await apiLogin(server.url, "demo-enumerator")).access_token
  thon1 = (await apiGet(server.url, token, "/api/v1/me/documents")).find((d) => d.unit_code === "39301.01").document_id
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

/** Thôn 1 as the server stores it. */
const onServer = async () => serverDoc(server.url, (await apiLogin(server.url, "demo-enumerator")).access_token, thon1)

/** Whether the village list shows the household (opened from the home screen). */
async function listed(page, id) {
  await page.goto(new URL(page.url()).origin + "/#/")
  await openVillage(page, "39301.01")
  return !!(await page.$(`a.row[data-household="${id}"]`))
}

test("records survive closing the browser (offline), and are sent when it is reopened online", async () => {
  const profile = mkdtempSync(join(tmpdir(), "khaosat-profile-"))
  let ctx
  try {
    ctx = await launchProfile(profile)
    let page = ctx.pages()[0] ?? (await ctx.newPage())
    await signIn(page, server.app, "demo-enumerator")
    await waitSync(page, "synced", 0)
    await waitServiceWorker(page)
    await openVillage(page, "39301.01")
    await server.stop()
    await waitSync(page, "offline")
    const id = await addHousehold(page, { head: "Đinh Văn Toàn", address: "Xóm Đình, số 3" })
    await setField(page, "phone", "0911222333")
    // Closed as soon as the screen shows the record saved: no waiting for anything else.
    await ctx.close()

    // Reopened with no server: the service worker serves the app, IndexedDB the record.
    ctx = await launchProfile(profile)
    page = ctx.pages()[0] ?? (await ctx.newPage())
    await page.goto(server.app + "/")
    await waitSync(page, "offline")
    assert.ok((await syncState(page)).unsent > 0, "the record is counted as not sent")
    assert.ok(await listed(page, id), "the record is listed after the browser was reopened")
    await page.click(`a.row[data-household="${id}"]`)
    await until(async () => (await page.inputValue("input[name=address]")) === "Xóm Đình, số 3", { what: "the household screen", timeout: 10_000 })
    assert.equal((await page.inputValue("input[name=phone]")).replace(/\D/g, ""), "0911222333", "the last field, left just before the browser closed, survived")

    // Close again while still offline, reopen with the server back: sent without a tap.
    await ctx.close()
    await server.start()
    ctx = await launchProfile(profile)
    page = ctx.pages()[0] ?? (await ctx.newPage())
    await page.goto(server.app + "/")
    await waitSync(page, "synced", 0)
    const doc = await onServer()
    assert.equal(doc.households[id]?.head_name, "Đinh Văn Toàn")
    assert.equal(doc.households[id].phone, "0911222333")
  } finally {
    await ctx?.close().catch(() => {})
    if (!server.proc) await server.start() // (an assertion failed while it was stopped)
    rmSync(profile, { recursive: true, force: true })
  }
})

test("records survive a new version of the app (service worker update)", async (t) => {
  // The phone opens the app through a relay, which can present a new version of it.
  const relay = await new Relay(server).start()
  const ctx = await phone(browser)
  t.after(async () => {
    await ctx.close().catch(() => {})
    await relay.stop()
  })
  // The sync socket goes through this route, so the test can hold the phone offline while the
  // server still answers HTTP (the new version must come from somewhere).
  const sync = await syncRoute(ctx)
  const page = await ctx.newPage()
  await signIn(page, relay.url, "demo-enumerator")
  await waitServiceWorker(page)
  // Opened again once installed: now the service worker controls the page (the usual case).
  await page.reload()
  assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller))
  await waitSync(page, "synced", 0)
  await openVillage(page, "39301.01")
  const sent = await addHousehold(page, { head: "Lý Văn Phúc", address: "Xóm Chùa, số 1" })
  await page.goBack()
  await waitSync(page, "synced", 0)

  await sync.offline()
  await waitSync(page, "offline")
  const unsentId = await addHousehold(page, { head: "Mai Thị Yến", address: "Xóm Chùa, số 2" })
  await setField(page, "phone", "0944555666")
  await page.goBack()
  const { unsent } = await syncState(page)
  assert.ok(unsent > 0)

  // The new version, as a new build would bring it: a service worker whose precache has a
  // different index.html, marked so the test can tell which version the page runs.
  relay.replace("/sw.js", (sw) => {
    const changed = sw.replace(/(url:\s*"index\.html",\s*revision:\s*")[^"]+"/, '$1test-v2"')
    assert.notEqual(changed, sw, "found index.html in the precache manifest of sw.js")
    return changed
  })
  relay.replace("/index.html", (html) => html.replace("</head>", '<meta name="khaosat-build" content="test-v2"></head>'))
  const version = () => page.evaluate(() => document.querySelector("meta[name=khaosat-build]")?.content ?? "old")
  assert.equal(await version(), "old")
  // The app looks for a new version every hour; here at once.
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update())
  await page.waitForSelector(".banner.update", { timeout: 30_000 })
  await page.click(".banner.update button")
  await page.waitForSelector("dialog.dialog")
  assert.match(await page.textContent("dialog.dialog .warn"), new RegExp(`${unsent}`), "the dialog says how many changes are not sent")
  await page.click("dialog.dialog button.primary")
  // The new service worker takes over and the page reloads into the new version.
  await until(async () => (await version()) === "test-v2", { what: "the page running the new version" })
  await waitSync(page, "offline")
  assert.equal((await syncState(page)).unsent, unsent, "the unsent changes are still counted")
  assert.ok(await listed(page, sent), "the synced record is still there")
  assert.ok(await listed(page, unsentId), "the unsent record is still there")
  assert.equal(await version(), "test-v2")
  assert.equal(await page.$(".banner.update"), null, "no update is waiting any more")

  // Network back: the unsent record reaches the server from the new version.
  await sync.online()
  await waitSync(page, "synced", 0)
  const doc = await onServer()
  assert.equal(doc.households[unsentId]?.head_name, "Mai Thị Yến")
  assert.equal(doc.households[unsentId].phone, "0944555666")
})

test("back online, a late answer of the village list does not undo the sync's confirmation", async (t) => {
  // The list of villages carries the server's heads as it read them: read before the phone's
  // change is stored and delivered after the sync has confirmed it, it is older news and must not
  // make the record count as unsent again.
  const relay = await new Relay(server).start()
  relay.delay("/api/v1/me/documents", 2_000)
  const ctx = await phone(browser)
  t.after(async () => {
    await ctx.close().catch(() => {})
    await relay.stop()
  })
  const sync = await syncRoute(ctx)
  const page = await ctx.newPage()
  await signIn(page, relay.url, "demo-enumerator")
  await waitSync(page, "synced", 0)
  await openVillage(page, "39301.01")
  await sync.offline()
  await waitSync(page, "offline")
  const id = await addHousehold(page, { head: "Tạ Văn Lộc", address: "Xóm Mới, số 7" })
  await page.goBack()
  assert.ok((await syncState(page)).unsent > 0)

  const lists = relay.answers("/api/v1/me/documents")
  await sync.online()
  await waitSync(page, "synced", 0)
  await until(() => relay.answers("/api/v1/me/documents") > lists, { what: "the late list of villages" })
  await page.waitForTimeout(500)
  assert.deepEqual(await syncState(page), { state: "synced", unsent: 0 }, "still confirmed after the late list")
  assert.equal((await onServer()).households[id]?.head_name, "Tạ Văn Lộc")
})

test("shared phone: sign-out asks first, the next user does not see unsent records, data is deleted only once on the server", async (t) => {
  const ctx = await phone(browser)
  t.after(async () => {
    await ctx.close().catch(() => {})
    if (!server.proc) await server.start() // (an assertion failed while it was stopped)
  })
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  await waitServiceWorker(page)
  await openVillage(page, "39301.01")
  await server.stop()
  await waitSync(page, "offline")
  const id = await addHousehold(page, { head: "Tô Văn Bảo", address: "Xóm Bắc, số 5" })
  await page.goBack()
  const { unsent } = await syncState(page)
  assert.ok(unsent > 0)

  // Sign out with unsent changes: a dialog says so; "Stay" keeps everything as it was.
  await tapSignOut(page)
  await page.waitForSelector("dialog.dialog")
  assert.match(await page.textContent("dialog.dialog .warn"), new RegExp(`${unsent}`))
  await page.click("dialog.dialog button:not(.danger)")
  await page.waitForSelector("dialog.dialog", { state: "detached" })
  assert.equal((await syncState(page)).unsent, unsent, "still signed in, nothing lost")
  // "Sign out anyway": the record stays on the phone, in this user's own database.
  await page.click("button[name=logout]")
  await page.click("dialog.dialog button.danger")
  await page.waitForSelector("input[name=username]")
  assert.ok((await databases(page)).includes("khaosat-demo-enumerator"), "the unsent record is kept on the phone")

  // Another user signs in on the same phone and syncs the same village: not there, and the
  // server did not get it from this phone either.
  await server.start()
  await signIn(page, server.app, "demo-lead")
  await waitSync(page, "synced", 0)
  await openVillage(page, "39301.01")
  await waitSync(page, "synced", 0)
  assert.equal(await page.$(`a.row[data-household="${id}"]`), null, "the next user does not see the previous user's unsent record")
  assert.equal((await onServer()).households[id], undefined)
  // Everything of theirs is on the server: signing out asks nothing and deletes their copy, and
  // only theirs.
  assert.ok((await databases(page)).includes("khaosat-demo-lead"))
  assert.ok((await storedKeysOf(page, "demo-lead")).length > 0, "the lead's lists are kept for offline use while signed in")
  await tapSignOut(page)
  await page.waitForSelector("input[name=username]")
  assert.equal(await page.$("dialog.dialog"), null)
  await until(async () => !(await databases(page)).includes("khaosat-demo-lead"), { what: "the lead's database deleted", timeout: 10_000 })
  assert.deepEqual(await storedKeysOf(page, "demo-lead"), [], "nothing of the lead's is left in localStorage")
  assert.ok((await databases(page)).includes("khaosat-demo-enumerator"))

  // The enumerator signs in again: the record is there and is sent by itself.
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  assert.ok(await listed(page, id), "the unsent record is back for its owner")
  assert.equal((await onServer()).households[id]?.head_name, "Tô Văn Bảo")
  // Now on the server: signing out deletes the enumerator's copy.
  await tapSignOut(page)
  await page.waitForSelector("input[name=username]")
  await until(async () => !(await databases(page)).includes("khaosat-demo-enumerator"), { what: "the enumerator's database deleted", timeout: 10_000 })
  assert.deepEqual(await storedKeysOf(page, "demo-enumerator"), [])
  assert.equal(await page.evaluate(() => localStorage.getItem("khaosat.session")), null)
})

test("a village taken off the list keeps its unsent changes counted until they are sent", async (t) => {
  const ctx = await phone(browser)
  const lead = (await apiLogin(server.url, "demo-lead")).access_token
  const call = (method, path, body) =>
    fetch(server.url + path, { method, headers: { authorization: `Bearer ${lead}`, "content-type": "application/json" }, body: body && JSON.stringify(body) })
  t.after(async () => {
    await ctx.close().catch(() => {})
    // Thôn 2 is the enumerator's again for whatever runs next.
    const mine = await apiGet(server.url, lead, "/api/v1/assignments?unit=39301.02")
    if (!mine.some((a) => a.assignee_username === "demo-enumerator")) await call("POST", "/api/v1/assignments", { village_code: "39301.02", assignee: "demo-enumerator" })
  })
  const sync = await syncRoute(ctx)
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  await openVillage(page, "39301.02")
  await sync.offline()
  await waitSync(page, "offline")
  const id = await addHousehold(page, { head: "Đỗ Văn Khang", address: "Xóm Đình, số 3" })
  await page.goBack()
  const { unsent } = await syncState(page)
  assert.ok(unsent > 0)

  // Meanwhile the team lead takes Thôn 2 off the enumerator's list.
  const assignment = (await apiGet(server.url, lead, "/api/v1/assignments?unit=39301.02")).find((a) => a.assignee_username === "demo-enumerator")
  assert.equal((await call("DELETE", `/api/v1/assignments/${assignment.id}`)).status, 204)
  sync.allow()
  // Back online: the list no longer has Thôn 2, yet its change is still counted and marked.
  await waitSync(page, "synced", unsent, 60_000)
  await page.goto(server.app + "/#/")
  await page.waitForSelector('[data-village="39301.02"] .tag.warn')
  await tapSignOut(page)
  await page.waitForSelector("dialog.dialog")
  assert.match(await page.textContent("dialog.dialog .warn"), new RegExp(`${unsent}`))
  await page.click("dialog.dialog button:not(.danger)")

  // Assigned again: the change goes out by itself at the next connection, and the mark goes.
  assert.ok((await call("POST", "/api/v1/assignments", { village_code: "39301.02", assignee: "demo-enumerator" })).ok)
  await sync.cut()
  await waitSync(page, "synced", 0, 60_000)
  const thon2 = (await apiGet(server.url, token, "/api/v1/me/documents")).find((d) => d.unit_code === "39301.02").document_id
  const stored = await serverDoc(server.url, (await apiLogin(server.url, "demo-enumerator")).access_token, thon2)
  assert.equal(stored.households[id]?.head_name, "Đỗ Văn Khang")
  await page.goto(server.app + "/#/")
  await page.waitForSelector('[data-village="39301.02"]')
  assert.equal(await page.$('[data-village="39301.02"] .tag.warn'), null)
})

// An enumerator signs in, loses the network (the server stops: every socket closes), records
// households, reloads the app while offline and finds them, and sees them reach the server when
// the network comes back.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { Server, launch, phone, signIn, apiLogin, apiGet, serverDoc, until } from "./lib.mjs"
import { waitSync, waitServiceWorker, openVillage, addHousehold, setField, search, visibleHouseholds, syncState } from "./ui.mjs"

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

test("record offline, reload offline, sync when back online", async () => {
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  await waitServiceWorker(page)
  await openVillage(page, "39301.01")

  // Offline: the server goes away and the app says so.
  await server.stop()
  await waitSync(page, "offline")

  const duc = await addHousehold(page, { head: "Nguyễn Văn Đức", address: "Xóm Đông, số 12", phone: "0912 345 678" })
  await page.click("button[data-value=surveyed]")
  await page.fill("input[name=new_person_name]", "Nguyễn Văn Đức")
  await page.fill("input[name=new_person_year]", "1980")
  await page.click("button[name=add_person]")
  await page.waitForURL(/\/p\//)
  await setField(page, "cccd", "038080012345")
  await page.click("[data-name=has_smartphone] button:has-text('Có')")
  // The CCCD hint read the province from the number; nothing blocked saving.
  assert.match(await page.textContent(".hints"), /Thanh Hóa/)
  await page.goBack()
  await page.goBack()
  await addHousehold(page, { head: "Trần Thị Mai", address: "Xóm Tây" })
  await page.goBack()
  const offline = await syncState(page)
  assert.equal(offline.state, "offline")
  assert.ok(offline.unsent > 0, "the sync bar counts the unsent changes")

  // Reload with no server: the service worker serves the app, IndexedDB the households.
  await page.reload()
  await waitSync(page, "offline")
  assert.ok((await syncState(page)).unsent > 0, "unsent changes are still counted after a reload")
  await page.goto(server.app + "/#/")
  await openVillage(page, "39301.01")
  await search(page, "nguyen van duc")
  assert.deepEqual(await visibleHouseholds(page), ["Nguyễn Văn Đức"])
  await search(page, "")
  await page.click("button[data-filter=todo]")
  assert.deepEqual(await visibleHouseholds(page), ["Trần Thị Mai"])

  // Back online: sync resumes by itself.
  await server.start()
  await waitSync(page, "synced", 0)

  const { access_token } = await apiLogin(server.url, "demo-enumerator")
  const docs = await apiGet(server.url, access_token, "/api/v1/me/documents")
  const thon1 = docs.find((d) => d.unit_code === "39301.01")
  const doc = await serverDoc(server.url, access_token, thon1.document_id)
  const heads = Object.values(doc.households).map((h) => h.head_name).sort()
  assert.deepEqual(heads, ["Nguyễn Văn Đức", "Trần Thị Mai"])
  const persons = Object.values(doc.households[duc].persons)
  assert.equal(persons[0].cccd, "038080012345")
  assert.equal(persons[0].has_smartphone, true)
  assert.equal(doc.households[duc].phone, "0912345678")
  const progress = await until(async () => {
    const a = await apiGet(server.url, access_token, "/api/v1/me/assignments")
    const p = a.find((x) => x.village_code === "39301.01").progress
    return p.households_total === 2 && p
  }, { what: "assignment progress" })
  assert.deepEqual(progress, { households_total: 2, households_visited: 1 })
  await ctx.close()
})

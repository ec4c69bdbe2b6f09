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
  const before = await apiLogin(server.url, "demo-enumerator")
  const progressOf = async (token) =>
    (await apiGet(server.url, token, "/api/v1/me/assignments")).find((x) => x.village_code === "39301.01").progress
  const start = await progressOf(before.access_token)
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
  const mai = await addHousehold(page, { head: "Trần Thị Mai", address: "Xóm Tây, số 99" })
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
  // (The demo data may already have households in Thôn 1: look for ours by id.)
  await search(page, "nguyen van duc")
  assert.ok(await page.$(`a.row[data-household="${duc}"]`), "found without diacritics")
  assert.ok((await visibleHouseholds(page)).every((n) => n === "Nguyễn Văn Đức"))
  await search(page, "tran thi mai xom tay")
  await page.click("button[data-filter=todo]")
  assert.ok(await page.$(`a.row[data-household="${mai}"]`), "the unvisited one is under Not visited")
  await page.click("button[data-filter=surveyed]")
  assert.equal(await page.$(`a.row[data-household="${mai}"]`), null)
  await page.click("button[data-filter=all]")
  await search(page, "")

  // Back online: sync resumes by itself.
  await server.start()
  await waitSync(page, "synced", 0)

  const { access_token } = await apiLogin(server.url, "demo-enumerator")
  const docs = await apiGet(server.url, access_token, "/api/v1/me/documents")
  const thon1 = docs.find((d) => d.unit_code === "39301.01")
  const doc = await serverDoc(server.url, access_token, thon1.document_id)
  assert.equal(doc.households[duc].head_name, "Nguyễn Văn Đức")
  assert.equal(doc.households[mai].head_name, "Trần Thị Mai")
  const persons = Object.values(doc.households[duc].persons)
  assert.equal(persons[0].cccd, "038080012345")
  assert.equal(persons[0].has_smartphone, true)
  assert.equal(doc.households[duc].phone, "0912345678")
  const progress = await until(async () => {
    const p = await progressOf(access_token)
    return p.households_total === start.households_total + 2 && p
  }, { what: "assignment progress" })
  assert.equal(progress.households_visited, start.households_visited + 1)
  await ctx.close()
})

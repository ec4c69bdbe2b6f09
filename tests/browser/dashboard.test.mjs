// Commune officers see their units and the indicator table once the server computes it (on a
// server without the indicators endpoint the screen must say the figures are not available yet,
// and the first test checks that instead); before and now side by side for the current
// campaign, and the XLSX the phone downloads has the same "Trước" figures as the screen.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { Server, launch, phone, signIn, apiLogin, apiGet } from "./lib.mjs"
import { openVillage, addHousehold, waitSync } from "./ui.mjs"
import { sheetCells, columnName } from "./xlsx.mjs"

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

test("the commune dashboard shows the indicators (or says they are not available yet)", async () => {
  const { access_token } = await apiLogin(server.url, "demo-commune")
  const probe = await fetch(`${server.url}/api/v1/units/16138/indicators`, { headers: { authorization: `Bearer ${access_token}` } })

  // Record a household with one person who has a smartphone, so indicator 6 has a number.
  const enumerator = await (await phone(browser)).newPage()
  await signIn(enumerator, server.app, "demo-enumerator")
  await waitSync(enumerator, "synced", 0)
  await openVillage(enumerator, "39301.01")
  await addHousehold(enumerator, { head: "Phạm Văn Nam", address: "Xóm Giữa" })
  await enumerator.click("button[data-value=surveyed]")
  await enumerator.fill("input[name=new_person_name]", "Phạm Văn Nam")
  await enumerator.click("button[name=add_person]")
  await enumerator.click("[data-name=has_smartphone] button:has-text('Có')")
  await waitSync(enumerator, "synced", 0)

  const page = await (await phone(browser)).newPage()
  await signIn(page, server.app, "demo-commune")
  await page.click("a[data-nav=dashboard]")
  await page.waitForSelector("text=Xã Hồ Vương")
  if (probe.status !== 200) {
    await page.waitForSelector("[data-testid=indicators-unavailable]")
    assert.match(await page.textContent("[data-testid=indicators-unavailable]"), /chưa có/)
    return
  }
  // Indicator 6 (people with a smartphone) of the commune: the person recorded above counts.
  const cell = "table.indicators tr[data-indicator='6'] td:nth-of-type(2)"
  await page.waitForSelector(cell)
  const rate = Number(await page.getAttribute(cell, "data-rate"))
  assert.ok(rate > 0, `indicator 6 has a rate (${rate})`)
  assert.match(await page.getAttribute(cell, "class"), /c-(met|near|miss)/)
  assert.match(await page.textContent(cell), /%/)
})

/** Per indicator 1–16, the commune's cell on screen: its raw rates and the text shown. */
async function commune(page) {
  return page.$$eval("table.indicators tbody tr[data-indicator]", (rows) =>
    rows.map((tr) => {
      const td = tr.querySelector("td:nth-of-type(2)")
      return { id: Number(tr.dataset.indicator), before: td.dataset.before, rate: td.dataset.rate, text: td.textContent }
    }),
  )
}

/** Taps a download button and parses the XLSX the page saves. */
async function downloadXlsx(page) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.click("button:has-text('XLSX')")])
  return sheetCells(await readFile(await file.path()))
}

/** The "Trước" and "Sau" figures of a unit in the report: { id: [before, after] }. */
function reportColumns(cells, unitName) {
  let col = 3
  while (cells.has(`${columnName(col)}4`) && cells.get(`${columnName(col)}4`) !== unitName) col += 2
  assert.equal(cells.get(`${columnName(col)}4`), unitName, "the unit's column in the report")
  assert.equal(cells.get(`${columnName(col)}5`), "Trước")
  // Rows from 6: the slide's two section rows (text in A) and the 16 indicators (their number in A).
  const out = {}
  for (let row = 6; row <= 23; row++) {
    const id = cells.get(`A${row}`)
    if (typeof id === "number") out[id] = [cells.get(`${columnName(col)}${row}`), cells.get(`${columnName(col + 1)}${row}`)]
  }
  assert.equal(Object.keys(out).length, 16, "16 indicator rows under the two section rows")
  assert.equal(cells.get("A6"), "ĐỐI VỚI CHÍNH QUYỀN SỐ")
  return out
}

/** A screen rate (data attribute) and a report cell hold the same figure ("–" for none). */
function same(screen, cell, what) {
  if (screen === "") assert.equal(cell, "–", what)
  else assert.ok(typeof cell === "number" && Math.abs(cell - Number(screen)) < 1e-9, `${what}: screen ${screen}, file ${cell}`)
}

test("before and now for the current campaign; the XLSX has the same Trước figures", async () => {
  const { access_token } = await apiLogin(server.url, "demo-commune")
  const current = await apiGet(server.url, access_token, "/api/v1/campaigns/current")
  assert.ok(current.campaign, "the demo has a current campaign")
  const page = await (await phone(browser, { acceptDownloads: true })).newPage()
  await signIn(page, server.app, "demo-commune")
  await page.click("a[data-nav=dashboard]")
  await page.waitForSelector("table.indicators tr[data-indicator='6'] td[data-before]")
  // The picker defaults to the server's current campaign, and the note gives its baseline day.
  assert.equal(Number(await page.inputValue("select[name=campaign]")), current.campaign.id)
  assert.match(await page.textContent("select[name=campaign]"), /Hiện tại/)
  const [y, m, d] = current.campaign.baseline_date.split("-")
  assert.match(await page.textContent("[data-testid=baseline-note]"), new RegExp(`${d}/${m}/${y}`))

  // Every cell shows before beside now, with the change when both exist (the demo surveyed before the baseline).
  const cells = await commune(page)
  const six = cells.find((c) => c.id === 6)
  assert.notEqual(six.before, "", "indicator 6 has a 'before' figure")
  assert.match(six.text, /%.*%/, "before and now side by side")
  assert.match(six.text, /điểm %/, "the change in points")
  assert.ok(await page.$("table.indicators .sub-head :text('Trước')"))

  // Nothing is cut: the first unit column fits the phone's width beside the indicator names.
  const box = await page.locator("table.indicators tr[data-indicator='6'] td:nth-of-type(2)").boundingBox()
  assert.ok(box && box.x + box.width <= 360, `the commune column is on screen (${JSON.stringify(box)})`)

  // The file downloaded from the phone has the same "Trước" (and "Sau") figures as the screen.
  let book = await downloadXlsx(page)
  assert.match(String(book.get("A2")), new RegExp(`mã ${current.campaign.id}\\).*${current.campaign.baseline_date}`))
  let file = reportColumns(book, "Xã Hồ Vương")
  for (const c of cells) {
    same(c.before, file[c.id][0], `indicator ${c.id} before`)
    same(c.rate, file[c.id][1], `indicator ${c.id} now`)
  }

  // As of the baseline day, "now" is "before"; the file follows the day picked.
  await page.fill("input[name=as_of]", current.campaign.baseline_date)
  await page.waitForSelector("table.indicators .sub-head :text('Sau')")
  await page.waitForFunction(() => {
    const td = document.querySelector("table.indicators tr[data-indicator='6'] td:nth-of-type(2)")
    return td && td.dataset.rate === td.dataset.before
  })
  book = await downloadXlsx(page)
  assert.match(String(book.get("A2")), new RegExp(`số liệu đến: ${current.campaign.baseline_date}`))
  file = reportColumns(book, "Xã Hồ Vương")
  for (const c of await commune(page)) same(c.before, file[c.id][0], `indicator ${c.id} before, as of the baseline`)
})

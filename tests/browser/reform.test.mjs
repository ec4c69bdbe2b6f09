// The 2025 reform from the browser (issue 17), at 360×740: the province loads a resolution's
// conversion table that names a commune the tree does not have (the rows' problems in Vietnamese,
// nothing changed), then the fixed table: the preview says what will happen, "Áp dụng" applies it;
// the split commune's villages wait to be placed: one placed from its row, the other from a sheet;
// the new commune shows the code it took over "từ 01/07/2025". Screenshot 36 goes to docs/screenshots/.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { join } from "node:path"
import { Server, launch, phone, signIn, apiLogin, apiGet, until, ROOT } from "./lib.mjs"

const SHOTS = join(ROOT, "docs/screenshots")

let server, browser, token, applied
before(async () => {
  server = await new Server().start()
  browser = await launch()
  token = (await apiLogin(server.url, "demo-admin")).access_token
  applied = (await apiGet(server.url, token, "/api/v1/reforms")).length
  // Two former communes of a district, as they were before 1 July 2025 (the demo's tree is the
  // one after the reform; these two were left out of it).
  const units =
    "mã,tên,cấp,mã cha\n402,Huyện Như Thanh,Huyện,38\n16270,Xã Thanh Kỳ,Xã,402\n16273,Xã Thanh Tân,Xã,402\n" +
    "16270.01,Thôn Kỳ Thượng,,16270\n16273.01,Thôn Tân Sơn,,16273\n16273.02,Thôn Tân Thành,,16273\n"
  const r = await fetch(`${server.url}/api/v1/units/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
    body: units,
  })
  assert.equal(r.status, 200, await r.text())
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

const HEADER = "old_commune_code,old_commune_name,new_commune_code,new_commune_name,share\n"
// Thanh Tân is split between Công Chính and the new Thanh Kỳ, which takes Thanh Tân's code.
const MAPPING =
  HEADER + "16270,Xã Thanh Kỳ,16273,Xã Thanh Kỳ,full\n16273,Xã Thanh Tân,16273,Xã Thanh Kỳ,partial\n16273,Xã Thanh Tân,16369,Xã Công Chính,partial\n"

const file = (name, text) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) })

/** Nothing wider than the phone and no number cut. */
async function fitsPhone(page) {
  const r = await page.evaluate(() => ({
    width: document.documentElement.scrollWidth,
    cut: [...document.querySelectorAll("main .nums")].filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent),
  }))
  assert.ok(r.width <= 360, `the page fits 360 px (${r.width})`)
  assert.deepEqual(r.cut, [], "no number is cut")
}

test("a reform table refused then applied; the split commune's villages placed", async () => {
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  page.on("dialog", (d) => void d.accept())
  await signIn(page, server.app, "demo-province")
  await page.goto(`${server.app}/#/console`)
  await page.click("a[data-console=reform]")
  await page.waitForSelector("input[name=reform-name]")
  await page.fill("input[name=reform-name]", "1686/NQ-UBTVQH15")
  assert.equal(await page.inputValue("input[name=effective]"), "2025-07-01")

  // A row naming a commune the tree does not have: the line is named, in Vietnamese, nothing changes.
  await page.setInputFiles("input[name=mapping]", file("sai.csv", MAPPING + "16276,Xã Thanh Long,16369,Xã Công Chính,full\n"))
  await page.click("button[name=preview]")
  await page.waitForSelector("[data-testid=reform-errors] li[data-line='5']")
  assert.match(await page.innerText("[data-testid=reform-errors]"), /Dòng 5: xã cũ 16276 \(Xã Thanh Long\) không có trong danh sách đơn vị ngày 2025-06-30/)
  // The demo's own reform (the pilot communes into the new ones) is the only one applied.
  assert.equal((await apiGet(server.url, token, "/api/v1/reforms")).length, applied, "nothing applied")

  // The fixed table: what will happen, then applied.
  await page.setInputFiles("input[name=mapping]", file("dung.csv", MAPPING))
  await page.click("button[name=preview]")
  await page.waitForSelector("[data-testid=reform-preview]")
  const preview = await page.innerText("[data-testid=reform-preview]")
  assert.match(preview, /Thành lập 2 xã, phường mới/)
  assert.match(preview, /1 xã cũ bị chia/)
  assert.equal((await apiGet(server.url, token, "/api/v1/units/16270")).status, "active", "a preview changes nothing")
  await fitsPhone(page)
  await page.click("button[name=apply]")
  await page.waitForSelector("[data-testid=reform-applied]")
  assert.match(await page.innerText("[data-testid=reform-applied]"), /Đã áp dụng 1686\/NQ-UBTVQH15: 2 xã, phường mới/)
  assert.equal((await apiGet(server.url, token, "/api/v1/units/16270")).status, "merged")

  // Thanh Tân's two villages wait; one is placed from its row.
  await page.waitForSelector("[data-testid=placements] li[data-village='16273.01']")
  assert.match(await page.innerText("[data-testid=placements] li[data-village='16273.01']"), /Thôn Tân Sơn[\s\S]*Của Xã Thanh Tân/)
  await page.selectOption("select[name='into-16273.01']", { label: "Xã Công Chính" })
  await fitsPhone(page)
  await page.screenshot({ path: join(SHOTS, "36-reform-placements.png") })
  await page.click("button[name='place-16273.01']")
  await page.waitForSelector("text=Đã xếp Thôn Tân Sơn vào Xã Công Chính.")
  // The other from a sheet naming the new commune by the code it holds now.
  await page.setInputFiles("input[name=placements]", file("xep-thon.csv", "village_code,new_commune_code\n16273.02,16273\n"))
  await page.waitForSelector("text=Đã xếp 1 thôn.")
  await page.waitForSelector("text=Không có thôn nào đang chờ xếp.")
  const village = await apiGet(server.url, token, "/api/v1/units/16273.02")
  assert.equal(village.parent_code, "16273-2025", "the new Thanh Kỳ has an identity of its own")
  assert.equal((await apiGet(server.url, token, "/api/v1/units/16273")).status, "retired", "the split commune closed")

  // The new commune's page shows the code it took over, and since when.
  await page.goto(`${server.app}/#/units/16273-2025`)
  await until(async () => /16273 \(từ 01\/07\/2025\)/.test(await page.innerText("[data-testid=unit-code]").catch(() => "")), { what: "the unit's code" })
  await ctx.close()
})

// The officials' console, part B (issue 14), at 360×740: the unit tree (browse, search without
// diacritics), a units CSV with bad lines (Vietnamese line errors, nothing written) then the fixed
// file (previewed, then imported), merging one new commune into another (the confirmation says what
// moves; the page then says "đã sáp nhập vào …" with its history) and retiring; a household value
// overwritten from the lead's phone shown in the household's history as old → new with who; that
// history read by the commune officer listed in the access log; the record problems screen; "not
// for your role" and "not found". Screenshots 28–31 go to docs/screenshots/.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { join } from "node:path"
import { Server, launch, phone, signIn, apiLogin, apiGet, until, ROOT } from "./lib.mjs"
import { openVillage, setField, waitSync } from "./ui.mjs"

const SHOTS = join(ROOT, "docs/screenshots")

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

/** GET as `username`: { status, body }. */
async function get(username, path) {
  const { access_token } = await apiLogin(server.url, username)
  const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${access_token}` } })
  return { status: r.status, body: await r.json().catch(() => null) }
}

/** Nothing on the page is wider than the phone, every tap target is at least 44 px high, no number is cut. */
async function fitsPhone(page, scope = "main") {
  const r = await page.evaluate((scope) => {
    const root = document.querySelector(scope)
    const small = [...root.querySelectorAll("button, a, select, input")]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => el.getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 100))
    const cut = [...root.querySelectorAll(".nums")].filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent)
    return { width: document.documentElement.scrollWidth, small, cut }
  }, scope)
  assert.ok(r.width <= 360, `the page fits 360 px (${r.width})`)
  assert.deepEqual(r.small, [], "tap targets are at least 44 px high")
  assert.deepEqual(r.cut, [], "no number is cut")
}

const text = (page, selector) => page.locator(selector).innerText()

/** Asserts that the element's text comes to match `re` (units' and people's names arrive after the lists). */
async function shows(page, selector, re) {
  let last = ""
  try {
    await until(async () => re.test((last = await text(page, selector))), { timeout: 10_000, what: `${selector} ~ ${re}` })
  } catch {
    assert.match(last, re, selector)
  }
}

test("the unit tree: browse and search; a CSV with bad lines, then the fixed one; merge and retire", async () => {
  // The province browses its tree: since the 2025 reform its five communes, then the five districts
  // the reform retired (kept, marked "Đã giải thể"); it finds a commune by its name typed without
  // diacritics.
  const prov = await phone(browser)
  const pp = await prov.newPage()
  await signIn(pp, server.app, "demo-province")
  await pp.click("a[data-nav=units]")
  await pp.waitForSelector("[data-testid=roots] li[data-unit='16138']")
  assert.match(await text(pp, "[data-testid=roots]"), /Tỉnh Thanh Hóa[\s\S]*Đơn vị trực thuộc \(10\)[\s\S]*Xã Hồ Vương/)
  const under = await pp.$$eval("[data-testid=roots] ul:last-of-type li[data-unit]", (lis) => lis.map((li) => [li.dataset.unit, li.innerText.replace(/\s+/g, " ").trim()]))
  assert.deepEqual(
    under.map(([code]) => code),
    ["14797", "15505", "15835", "16138", "16543", "380", "389", "393", "394", "400"],
  )
  for (const [code, row] of under.slice(0, 5)) {
    assert.match(row, new RegExp(`^(Phường|Xã) .*Cấp xã · ${code}\\b`), `${code}: a commune`)
    assert.doesNotMatch(row, /Đã giải thể/, `${code}: active`)
  }
  for (const [code, row] of under.slice(5)) assert.match(row, new RegExp(`Đã giải thể Cấp huyện · ${code}\\b`), `${code}: a retired district`)
  await fitsPhone(pp)
  await pp.screenshot({ path: join(SHOTS, "28-unit-tree.png") })
  await pp.fill("input[name=search]", "ho vuong")
  await pp.waitForSelector("[data-testid=search-results] li[data-unit='16138']")
  assert.match(await text(pp, "[data-testid=search-results] li[data-unit='16138']"), /Xã Hồ Vương\s*Cấp xã · 16138/)
  assert.equal(await pp.locator("[data-testid=search-results] li[data-unit='15505']").count(), 0, "Xã Thọ Long does not match")
  assert.equal(await pp.locator("[data-testid=search-results] li[data-unit='38901']").count(), 0, "Xã Tây Hồ does not match")
  // A code prefix finds the villages, which kept their codes through the reform.
  await pp.fill("input[name=search]", "39301.0")
  await pp.waitForSelector("[data-testid=search-results] li[data-unit='39301.04']")
  assert.equal(await pp.locator("[data-testid=search-results] li").count(), 4)
  await pp.click("[data-testid=search-results] li[data-unit='39301.02'] a")
  await pp.waitForSelector("[data-testid=unit]")
  await shows(pp, "[data-testid=unit]", /Mã\s*39301\.02[\s\S]*Cấp\s*Thôn[\s\S]*Trực thuộc\s*Xã Hồ Vương \(16138\)[\s\S]*Đang hoạt động/)
  await prov.close()

  // The admin imports a file with two bad lines: both are listed in Vietnamese with their line numbers; nothing is written.
  const { access_token: adminToken } = await apiLogin(server.url, "demo-admin")
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-admin")
  await page.goto(server.app + "/#/units")
  await page.click("a[data-action=import-units]")
  await page.waitForSelector("textarea[name=csv]")
  const good = [
    "Mã,Tên,Cấp,Mã cha",
    "39390,Xã Nga Thử,Xã,38",
    "39390.01,Thôn Đông,Thôn,39390",
    "39391,Xã Nga Mới,Xã,38",
    "39391.01,Thôn Tây,Thôn,39391",
    "39391.02,Tổ dân phố Nam,Tổ dân phố,39391",
  ]
  const bad = [...good]
  bad[4] = "39391.01,Thôn Tây,làng xã,39391" // an unknown level word
  bad[5] = "39391.02,Tổ dân phố Nam,Tổ dân phố,39999" // an unknown parent
  await page.fill("textarea[name=csv]", bad.join("\n"))
  await page.click("button[name=check]")
  await page.waitForSelector("[data-testid=import-errors] li[data-line='6']")
  const errors = await text(page, "[data-testid=import-errors]")
  assert.match(errors, /chưa nhập đơn vị nào/)
  assert.match(await text(page, "[data-testid=import-errors] li[data-line='5']"), /^Dòng 5: cấp “làng xã” không đúng: ghi một trong các cấp tỉnh, thành phố/)
  assert.match(await text(page, "[data-testid=import-errors] li[data-line='6']"), /^Dòng 6: mã cha 39999 không có trong tệp này và cũng không phải đơn vị đã có/)
  assert.doesNotMatch(errors, /parent_code|is not a level|nothing was imported/, "no English left")
  assert.equal(await page.locator("button[name=import]").count(), 0, "no import button for a bad file")
  await fitsPhone(page)
  await page.$eval("textarea[name=csv]", (el) => (el.blur(), el.setSelectionRange(0, 0), (el.scrollLeft = 0), (el.scrollTop = 0)))
  await page.evaluate(() => {
    document.querySelector("[data-testid=import-errors]").scrollIntoView({ block: "end" })
    scrollBy(0, 72) // above the navigation
  })
  await page.screenshot({ path: join(SHOTS, "30-units-import-error.png") })
  for (const code of ["39390", "39391", "39390.01"]) assert.equal((await get("demo-admin", `/api/v1/units/${code}`)).status, 404, `${code} was not written`)

  // The fixed file, chosen as a file (with a byte-order mark and CRLF, as Excel writes it; the
  // server counts a CRLF file's lines one short, so the app sends "\n" line ends): it is checked at once; the preview lists the five units with their lines and levels; still nothing
  // written; "Nhập" writes them.
  await page.setInputFiles("input[name=file]", { name: "don-vi.csv", mimeType: "text/csv", buffer: Buffer.from("\ufeff" + good.join("\r\n") + "\r\n") })
  await page.waitForSelector("[data-testid=import-preview]")
  assert.equal(await page.locator("[data-testid=import-errors]").count(), 0, "the old errors are gone")
  assert.match(await page.inputValue("textarea[name=csv]"), /39391\.02,Tổ dân phố Nam,Tổ dân phố,39391/)
  assert.match(await text(page, "[data-testid=import-preview] h2"), /Sẽ tạo 5 đơn vị/)
  const rows = await page.$$eval("[data-testid=import-preview] tbody tr", (trs) => trs.map((tr) => [tr.dataset.line, tr.dataset.code, tr.querySelector("[data-level]").textContent]))
  assert.deepEqual(rows, [
    ["2", "39390", "Cấp xã"],
    ["3", "39390.01", "Thôn, tổ dân phố"],
    ["4", "39391", "Cấp xã"],
    ["5", "39391.01", "Thôn, tổ dân phố"],
    ["6", "39391.02", "Thôn, tổ dân phố"],
  ])
  assert.equal((await get("demo-admin", "/api/v1/units/39390")).status, 404, "the preview wrote nothing")
  await fitsPhone(page)
  await page.click("button[name=import]")
  await page.waitForSelector("[data-testid=imported]")
  assert.match(await text(page, "[data-testid=imported]"), /Đã tạo 5 đơn vị/)
  const created = await apiGet(server.url, adminToken, "/api/v1/units/39390")
  assert.equal(created.level, "commune")
  assert.equal(created.parent_code, "38")
  assert.deepEqual(
    created.children.map((c) => [c.code, c.level]),
    [["39390.01", "village"]],
  )
  assert.equal((await apiGet(server.url, adminToken, "/api/v1/units/39391.02")).level, "village", "“Tổ dân phố” is a village-level unit")

  // An account attached to Xã Nga Thử: the merge moves it, and the confirmation says so.
  const user = await fetch(`${server.url}/api/v1/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ display_name: "Cán bộ xã Nga Thử", role: "commune", scope_unit: "39390", password: "mat-khau-thu-1" }),
  }).then((r) => r.json())
  assert.ok(user.id, JSON.stringify(user))

  // Merge Xã Nga Thử into Xã Nga Mới, picked by a search without diacritics.
  await page.click("[data-testid=imported] a[data-unit='39390']")
  await page.waitForSelector("[data-testid=unit][data-status=active]")
  await page.click("button[name=merge]")
  await page.fill("input[name=merge_search]", "nga moi")
  await page.click("[data-testid=merge-picker] li[data-unit='39391'] button")
  await page.waitForSelector("[data-testid=merge-dialog]")
  await until(async () => !/Đang đếm/.test(await text(page, "[data-testid=merge-accounts]")), { what: "the accounts counted" })
  const dialog = await text(page, "dialog.dialog")
  assert.match(dialog, /Sáp nhập Xã Nga Thử vào Xã Nga Mới\?/)
  assert.match(dialog, /1 đơn vị trực thuộc Xã Nga Thử sẽ chuyển sang Xã Nga Mới: Thôn Đông\./)
  assert.match(dialog, /1 tài khoản gắn với Xã Nga Thử sẽ chuyển sang Xã Nga Mới\./)
  await page.click("dialog.dialog .dialog-actions button.danger")
  await page.waitForSelector("[data-testid=unit][data-status=merged]")
  await shows(page, "[data-testid=unit-status]", /^Đã sáp nhập vào Xã Nga Mới \(39391\) ngày \d\d\/\d\d\/\d{4}$/)
  await shows(page, "[data-testid=unit-history] li[data-kind=merged]", /Sáp nhập vào Xã Nga Mới \(39391\); 1 đơn vị trực thuộc chuyển theo\s*Người thực hiện: demo-admin/)
  await shows(page, "[data-testid=unit-history] li[data-kind=created][data-unit='39390']", /Tạo đơn vị, trực thuộc Tỉnh Thanh Hóa \(38\)/)
  await shows(page, "[data-testid=unit-history] li[data-kind=moved]", /Thôn Đông \(39390\.01\) chuyển sang Xã Nga Mới \(39391\)/)
  assert.equal(await page.locator("button[name=merge]").count(), 0, "a merged unit cannot be merged again")
  await fitsPhone(page)
  await page.reload()
  await page.waitForSelector("[data-testid=unit-history] li[data-kind=merged]")
  await shows(page, "[data-testid=unit-status]", /Xã Nga Mới \(39391\)/)
  await page.screenshot({ path: join(SHOTS, "29-unit-merged.png") })
  const merged = await apiGet(server.url, adminToken, "/api/v1/units/39390")
  assert.equal(merged.status, "merged")
  assert.equal(merged.merged_into, "39391")
  assert.equal((await apiGet(server.url, adminToken, "/api/v1/units/39390.01")).parent_code, "39391")
  assert.equal((await apiGet(server.url, adminToken, `/api/v1/users/${user.id}`)).scope_unit, "39391")

  // The absorbing commune: Thôn Đông now under it, and the merge in its history.
  await page.click("[data-testid=unit-status] a")
  await page.waitForSelector("[data-testid=children] li[data-unit='39390.01']")
  await shows(page, "[data-testid=unit-history]", /Xã Nga Thử \(39390\) sáp nhập vào đơn vị này/)

  // Retiring a commune with active villages is refused with the server's reason, in Vietnamese.
  await page.click("button[name=retire]")
  await page.click("dialog.dialog .dialog-actions button.danger")
  await page.waitForSelector("[data-testid=unit-error]")
  assert.match(await text(page, "[data-testid=unit-error]"), /39391 còn 3 đơn vị trực thuộc đang hoạt động: hãy sáp nhập hoặc giải thể các đơn vị đó trước/)
  assert.equal((await apiGet(server.url, adminToken, "/api/v1/units/39391")).status, "active")
  // A village without units under it is retired.
  await page.click("[data-testid=children] li[data-unit='39391.02'] a")
  await page.waitForSelector("[data-testid=unit][data-status=active]")
  await page.click("button[name=retire]")
  await page.click("dialog.dialog .dialog-actions button.danger")
  await page.waitForSelector("[data-testid=unit][data-status=retired]")
  await shows(page, "[data-testid=unit-status]", /^Đã giải thể ngày \d\d\/\d\d\/\d{4}$/)
  assert.equal((await apiGet(server.url, adminToken, "/api/v1/units/39391.02")).status, "retired")
  await ctx.close()
})

test("household history: an overwritten value, old → new and who; the commune officer's read in the access log; record problems", async () => {
  // The team lead overwrites a household's head name from the household screen.
  const lead = await phone(browser)
  const lp = await lead.newPage()
  await signIn(lp, server.app, "demo-lead")
  await openVillage(lp, "39301.01")
  await lp.locator("a.row[data-household]").first().click()
  await lp.waitForSelector("input[name=head_name]")
  const hh = lp.url().split("/h/")[1]
  const before = await lp.inputValue("input[name=head_name]")
  assert.ok(before, "the demo household has a head name")
  const after = "Nguyễn Văn Sửa Tên"
  await setField(lp, "head_name", after)
  await waitSync(lp, "synced", 0)

  // The history: closed until asked; then the change, newest first, with the old and new values and who.
  assert.equal(await lp.locator("[data-testid=history-list]").count(), 0, "not fetched before it is asked for")
  await lp.click("button[name=history]")
  await lp.waitForSelector("[data-testid=history-list][data-state=ready]")
  const latest = lp.locator("[data-testid=history-list] li.change").first()
  assert.equal(await latest.locator("[data-testid=change-who]").innerText(), "Tổ trưởng Tổ CNS xã Nga Liên")
  assert.equal(await latest.locator("li[data-field=head_name]").innerText(), `Họ tên chủ hộ: ${before} → ${after}`)
  assert.match(await latest.innerText(), /\d\d:\d\d \d\d\/\d\d\/\d{4} · máy [0-9a-f]{8}/)
  // The demo's first record is there too, by the seeding account, labelled as the forms label fields.
  assert.match(await text(lp, "[data-testid=history-list]"), /Dữ liệu mẫu \(tự động\)[\s\S]*Họ tên chủ hộ: \(để trống\) → /)
  await fitsPhone(lp)
  await lp.evaluate(() => document.querySelector("[data-testid=history]").scrollIntoView({ block: "start" }))
  await lp.evaluate(() => scrollBy(0, -110)) // below the sticky sync bar and the title
  await lp.screenshot({ path: join(SHOTS, "31-household-history.png") })

  // Without a connection the history says it needs one (the request fails as offline).
  await lp.route("**/api/v1/households/*/history", (r) => r.abort("internetdisconnected"))
  await lp.click("button[name=history_reload]")
  await lp.waitForSelector("[data-testid=history-offline]")
  assert.match(await text(lp, "[data-testid=history-offline]"), /cần có mạng để xem lịch sử thay đổi/)
  await lp.unroute("**/api/v1/households/*/history")
  const docUrl = lp.url().split("#")[1]
  await lead.close()

  // The commune officer reads the same history: the lead's change, and the read is logged.
  const commune = await phone(browser)
  const cp = await commune.newPage()
  await signIn(cp, server.app, "demo-commune")
  await cp.goto(`${server.app}/#${docUrl}`)
  await cp.waitForSelector("input[name=head_name]", { timeout: 40_000 })
  await until(async () => (await cp.inputValue("input[name=head_name]")) === after, { what: "the changed name on the commune's phone" })
  await cp.click("button[name=history]")
  await cp.waitForSelector("[data-testid=history-list][data-state=ready]")
  const seen = cp.locator("[data-testid=history-list] li.change").first()
  assert.equal(await seen.locator("[data-testid=change-who]").innerText(), "Tổ trưởng Tổ CNS xã Nga Liên")
  assert.equal(await seen.locator("li[data-field=head_name]").innerText(), `Họ tên chủ hộ: ${before} → ${after}`)
  assert.match(await text(cp, "[data-testid=history-list]"), /Lượt xem này được ghi vào nhật ký truy cập/)

  const log = (await get("demo-commune", "/api/v1/access-log")).body
  const reads = log.filter((e) => e.action === "household_history" && e.detail === hh)
  assert.deepEqual(
    reads.map((e) => e.username),
    ["demo-commune"],
    "the commune officer's read is logged; the team lead's is not (field staff)",
  )

  // The access log screen lists that read: who by display name, role, when, what.
  await cp.goto(server.app + "/#/settings")
  await cp.click("a[data-link=access-log]")
  await cp.waitForSelector("[data-testid=access-log] li[data-action=household_history]")
  // The village's name arrives after the list (asked once per code).
  const entry = await until(async () => {
    const x = await text(cp, "[data-testid=access-log] li[data-action=household_history]")
    return /Thôn 1/.test(x) && x
  }, { what: "the village named" })
  assert.match(entry, /Công chức VH-XH xã Nga Liên\s*Cán bộ xã/)
  assert.match(entry, /Xem lịch sử thay đổi của một hộ ở Thôn 1 \(39301\.01\)/)
  assert.match(entry, /\d\d:\d\d \d\d\/\d\d\/\d{4} · máy [0-9a-f]{8}/)
  await fitsPhone(cp)

  // Record problems: the screen shows what the server lists (the demo has none: the empty state).
  const problems = (await get("demo-commune", "/api/v1/units/16138/record-problems")).body
  await cp.goto(server.app + "/#/settings")
  await cp.click("a[data-link=problems]")
  await cp.waitForSelector("[data-testid=problems]")
  if (problems.length) assert.equal(await cp.locator("[data-testid=problems] li[data-problem]").count(), problems.length)
  else assert.match(await text(cp, "[data-testid=problems]"), /Không có hồ sơ lỗi nào/)
  await shows(cp, "[data-testid=unit-name]", /Xã Hồ Vương \(16138\)/)
  await fitsPhone(cp)
  await commune.close()
})

test("not for your role, and not found", async () => {
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-enumerator")
  for (const route of ["/units", "/units/16138", "/units/import", "/access-log", "/problems"]) {
    await page.goto(`${server.app}/#${route}`)
    await page.waitForSelector("[data-testid=not-for-role]")
    assert.match(await text(page, "[data-testid=not-for-role]"), /Màn hình này không dành cho vai trò của bạn[\s\S]*Thành viên tổ/, route)
  }
  await fitsPhone(page)
  await page.goto(`${server.app}/#/khong-co-trang-nay`)
  await page.waitForSelector("[data-testid=not-found]")
  assert.match(await text(page, "[data-testid=not-found]"), /Không tìm thấy trang/)
  assert.equal(await page.locator("a.card[data-village]").count(), 0, "not the home screen")
  await page.click("[data-testid=not-found] a")
  await page.waitForSelector("a.card[data-village]")
  await ctx.close()

  // The commune officer (the officials' level under the province since the reform) may read the
  // access log but not shape the tree; the team lead may not read the log.
  const commune = await phone(browser)
  const cp = await commune.newPage()
  await signIn(cp, server.app, "demo-commune")
  await cp.goto(`${server.app}/#/units`)
  await cp.waitForSelector("[data-testid=not-for-role]")
  await cp.goto(`${server.app}/#/access-log`)
  await cp.waitForSelector("[data-testid=access-log]")
  await commune.close()
  const lead = await phone(browser)
  const lp = await lead.newPage()
  await signIn(lp, server.app, "demo-lead")
  await lp.goto(`${server.app}/#/access-log`)
  await lp.waitForSelector("[data-testid=not-for-role]")
  await lp.goto(`${server.app}/#/problems`)
  await lp.waitForSelector("[data-testid=problems]")
  await lead.close()
})

// The officials' console (issue 14) at 360×740: the "Quản lý" hub for each role; the commune
// officer's declared indicators (a value in numbers, a status "Chưa có"), with their history and
// the officer's display name, on the server, in the province's XLSX and in the province's
// indicator table (since the 2025 reform the communes sit directly under the province); the
// province changes a target and the indicator table's colour follows, the targets screen naming
// the new source and its history; a campaign edited and listed, marked current and back to
// automatic; the commune officer reads campaigns and targets only, the enumerator has no console.
// Screenshots 24–27 go to docs/screenshots/.
// The second test (the province's indicator table showing "Chưa có" in the commune's column,
// `<td data-status="not_yet">`) needs the indicator table of the parallel console branch: it
// fails on this branch alone, by design, and passes once both are merged.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { join } from "node:path"
import { readFile } from "node:fs/promises"
import { Server, launch, phone, signIn, apiLogin, apiGet, ROOT } from "./lib.mjs"
import { sheetCells, columnName } from "./xlsx.mjs"

const SHOTS = join(ROOT, "docs/screenshots")
const COMMUNE_NAME = "Công chức VH-XH xã Nga Liên" // demo-commune's display name
const PROVINCE_NAME = "Sở TT&TT Thanh Hóa" // demo-province's display name
/** The day `offset` days from today in Vietnam, YYYY-MM-DD. */
const day = (offset) => new Date(Date.now() + 7 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10)

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

async function api(username, path) {
  const { access_token } = await apiLogin(server.url, username)
  return apiGet(server.url, access_token, path)
}

async function signedIn(username, extra = {}) {
  const page = await (await phone(browser, extra)).newPage()
  const errors = []
  page.on("pageerror", (e) => errors.push(e.message))
  page.errors = errors
  await signIn(page, server.app, username)
  return page
}

/** Nothing wider than the phone, every tap target at least 44 px high, no number cut. */
async function fitsPhone(page) {
  const r = await page.evaluate(() => {
    const small = [...document.querySelectorAll("main button, main a, main select, main input, main textarea, main summary, nav a")]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => el.getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 100))
    const cut = [...document.querySelectorAll("main .nums, main .target-text")]
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent)
    return { width: document.documentElement.scrollWidth, small, cut }
  })
  assert.ok(r.width <= 360, `the page fits 360 px (${r.width})`)
  assert.deepEqual(r.small, [], "tap targets are at least 44 px high")
  assert.deepEqual(r.cut, [], "no number is cut")
}

/** The bottom navigation: its items, at most six, each label on screen in full. */
async function navItems(page) {
  const items = await page.$$eval("nav.nav a", (links) =>
    links.map((a) => ({ key: a.dataset.nav, text: a.textContent.trim(), fits: a.scrollWidth <= a.clientWidth + 1, right: a.getBoundingClientRect().right })),
  )
  assert.ok(items.length <= 6, `at most six navigation items (${items.map((i) => i.key)})`)
  for (const i of items) {
    assert.ok(i.fits, `the label "${i.text}" fits its item`)
    assert.ok(i.right <= 360, `"${i.text}" is on screen`)
  }
  return items.map((i) => i.key)
}

/** The hub's entries: { key: "true"/"false" edits tag, or "" when the screen says it itself }. */
async function hubEntries(page) {
  await page.click("a[data-nav=console]")
  await page.waitForSelector("a[data-console]")
  return page.$$eval("a[data-console]", (links) => Object.fromEntries(links.map((a) => [a.dataset.console, a.querySelector("[data-edits]")?.dataset.edits ?? ""])))
}

/** The cell of unit `unitName` for indicator `id` in the indicator table (found by its column head). */
async function gridCell(page, id, unitName) {
  return page.evaluate(
    ([id, unitName]) => {
      const heads = [...document.querySelectorAll("table.indicators thead tr:first-child > *")]
      const k = heads.findIndex((th) => th.textContent.trim() === unitName)
      const row = document.querySelector(`table.indicators tbody tr[data-indicator='${id}']`)
      const cell = k >= 0 && row ? row.cells[k] : null
      return cell && { className: cell.className, rate: cell.dataset.rate ?? null, status: cell.dataset.status ?? null, text: cell.textContent.trim() }
    },
    [id, unitName],
  )
}

/** The class the indicator table gives a cell: met, within 10 points, further. */
const expectedTone = (v) => (v.rate === null ? "c-none" : v.met ? "c-met" : v.rate >= v.target - 0.1 ? "c-near" : "c-miss")

test("the commune officer declares a value and a status; the history, the server, the province's XLSX have them", async () => {
  const page = await signedIn("demo-commune", { acceptDownloads: true })
  // Six navigation items: "Hộ trùng" moved into "Quản lý".
  const nav = await navItems(page)
  assert.deepEqual(nav, ["villages", "team", "review", "dashboard", "console", "settings"])
  const hub = await hubEntries(page)
  assert.deepEqual(hub, { declared: "true", targets: "false", campaigns: "false", raw_data: "", problems: "", access_log: "", duplicates: "" })
  await page.waitForSelector("main p:has-text('Xã Hồ Vương')") // the officer's commune, named
  await fitsPhone(page)
  await page.screenshot({ path: join(SHOTS, "24-console-hub.png") })

  await page.click("a[data-console=declared]")
  await page.waitForSelector("[data-testid=declared-indicator]")
  const ids = await page.$$eval("[data-testid=declared-indicator]", (els) => els.map((e) => Number(e.dataset.indicator)))
  assert.deepEqual(ids, [1, 2, 3, 4, 5, 12, 16], "the 7 declared indicators of the catalogue")
  const before = await api("demo-commune", "/api/v1/units/16138/declared")

  // Indicator 2 in numbers; mistakes are said before anything is sent.
  const two = page.locator("[data-testid=declared-indicator][data-indicator='2']")
  await two.locator("button[name=update-declared]").click()
  await two.locator("input[name=numerator]").fill("21")
  await two.locator("input[name=denominator]").fill("20")
  await two.locator("button[name=save-declared]").click()
  assert.equal(await two.locator("[data-testid=declared-problem]").textContent(), "Số đạt không được lớn hơn tổng số.")
  await two.locator("input[name=numerator]").fill("17,5")
  assert.match(await two.locator("[data-testid=declared-problem]").textContent(), /số nguyên/)
  await two.locator("input[name=numerator]").fill("18")
  assert.equal(await two.locator("[data-testid=declared-problem]").count(), 0, "the message goes once fixed")
  assert.equal(await two.locator("[data-testid=rate-preview]").textContent(), "Tỷ lệ: 90%")
  assert.equal((await api("demo-commune", "/api/v1/units/16138/declared")).length, before.length, "nothing sent while wrong")
  await two.locator("textarea[name=note]").fill("Theo danh sách cán bộ tháng này")
  await two.locator("button[name=save-declared]").click()
  await two.locator(".banner.ok").waitFor()
  assert.equal(await two.locator("[data-testid=declared-current] strong").textContent(), "18/20 · 90%")
  const twoHistory = two.locator("[data-testid=declared-history] li").first()
  assert.match(await twoHistory.textContent(), new RegExp(`18/20 · 90%.*đang áp dụng.*${COMMUNE_NAME} ghi lúc \\d\\d:\\d\\d.*Theo danh sách cán bộ`))

  // Indicator 16 as a status: "Chưa có".
  const sixteen = page.locator("[data-testid=declared-indicator][data-indicator='16']")
  await sixteen.locator("button[name=update-declared]").click()
  await sixteen.locator("button[name=mode-status]").click()
  await sixteen.locator("button[name=save-declared]").click()
  assert.equal(await sixteen.locator("[data-testid=declared-problem]").textContent(), "Hãy chọn một tình trạng.")
  await sixteen.locator("button[data-status=not_yet]").click()
  await sixteen.locator("button[name=save-declared]").click()
  await sixteen.locator(".banner.ok").waitFor()
  assert.equal(await sixteen.locator("[data-testid=declared-current]").getAttribute("data-status"), "not_yet")
  assert.equal(await sixteen.locator("[data-testid=declared-current] strong").textContent(), "Chưa có")
  const sixteenHistory = sixteen.locator("[data-testid=declared-history] li")
  assert.match(await sixteenHistory.first().textContent(), new RegExp(`^Chưa có.*đang áp dụng.*${COMMUNE_NAME} ghi lúc`))
  // The earlier value is Xã Nga Liên's, declared before the reform merged it into Xã Hồ Vương.
  assert.match(await sixteenHistory.nth(1).textContent(), /^3\/4 · 75%.*của Xã Nga Liên, trước khi sắp xếp/, "the demo's earlier value stays in the history, under the newer one")
  await fitsPhone(page)
  await sixteen.scrollIntoViewIfNeeded()
  await page.evaluate(() => scrollBy(0, -120))
  await page.screenshot({ path: join(SHOTS, "25-declared.png") })

  // The server has both, by the commune officer, for today.
  const after = await api("demo-commune", "/api/v1/units/16138/declared")
  const latest = (id) => after.filter((v) => v.indicator_id === id).sort((a, b) => b.id - a.id)[0]
  assert.equal(after.length, before.length + 2)
  assert.deepEqual(
    { n: latest(2).numerator, d: latest(2).denominator, status: latest(2).status, by: latest(2).entered_by, note: latest(2).note },
    { n: 18, d: 20, status: null, by: "demo-commune", note: "Theo danh sách cán bộ tháng này" },
  )
  assert.deepEqual({ status: latest(16).status, by: latest(16).entered_by }, { status: "not_yet", by: "demo-commune" })

  // The province official's XLSX (downloaded from their phone): the commune's 18/20 and "Chưa có".
  const province = await signedIn("demo-province", { acceptDownloads: true })
  await province.click("a[data-nav=dashboard]")
  await province.waitForSelector("table.indicators td[data-rate]")
  const [file] = await Promise.all([province.waitForEvent("download"), province.click("button:has-text('XLSX')")])
  const cells = sheetCells(await readFile(await file.path()))
  const ref = [...cells].find(([, v]) => v === "Xã Hồ Vương")?.[0]
  assert.ok(ref, "the commune has a column in the province's report")
  const [, letters, headRow] = /^([A-Z]+)(\d+)$/.exec(ref)
  // The commune's "Sau" column: under its name, after "Trước".
  const from = [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1
  let afterCol = null
  for (let c = from; c < from + 4 && !afterCol; c++) if (cells.get(`${columnName(c)}${Number(headRow) + 1}`) === "Sau") afterCol = columnName(c)
  assert.ok(afterCol, "the commune's 'Sau' column")
  const rowOf = (id) => [...cells].find(([k, v]) => /^A\d+$/.test(k) && v === id)?.[0].slice(1)
  assert.equal(cells.get(`${afterCol}${rowOf(2)}`), 0.9, "indicator 2: 18/20")
  assert.equal(cells.get(`${afterCol}${rowOf(16)}`), "Chưa có", "indicator 16: the status as text")
  await province.context().close()
  await page.context().close()
  assert.deepEqual([...page.errors], [])
})

test("the province's indicator table shows the commune's status as text", async () => {
  // Relies on the previous test's declarations (indicator 16: "Chưa có").
  const province = await signedIn("demo-province")
  await province.click("a[data-nav=dashboard]")
  await province.waitForSelector("table.indicators td[data-rate]")
  const two = await gridCell(province, 2, "Xã Hồ Vương")
  assert.equal(Number(two.rate), 0.9, "indicator 2 of the commune: 18/20")
  // NOTE (merge): the indicator table renders a declared status as <td data-status="not_yet"> with
  // the text of `declared.status.not_yet` in the other console branch (the indicator table's
  // helper). On this branch alone the table does not render it yet, and this assertion fails
  // until that branch is merged; everything else in this file passes here.
  await province.waitForSelector("table.indicators tr[data-indicator='16'] td[data-status=not_yet]", { timeout: 5000 })
  const sixteen = await gridCell(province, 16, "Xã Hồ Vương")
  assert.equal(sixteen.status, "not_yet")
  assert.match(sixteen.text, /Chưa có/)
  await province.context().close()
})

test("the province changes a target: the indicator table's colour follows; the targets screen shows its source and history", async () => {
  const page = await signedIn("demo-province")
  assert.deepEqual(await navItems(page), ["dashboard", "weekly", "console", "units", "settings"])
  const hub = await hubEntries(page)
  assert.deepEqual(hub, { declared: "false", targets: "true", campaigns: "true", units: "", reform: "", survey: "", indicators: "", problems: "", access_log: "" })

  // Indicator 6 of the province as the server computes it now, and the colour on screen.
  const table = await api("demo-province", "/api/v1/units/38/indicators")
  const six = table.unit.indicators.find((i) => i.id === 6)
  assert.ok(six.rate !== null, "the demo has a rate for indicator 6")
  await page.click("a[data-nav=dashboard]")
  await page.waitForSelector("table.indicators td[data-rate]")
  const cellBefore = await gridCell(page, 6, "Tỉnh Thanh Hóa")
  assert.equal(cellBefore.className, expectedTone(six))
  // A target the rate misses by more than 10 points when it meets the default now, else one it meets.
  const wanted = cellBefore.className === "c-met" ? Math.min(100, Math.floor(six.rate * 100) + 12) : Math.max(0, Math.floor(six.rate * 100) - 5)
  const wantedText = wanted === 100 ? "100%" : `${wanted}% trở lên`
  const expected = expectedTone({ rate: six.rate, target: wanted / 100, met: six.rate >= wanted / 100 })
  assert.notEqual(expected, cellBefore.className, "the new target changes the colour")

  await page.click("a[data-nav=console]")
  await page.click("a[data-console=targets]")
  const card = page.locator("[data-testid=target][data-indicator='6']")
  await card.waitFor()
  assert.equal(await page.inputValue("select[name=unit]"), "38")
  assert.equal(await card.locator("[data-testid=target-text]").textContent(), "80% trở lên")
  assert.equal(await card.locator("[data-testid=target-source]").getAttribute("data-kind"), "default")
  await card.locator("button[name=edit-target]").click()
  await card.locator("input[name=target]").fill("120")
  await card.locator("button[name=save-target]").click()
  assert.match(await card.locator("[data-testid=target-problem]").textContent(), /từ 0 đến 100/)
  await card.locator("input[name=target]").fill(String(wanted))
  assert.equal(await card.locator("[data-testid=target-preview]").textContent(), `Sẽ ghi là: ${wantedText}`)
  // For the province, every campaign (the default choice).
  assert.equal(await card.locator("button[data-scope=unit]").getAttribute("aria-checked"), "true")
  await card.locator("button[name=save-target]").click()
  await card.locator("[data-testid=target-notice]").waitFor()
  assert.equal(await card.locator("[data-testid=target-text]").textContent(), wantedText)
  const source = card.locator("[data-testid=target-source]")
  assert.equal(await source.getAttribute("data-kind"), "unit")
  assert.match(await source.textContent(), new RegExp(`^Đặt cho Tỉnh Thanh Hóa, mọi đợt · ${PROVINCE_NAME}, \\d\\d:\\d\\d`))
  const history = card.locator("[data-testid=target-history] li")
  assert.equal(await history.count(), 1)
  assert.match(await history.first().textContent(), new RegExp(`${wantedText}.*đang áp dụng.*Đặt cho Tỉnh Thanh Hóa, mọi đợt.*${PROVINCE_NAME}`))
  await fitsPhone(page)
  await card.scrollIntoViewIfNeeded()
  await page.evaluate(() => scrollBy(0, -60))
  await page.screenshot({ path: join(SHOTS, "26-targets.png") })

  // The server has it, and the indicator table's colour follows.
  const targets = await api("demo-province", "/api/v1/units/38/targets")
  const t6 = targets.find((x) => x.indicator_id === 6)
  assert.equal(t6.target, wanted / 100)
  assert.deepEqual({ kind: t6.source.kind, unit: t6.source.unit_code, by: t6.source.set_by }, { kind: "unit", unit: "38", by: "demo-province" })
  await page.click("a[data-nav=dashboard]")
  await page.waitForFunction(
    ([cls]) => {
      const heads = [...document.querySelectorAll("table.indicators thead tr:first-child > *")]
      const k = heads.findIndex((th) => th.textContent.trim() === "Tỉnh Thanh Hóa")
      return document.querySelector("table.indicators tbody tr[data-indicator='6']")?.cells[k]?.className === cls
    },
    [expected],
  )
  const now = (await api("demo-province", "/api/v1/units/38/indicators")).unit.indicators.find((i) => i.id === 6)
  assert.equal(now.target, wanted / 100)
  assert.equal(expectedTone(now), expected)

  // The commune officer, below the province (no district since the 2025 reform), reads the same
  // target coming from above, and may not change one.
  const commune = await signedIn("demo-commune")
  await commune.goto(server.app + "/#/targets")
  const c6 = commune.locator("[data-testid=target][data-indicator='6']")
  await c6.waitFor()
  assert.equal(await commune.locator("button[name=edit-target]").count(), 0)
  assert.match(await commune.textContent("[data-testid=targets-read-only]"), /bạn chỉ xem/)
  assert.equal(await c6.locator("[data-testid=target-text]").textContent(), wantedText)
  assert.match(await c6.locator("[data-testid=target-source]").textContent(), /Đặt cho Tỉnh Thanh Hóa, mọi đợt/)
  await commune.context().close()
  await page.context().close()
  assert.deepEqual([...page.errors], [])
})

test("campaigns: the province edits one and marks one current; the commune officer only reads; the enumerator has no console", async () => {
  const page = await signedIn("demo-province")
  await page.goto(server.app + "/#/campaigns")
  const [first] = await api("demo-province", "/api/v1/campaigns")
  const card = page.locator(`li[data-campaign='${first.id}']`)
  await card.waitFor()
  assert.equal(await card.getAttribute("data-current"), "true")
  assert.equal(await page.getAttribute("[data-testid=current-campaign]", "data-marked"), "false")

  // Edit: a new name and an end date; a wrong time is said before sending.
  await card.locator("button[name=edit-campaign]").click()
  const form = page.locator("[data-testid=campaign-form]")
  await form.locator("input[name=name]").fill("Mô hình \"3 KHÔNG\" năm 2026")
  await form.locator("input[name=end_date]").fill(day(40))
  await form.locator("input[name=start_date]").fill(day(50))
  await form.locator("button[name=save-campaign]").click()
  assert.equal(await form.locator("[data-testid=campaign-problem]").textContent(), "Ngày kết thúc không được trước ngày bắt đầu.")
  await form.locator("input[name=start_date]").fill(first.start_date ?? "")
  await form.locator("button[name=save-campaign]").click()
  await page.waitForSelector("[data-testid=campaign-notice]:has-text('Đã lưu đợt')")
  assert.equal(await card.locator("[data-testid=campaign-name]").textContent(), "Mô hình \"3 KHÔNG\" năm 2026")
  const [y, m, d] = day(40).split("-")
  assert.match(await card.locator("[data-testid=campaign-period]").textContent(), new RegExp(`– ${d}/${m}/${y}`))
  const edited = (await api("demo-province", "/api/v1/campaigns")).find((c) => c.id === first.id)
  assert.deepEqual({ name: edited.name, end: edited.end_date, baseline: edited.baseline_date }, { name: "Mô hình \"3 KHÔNG\" năm 2026", end: day(40), baseline: first.baseline_date })

  // A new campaign starting in two months (not yet the current one), then marked current, then back.
  await page.click("button[name=new-campaign]")
  const fresh = page.locator("[data-testid=campaign-form]")
  await fresh.locator("input[name=name]").fill("Đợt 2")
  await fresh.locator("input[name=baseline_date]").fill(day(59))
  await fresh.locator("input[name=start_date]").fill(day(60))
  await fresh.locator("select[name=report_weekday]").selectOption("4")
  await fresh.locator("input[name=report_time]").fill("16:30")
  await fresh.locator("button[name=save-campaign]").click()
  await page.waitForSelector("[data-testid=campaign-notice]:has-text('Đã tạo đợt')")
  const created = (await api("demo-province", "/api/v1/campaigns")).find((c) => c.name === "Đợt 2")
  assert.deepEqual({ weekday: created.report_weekday, time: created.report_time, current: created.current }, { weekday: 4, time: "16:30", current: false })
  const second = page.locator(`li[data-campaign='${created.id}']`)
  assert.match(await second.textContent(), /Hạn báo cáo tuần: 16:30 thứ Năm hằng tuần/)
  await second.locator("button[name=mark-current]").click()
  assert.match(await page.textContent("dialog[open]"), /Đợt 2 \(mục tiêu/)
  await page.click("dialog[open] .btn.primary")
  await page.waitForSelector(`li[data-campaign='${created.id}'][data-current=true]`)
  assert.equal(await page.getAttribute("[data-testid=current-campaign]", "data-marked"), "true")
  let current = await api("demo-commune", "/api/v1/campaigns/current")
  assert.deepEqual({ id: current.campaign.id, marked: current.marked }, { id: created.id, marked: true })
  await fitsPhone(page)
  await page.evaluate(() => scrollTo(0, 0))
  await page.screenshot({ path: join(SHOTS, "27-campaigns.png") })
  await page.click("button[name=auto-current]")
  await page.click("dialog[open] .btn.primary")
  await page.waitForSelector("[data-testid=current-campaign][data-marked=false]")
  current = await api("demo-commune", "/api/v1/campaigns/current")
  assert.deepEqual({ id: current.campaign.id, marked: current.marked }, { id: first.id, marked: false })
  await page.waitForSelector(`li[data-campaign='${first.id}'][data-current=true]`)

  // The commune officer reads campaigns: no button to create, edit or mark.
  const commune = await signedIn("demo-commune")
  const hub = await hubEntries(commune)
  assert.deepEqual(hub, { declared: "true", targets: "false", campaigns: "false", raw_data: "", problems: "", access_log: "", duplicates: "" })
  await commune.click("a[data-console=campaigns]")
  await commune.waitForSelector(`li[data-campaign='${created.id}']`)
  assert.match(await commune.textContent(`li[data-campaign='${first.id}']`), /Mô hình "3 KHÔNG" năm 2026/)
  for (const name of ["new-campaign", "edit-campaign", "mark-current", "auto-current"]) {
    assert.equal(await commune.locator(`button[name=${name}]`).count(), 0, `no ${name} for the commune officer`)
  }
  assert.match(await commune.textContent("[data-testid=campaigns-read-only]"), /bạn chỉ xem/)
  await fitsPhone(commune)
  await commune.context().close()

  // The enumerator has no console: no navigation item, and the screens say they are not for them.
  const member = await signedIn("demo-enumerator")
  assert.equal(await member.locator("a[data-nav=console]").count(), 0)
  for (const path of ["/console", "/targets", "/declared", "/campaigns"]) {
    await member.goto(server.app + "/#" + path)
    await member.waitForSelector("[data-testid=not-for-role]")
    assert.match(await member.textContent("[data-testid=not-for-role]"), /Màn hình này không dành cho vai trò của bạn[\s\S]*Thành viên tổ/)
  }
  await member.context().close()
  await page.context().close()
  assert.deepEqual([...page.errors], [])
})

// The officials' console (issue 14) at 360×740, as the province official (demo data, the tree
// since the 2025 reform: province → communes → villages): drilling from the province to a commune
// and a village through the table's unit headings and back up with the breadcrumb; the unit
// columns ordered by an indicator (checked against the server's answer) and the ranking with
// met / not met as the server judged; every commune compared at the province (its own units since
// the reform: no level to choose); the sticky indicator names on top of the numbers when the table is
// scrolled sideways; nothing wider than the phone, no number cut. Writes
// docs/screenshots/32-province-table.png, 33-drill-commune.png, 34-ranking.png, 35-level-communes.png.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { Server, launch, phone, signIn, apiLogin, ROOT } from "./lib.mjs"

const SHOTS = join(ROOT, "docs/screenshots")
let server, browser, token

before(async () => {
  server = await new Server().start()
  browser = await launch()
  token = (await apiLogin(server.url, "demo-province")).access_token
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

/** The server's answer (status and body) to a GET as the province official, or as `as`. */
async function serverGet(path, as = token) {
  const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${as}` } })
  return { status: r.status, body: await r.json() }
}

async function indicators(code, query = "") {
  const { status, body } = await serverGet(`/api/v1/units/${code}/indicators${query}`)
  assert.equal(status, 200, `indicators of ${code}${query}: ${JSON.stringify(body)}`)
  return body
}

/** The order the console must show: by the indicator's rate, highest first, no rate last, ties as the server listed them. */
function expectedOrder(children, id) {
  const rate = (u) => u.indicators.find((x) => x.id === id).rate
  return children
    .map((u, i) => ({ u, i, r: rate(u) }))
    .sort((a, b) => (a.r === null) - (b.r === null) || (a.r === null ? 0 : b.r - a.r) || a.i - b.i)
    .map((x) => x.u)
}

async function provincePage() {
  const page = await (await phone(browser, { acceptDownloads: true })).newPage()
  await signIn(page, server.app, "demo-province")
  await page.click("a[data-nav=dashboard]")
  await page.waitForSelector("table.indicators th.unit-head.own[data-unit='38']")
  return page
}

/** Unit codes of the table's columns, left to right, from the headings. */
const headings = (page) => page.$$eval("table.indicators thead th.unit-head", (ths) => ths.map((th) => th.dataset.unit))

/** One indicator's row: [unit code, data-rate] per unit cell, left to right. */
const row = (page, id) =>
  page.$$eval(`table.indicators tr[data-indicator='${id}'] td[data-unit]`, (tds) => tds.map((td) => [td.dataset.unit, td.dataset.rate]))

const title = (page) => page.textContent("header.top h1")

/** The breadcrumb's links: [unit code, text]. */
const crumbs = (page) => page.$$eval("[data-testid=breadcrumb] a[data-crumb]", (as) => as.map((a) => [a.dataset.crumb, a.textContent]))

/** For a screenshot: `selector` at the top of the screen, under the sync bar. */
async function showAtTop(page, selector) {
  await page.evaluate((selector) => {
    const bar = document.querySelector(".syncbar")?.getBoundingClientRect().height ?? 0
    scrollTo(0, document.querySelector(selector).getBoundingClientRect().top + scrollY - bar - 8)
  }, selector)
}

/** For a screenshot: the table scrolled sideways so that its compared units start beside the names. */
async function showUnits(page) {
  await page.evaluate(() => {
    const wrap = document.querySelector("[data-testid=indicator-table]")
    const first = wrap.querySelector("th.unit-head:not(.own)")
    const names = wrap.querySelector("th.ind-name")
    if (first) wrap.scrollLeft = first.offsetLeft - names.offsetWidth
  })
}

/** Nothing wider than the phone, tap targets ≥ 44 px, no number cut (in the table or the ranking). */
async function fitsPhone(page) {
  const r = await page.evaluate(() => {
    const main = document.querySelector("main")
    const small = [...main.querySelectorAll("button, a, select, input")]
      .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 100))
    const cut = [...main.querySelectorAll("table.indicators td, table.indicators td *, .rank-side strong, .rank-whole strong")]
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent)
    return { width: document.documentElement.scrollWidth, small, cut }
  })
  assert.ok(r.width <= 360, `the page does not scroll sideways at 360 px (${r.width})`)
  assert.deepEqual(r.small, [], "tap targets are at least 44 px high")
  assert.deepEqual(r.cut, [], "no number is cut")
}

test("the province drills down to a commune and a village, and back up with the breadcrumb", async () => {
  const province = await indicators("38")
  const page = await provincePage()
  assert.equal(await title(page), "Tỉnh Thanh Hóa")
  // The province's own column first, then its units as the server listed them.
  assert.deepEqual(await headings(page), ["38", ...province.children.map((u) => u.code)])
  await fitsPhone(page)
  await showAtTop(page, "[data-testid=indicator-table]")
  await showUnits(page)
  await page.screenshot({ path: join(SHOTS, "32-province-table.png") })

  // A commune's heading opens the commune's table (since the 2025 reform the communes are the
  // province's own units: no district between).
  const commune = province.children.find((u) => u.code === "16138")
  await page.click("table.indicators a[data-unit-link='16138']")
  await page.waitForURL(/#\/dash\/16138$/)
  await page.waitForSelector("table.indicators th.unit-head.own[data-unit='16138']")
  assert.equal(await title(page), commune.name)
  const communeAnswer = await indicators("16138")
  assert.deepEqual(await headings(page), ["16138", ...communeAnswer.children.map((u) => u.code)])
  // Its figures are the commune's, as the server gives them.
  const six = (await row(page, 6))[0]
  assert.equal(Number(six[1]), communeAnswer.unit.indicators.find((x) => x.id === 6).rate)
  // The breadcrumb over the title: the province, a link.
  assert.deepEqual(await crumbs(page), [["38", "Tỉnh Thanh Hóa"]])
  assert.ok(await page.$("header.top [data-testid=breadcrumb] + h1"), "in the header, over the commune's name")
  await fitsPhone(page)
  await page.evaluate(() => scrollTo(0, 0))
  await page.screenshot({ path: join(SHOTS, "33-drill-commune.png") })

  // Then one of its villages.
  const village = communeAnswer.children[0]
  await page.click(`table.indicators a[data-unit-link='${village.code}']`)
  await page.waitForURL(new RegExp(`#/dash/${village.code.replace(".", "\\.")}$`))
  await page.waitForSelector(`table.indicators th.unit-head.own[data-unit='${village.code}']`)
  assert.equal(await title(page), village.name)
  const villageAnswer = await indicators(village.code)
  assert.deepEqual(await headings(page), [village.code, ...villageAnswer.children.map((u) => u.code)])
  // Province › commune › over the village's name.
  assert.deepEqual(await crumbs(page), [
    ["38", "Tỉnh Thanh Hóa"],
    ["16138", commune.name],
  ])
  assert.ok(await page.$("header.top [data-testid=breadcrumb] + h1"), "in the header, over the village's name")
  await fitsPhone(page)

  // Back up: the commune, then the province, from the breadcrumb.
  await page.click("[data-testid=breadcrumb] a[data-crumb='16138']")
  await page.waitForURL(/#\/dash\/16138$/)
  await page.waitForSelector("table.indicators th.unit-head.own[data-unit='16138']")
  assert.equal(await title(page), commune.name)
  await page.click("[data-testid=breadcrumb] a[data-crumb='38']")
  await page.waitForURL(/#\/dash\/38$/)
  await page.waitForSelector("table.indicators th.unit-head.own[data-unit='38']")
  assert.equal(await title(page), "Tỉnh Thanh Hóa")
  assert.equal(await page.$("[data-testid=breadcrumb]"), null, "no breadcrumb at the official's own unit")

  // The list under the table opens a unit too; "back" returns.
  const other = province.children.find((u) => u.code !== "16138")
  await page.click(`[data-testid=unit-list] a[data-unit-row='${other.code}']`)
  await page.waitForSelector(`table.indicators th.unit-head.own[data-unit='${other.code}']`)
  assert.equal(await title(page), other.name)
  await page.goBack()
  await page.waitForSelector("table.indicators th.unit-head.own[data-unit='38']")

  // A unit outside the official's area (the commune officer opening the province): the server's
  // refusal is shown, in words.
  const communeOfficial = (await apiLogin(server.url, "demo-commune")).access_token
  const refused = await serverGet("/api/v1/units/38/indicators", communeOfficial)
  assert.ok([403, 404].includes(refused.status), `the commune may not read the province (${refused.status})`)
  const outsider = await (await phone(browser)).newPage()
  await signIn(outsider, server.app, "demo-commune")
  await outsider.evaluate(() => (location.hash = "#/dash/38"))
  await outsider.waitForSelector("[data-testid=indicators-unavailable] .error-note")
  const said = await outsider.textContent("[data-testid=indicators-unavailable]")
  assert.ok(said.includes(refused.body.error.message), `the server's message is shown: ${said}`)
  assert.match(said, /không thuộc địa bàn|không được xem/)
  await outsider.context().close()

  // A role without the table (the enumerator) is told so, not shown an empty screen.
  const member = await (await phone(browser)).newPage()
  await signIn(member, server.app, "demo-enumerator")
  await member.evaluate(() => (location.hash = "#/dash/16138"))
  await member.waitForSelector("[data-testid=not-for-role]")
  assert.match(await member.textContent("[data-testid=not-for-role]"), /dành cho cán bộ xã, huyện, tỉnh/)
  await member.context().close()
  await page.context().close()
})

test("sorting by an indicator orders the units by rate; the ranking says met or not as the server does", async () => {
  const province = await indicators("38")
  const page = await provincePage()

  // Tapping indicator 6's name: the units by its rate, highest first, the province's column stays first.
  await page.click("table.indicators button[data-sort-indicator='6']")
  await page.waitForSelector("table.indicators tr[data-indicator='6'][data-sorted=desc] [data-testid=sort-mark]")
  assert.match(page.url(), /sort=6/)
  let want = expectedOrder(province.children, 6)
  let shown = await row(page, 6)
  assert.deepEqual(
    shown.map(([code]) => code),
    ["38", ...want.map((u) => u.code)],
  )
  const rates = shown.slice(1).map(([, r]) => Number(r))
  assert.deepEqual(rates, want.map((u) => u.indicators.find((x) => x.id === 6).rate), "the rates on screen are the server's")
  for (let i = 1; i < rates.length; i++) assert.ok(rates[i - 1] >= rates[i], `descending: ${rates}`)
  assert.deepEqual(await headings(page), ["38", ...want.map((u) => u.code)], "the headings follow the cells")
  // Every row's cells follow the same order.
  assert.deepEqual(
    (await row(page, 9)).map(([code]) => code),
    ["38", ...want.map((u) => u.code)],
  )

  // The "Sắp xếp theo" picker: indicator 16, where a unit's commune reported a status instead of numbers (no rate: last).
  await page.selectOption("select[name=sort]", "16")
  await page.waitForSelector("table.indicators tr[data-indicator='16'][data-sorted=desc]")
  want = expectedOrder(province.children, 16)
  shown = await row(page, 16)
  assert.deepEqual(
    shown.map(([code]) => code),
    ["38", ...want.map((u) => u.code)],
  )
  const withStatus = province.children.filter((u) => u.indicators.find((x) => x.id === 16).status)
  for (const u of withStatus) {
    const v = u.indicators.find((x) => x.id === 16)
    const cell = page.locator(`table.indicators tr[data-indicator='16'] td[data-unit='${u.code}']`)
    assert.equal(await cell.getAttribute("data-status"), v.status)
    const text = (await cell.textContent()).trim()
    assert.ok(text && !text.includes("declared.status"), `the status reads as words: ${text}`)
  }
  assert.ok(withStatus.some((u) => u.indicators.find((x) => x.id === 16).rate === null), "the demo has a unit with a status and no rate")
  const firstNone = shown.findIndex(([, r]) => r === "")
  assert.ok(firstNone > 0 && shown.slice(firstNone).every(([, r]) => r === ""), `units without a rate come last: ${JSON.stringify(shown)}`)
  // Declared indicators say how many communes reported.
  const reported = province.unit.indicators.find((x) => x.id === 16).reported
  assert.match(
    await page.textContent("table.indicators tr[data-indicator='16'] td[data-unit='38']"),
    new RegExp(`${reported.communes_reported}/${reported.communes} xã đã báo cáo`),
  )

  // The ranking of indicator 6: the same order, met / not met as the server judged each unit.
  await page.selectOption("select[name=sort]", "6")
  await page.click("button[data-view=rank]")
  await page.waitForSelector("[data-testid=ranking][data-indicator='6'] li[data-unit]")
  want = expectedOrder(province.children, 6)
  const ranked = await page.$$eval("[data-testid=ranking] li[data-unit]", (lis) =>
    lis.map((li) => ({ code: li.dataset.unit, rate: li.dataset.rate, met: li.dataset.met, verdict: li.querySelector(".verdict").textContent })),
  )
  assert.deepEqual(
    ranked.map((r) => r.code),
    want.map((u) => u.code),
  )
  for (const [i, r] of ranked.entries()) {
    const v = want[i].indicators.find((x) => x.id === 6)
    assert.equal(r.met, v.met === null ? "" : String(v.met), `${r.code}: met as the server says`)
    assert.equal(r.verdict, v.met === true ? "Đạt" : v.met === false ? "Chưa đạt" : "Chưa có số liệu")
    assert.equal(Number(r.rate), v.rate)
  }
  assert.ok(ranked.some((r) => r.met === "true") || ranked.some((r) => r.met === "false"), "the demo has verdicts")
  assert.match(await page.textContent("[data-testid=ranking]"), /Mục tiêu: 80% trở lên/)
  assert.match(page.url(), /view=rank/)
  await fitsPhone(page)
  await showAtTop(page, "[data-testid=ranking]")
  await page.screenshot({ path: join(SHOTS, "34-ranking.png") })

  // A ranked unit opens its table, still ranked by the same indicator.
  await page.click("[data-testid=ranking] li[data-unit='16138'] a")
  await page.waitForURL(/#\/dash\/16138\?sort=6&view=rank$/)
  await page.waitForSelector("[data-testid=ranking] .rank-whole[data-unit='16138']")
  await page.context().close()
})

test("the table scrolls inside its box; the sticky indicator names stay on top of the numbers", async () => {
  const page = await provincePage()
  await page.locator("table.indicators tr[data-indicator='7']").scrollIntoViewIfNeeded()
  const scrolled = await page.evaluate(() => {
    const wrap = document.querySelector("[data-testid=indicator-table]")
    wrap.scrollLeft = 260
    return { left: wrap.scrollLeft, room: wrap.scrollWidth - wrap.clientWidth }
  })
  assert.ok(scrolled.room > 0 && scrolled.left > 0, `the table is wider than the phone and scrolls in its box (${JSON.stringify(scrolled)})`)
  for (const id of [4, 5, 6, 7]) {
    const r = await page.evaluate((id) => {
      const name = document.querySelector(`table.indicators tr[data-indicator='${id}'] th.ind-name`)
      // The plan's names wrap over several lines: bring this row into the viewport (the page
      // scrolls vertically; the table keeps its sideways scroll).
      scrollTo(0, scrollY + name.getBoundingClientRect().top - 120)
      const n = name.getBoundingClientRect()
      const at = (x, y) => document.elementFromPoint(x, y)
      const middle = at(n.left + n.width / 2, n.top + n.height / 2)
      // Every part of a number cell scrolled under the name cell (the faded "before" figures and
      // fractions included) is hidden by it: at the middle of each overlap the name cell is found.
      const under = [...name.closest("tr").querySelectorAll("td, td *")]
        .map((el) => ({ el, b: el.getBoundingClientRect() }))
        .map(({ el, b }) => ({ el, l: Math.max(b.left, n.left), r: Math.min(b.right, n.right), t: Math.max(b.top, n.top), d: Math.min(b.bottom, n.bottom) }))
        .filter((o) => o.r - o.l > 2 && o.d - o.t > 2)
      const shown = under.filter((o) => !name.contains(at((o.l + o.r) / 2, (o.t + o.d) / 2))).map((o) => o.el.outerHTML.slice(0, 60))
      return { middle: !!middle && name.contains(middle), hit: middle?.outerHTML.slice(0, 80), under: under.length, shown }
    }, id)
    assert.ok(r.middle, `indicator ${id}: the name cell is on top at its middle (found ${r.hit})`)
    assert.ok(r.under > 0, `indicator ${id}: numbers are scrolled under the name cell`)
    assert.deepEqual(r.shown, [], `indicator ${id}: no number drawn over the name`)
  }
  // The header's first cell too.
  await page.locator("table.indicators thead").scrollIntoViewIfNeeded()
  const corner = await page.evaluate(() => {
    const th = document.querySelector("table.indicators thead th.ind-name")
    const box = th.getBoundingClientRect()
    const el = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    return !!el && th.contains(el)
  })
  assert.ok(corner, "the header's name cell is on top")
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360, "the page itself does not scroll sideways")
  await fitsPhone(page)
  await page.context().close()
})

test("the province compares every commune: its own units since the reform, no level to choose; the download lists them", async () => {
  const page = await provincePage()
  // Since the 2025 reform the province's units are its communes: the server's every-commune answer
  // (`level=commune`) is the province's own table, so the screen offers no level to choose.
  const all = await indicators("38", "?level=commune")
  const own = await indicators("38")
  assert.ok(all.children.length >= 5, "the demo's five communes")
  assert.deepEqual(
    own.children.map((u) => u.code),
    all.children.map((u) => u.code),
  )
  for (const u of all.children) {
    assert.equal(u.level, "commune")
    assert.deepEqual([u.parent_code, u.parent_name], ["38", "Tỉnh Thanh Hóa"])
  }
  await page.waitForSelector(`table.indicators th.unit-head[data-unit='${all.children[0].code}']`)
  assert.equal(await page.locator("[data-testid=level-choice]").count(), 0, "no level to choose")
  assert.deepEqual(await headings(page), ["38", ...all.children.map((u) => u.code)])
  // No parent line under a commune's name: one is shown only for a parent other than the table's unit.
  assert.equal(await page.locator("table.indicators .unit-parent").count(), 0)
  await fitsPhone(page)
  await showAtTop(page, "[data-testid=indicator-table]")
  await showUnits(page)
  await page.screenshot({ path: join(SHOTS, "35-level-communes.png") })

  // The CSV asks for what the screen shows (no level), and lists every commune.
  const [request, file] = await Promise.all([
    page.waitForRequest((r) => r.url().includes("/report.csv")),
    page.waitForEvent("download"),
    page.click("button:has-text('CSV')"),
  ])
  assert.doesNotMatch(request.url(), /[?&]level=/)
  const csv = await readFile(await file.path(), "utf8")
  for (const u of all.children) assert.ok(csv.includes(u.name), `the CSV has ${u.name}`)

  // Sorting works across the communes.
  await page.click("table.indicators button[data-sort-indicator='6']")
  await page.waitForSelector("table.indicators tr[data-indicator='6'][data-sorted=desc]")
  assert.deepEqual(
    (await row(page, 6)).map(([code]) => code),
    ["38", ...expectedOrder(all.children, 6).map((u) => u.code)],
  )
  await page.context().close()
})

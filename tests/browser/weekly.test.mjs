// The weekly cycle in the PWA (issue 15): the commune officer's Friday report, submitted and seen
// by the province as on time or late (by the server's rule: submitted at or before the deadline,
// whatever day the suite runs on); the reminders on the home screen on a Friday and after it (phone
// clocks set with Playwright's clock); figures revised after sending shown beside the sent ones;
// the report's print view (A4, no navigation, the commune's name and the signature lines) and the
// blank paper survey sheet (A4 landscape, the checklist); the lead's and the member's reminders.
// Screenshots go to docs/screenshots/.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { join } from "node:path"
import { Server, launch, phone, signIn, apiLogin, apiGet, ROOT } from "./lib.mjs"
import { openVillage, addHousehold, waitSync, waitServiceWorker } from "./ui.mjs"
import { sheetCells } from "./xlsx.mjs"
import { readFile } from "node:fs/promises"

const SHOTS = join(ROOT, "docs/screenshots")
const HOUR = 3600_000
const VIETNAM = 7 * HOUR
/** The day in Vietnam at an instant, YYYY-MM-DD. */
const vnDay = (ms) => new Date(ms + VIETNAM).toISOString().slice(0, 10)
/** "04/12" */
const dayMonth = (day) => `${day.slice(8, 10)}/${day.slice(5, 7)}`
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

/** This week's report as the server has it (the commune officer's view). */
async function weekReport() {
  const { access_token } = await apiLogin(server.url, "demo-commune")
  return apiGet(server.url, access_token, `/api/v1/units/16138/weekly-reports/${vnDay(Date.now())}`)
}

/** A phone whose clock stands still at `at` (ms) — Date.now() and Automerge's change times. */
async function phoneAt(at, extra = {}) {
  const ctx = await phone(browser, extra)
  if (at !== null) await ctx.clock.setFixedTime(at)
  return ctx
}

/** Records a surveyed household with one person, having helped install VNeID; waits for the sync. */
async function recordHousehold(page, head) {
  await page.goto(server.app + "/#/")
  await openVillage(page, "39301.01")
  await addHousehold(page, { head, address: "Xóm Đông" })
  await page.click("button[data-value=surveyed]")
  await page.check("input[name='helped.installed_vneid']")
  await page.fill("input[name=new_person_name]", head)
  await page.click("button[name=add_person]")
  await page.click("[data-name=has_smartphone] button:has-text('Có')")
  await waitSync(page, "synced", 0)
}

/** Nothing on the page is wider than the phone, and every tap target is at least 44 px. */
async function fitsPhone(page, scope) {
  const r = await page.evaluate((scope) => {
    const root = document.querySelector(scope)
    const small = [...root.querySelectorAll("button, a, select, input")]
      .filter((el) => el.offsetParent !== null)
      .filter((el) => el.getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 80))
    const cut = [...root.querySelectorAll(".nums, .tile-value, td.num, .fig strong")]
      .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
      .map((el) => el.textContent)
    return { width: document.documentElement.scrollWidth, small, cut }
  }, scope)
  assert.ok(r.width <= 360, `the page fits 360 px (${r.width})`)
  assert.deepEqual(r.small, [], "tap targets are at least 44 px high")
  assert.deepEqual(r.cut, [], "no number is cut")
}

test("the Friday report: reminders, submitted by the commune, on time or late for the province, revised after sending", async () => {
  const draft = await weekReport()
  assert.equal(draft.status, "draft")
  const deadline = Date.parse(draft.deadline)
  const friday = vnDay(deadline)
  // The deadline is 15:00 on the week's Friday in Vietnam.
  assert.equal(new Date(deadline + VIETNAM).getUTCHours(), 15)
  assert.equal(new Date(deadline + VIETNAM).getUTCDay(), 5)

  // The member works this week: on a phone whose clock stands at the week's Friday noon when that
  // is already past (so both households count in this week's figures), else at the real time.
  const fridayNoon = deadline - 3 * HOUR
  const memberClock = Math.min(Date.now(), fridayNoon)
  const member = await (await phoneAt(memberClock)).newPage()
  await signIn(member, server.app, "demo-enumerator")
  await waitSync(member, "synced", 0)
  await recordHousehold(member, "Lê Văn Tuần")

  // Reminders: on Friday morning "due at 15:00 today"; on Saturday overdue (phone clocks).
  const fridayMorning = await (await phoneAt(deadline - 5 * HOUR)).newPage()
  await signIn(fridayMorning, server.app, "demo-commune")
  await fridayMorning.waitForSelector("[data-testid=reminder-report]")
  assert.match(await fridayMorning.textContent("[data-testid=reminder-report]"), /Báo cáo tuần hạn 15:00 hôm nay/)
  assert.match(await fridayMorning.getAttribute("[data-testid=reminder-report]", "class"), /r-warn/)
  const saturday = await (await phoneAt(deadline + 18 * HOUR)).newPage()
  await signIn(saturday, server.app, "demo-commune")
  await saturday.waitForSelector("[data-testid=reminder-report]")
  assert.match(await saturday.textContent("[data-testid=reminder-report]"), new RegExp(`quá hạn \\(15:00 thứ Sáu, ${dayMonth(friday)}\\)`))
  await fridayMorning.context().close()
  await saturday.context().close()

  // The commune officer, at the real time: the reminder says what applies now, and opens the report.
  const page = await (await phone(browser, { acceptDownloads: true })).newPage()
  await signIn(page, server.app, "demo-commune")
  await page.waitForSelector("[data-testid=reminder-report]")
  const now = Date.now()
  const expected =
    now > deadline
      ? /quá hạn/
      : new Date(now + VIETNAM).getUTCDay() === 5
        ? /hạn 15:00 hôm nay/
        : new RegExp(`hạn gửi 15:00 thứ Sáu, ${escape(dayMonth(friday))}`)
  assert.match(await page.textContent("[data-testid=reminder-report]"), expected)
  await page.click("[data-testid=reminder-report] a")
  await page.waitForSelector("[data-testid=weekly-status][data-status=draft]")
  assert.equal(await page.textContent("[data-testid=weekly-commune]"), "Xã Hồ Vương")
  assert.match(await page.textContent("[data-testid=weekly-status]"), new RegExp(`Hạn gửi: 15:00 thứ Sáu, ${escape(dayMonth(friday))}`))
  // The week's work: the household just recorded, VNeID installed for someone (Vietnamese label).
  await page.waitForFunction(() => Number(document.querySelector("[data-helped=installed_vneid] strong")?.textContent) >= 1)
  assert.match(await page.textContent("[data-helped=installed_vneid]"), /Cài đặt, kích hoạt VNeID/)
  const thisWeek = await page.textContent("[data-testid=weekly-figures] .tile-value")
  assert.ok(Number(thisWeek) >= 1, `households visited this week (${thisWeek})`)
  // Indicators now / last week / baseline with the target as the plans write it.
  assert.match(await page.textContent(".week-indicator[data-indicator='6']"), /Mục tiêu: 80% trở lên.*Tuần này.*Tuần trước.*Mốc/)
  assert.match(await page.textContent(".week-indicator[data-indicator='1']"), /Mục tiêu: 100%/)
  assert.match(await page.textContent("[data-testid=weekly-villages]"), /Thôn 1/)
  assert.match(await page.textContent("[data-testid=weekly-members]"), /Thành viên Tổ CNS Nga Liên/)
  await fitsPhone(page, "main")

  // Submit, after the confirmation that the report is then frozen.
  await page.click("button[name=submit-report]")
  await page.waitForSelector("dialog[open]")
  assert.match(await page.textContent("dialog[open]"), /giữ nguyên như lúc gửi/)
  await page.click("dialog[open] .btn.primary")
  await page.waitForSelector("[data-testid=weekly-status][data-status=submitted]")
  const sent = await weekReport()
  assert.equal(sent.status, "submitted")
  // The server's rule, from its own answer: on time when submitted at or before the deadline.
  const timeliness = Date.parse(sent.submitted_at) <= Date.parse(sent.deadline) ? "on_time" : "late"
  assert.equal(sent.timeliness, timeliness)
  assert.equal(await page.getAttribute("[data-testid=weekly-status]", "data-timeliness"), timeliness)
  const status = await page.textContent("[data-testid=weekly-status]")
  assert.match(status, /Đã gửi lúc \d\d:\d\d/)
  assert.match(status, timeliness === "on_time" ? /đúng hạn/ : /quá hạn/)
  assert.match(status, /Người gửi: Công chức/)
  assert.equal(await page.$("button[name=submit-report]"), null, "a sent report cannot be sent again")
  await page.evaluate(() => scrollTo(0, 0))
  await page.screenshot({ path: join(SHOTS, "20-friday-report.png") })
  // The XLSX the phone downloads is the report as sent.
  const [file] = await Promise.all([page.waitForEvent("download"), page.click("button[name=xlsx]")])
  assert.equal(file.suggestedFilename(), `bao-cao-tuan-16138-${sent.week}.xlsx`)
  const book = sheetCells(await readFile(await file.path()))
  assert.match(String(book.get("A1")), /Xã Hồ Vương/)
  assert.match(String(book.get("A2")), /Đã gửi lúc/)
  // The home screen's reminder now says it was sent.
  await page.click("a[data-nav=villages]")
  await page.waitForFunction(() => /Đã gửi báo cáo tuần/.test(document.querySelector("[data-testid=reminder-report]")?.textContent ?? ""))

  // The province (the communes' level above since the reform): Xã Hồ Vương sent, on time or late
  // as the server decided; its on-time rate.
  const province = await (await phone(browser)).newPage()
  await signIn(province, server.app, "demo-province")
  await province.click("a[data-nav=weekly]")
  await province.waitForSelector("li[data-commune='16138']")
  const { access_token } = await apiLogin(server.url, "demo-province")
  const overview = await apiGet(server.url, access_token, `/api/v1/units/38/weekly-reports?week=${sent.week}`)
  const standing = overview.communes.find((c) => c.code === "16138")
  assert.equal(standing.status, timeliness)
  assert.equal(await province.getAttribute("li[data-commune='16138']", "data-status"), timeliness)
  const row = await province.textContent("li[data-commune='16138']")
  assert.match(row, timeliness === "on_time" ? /Đúng hạn/ : /Quá hạn/)
  assert.match(row, /Gửi lúc \d\d:\d\d.*Công chức/)
  assert.match(row, new RegExp(`đúng hạn ${standing.on_time_weeks}/${standing.due_weeks} tuần đã đến hạn`))
  await fitsPhone(province, "main")
  await province.screenshot({ path: join(SHOTS, "22-district-reports.png") })
  // The week before: nobody sent it, and its deadline has passed.
  const previous = new Date(Date.parse(`${sent.week}T00:00:00Z`) - 7 * 24 * HOUR).toISOString().slice(0, 10)
  await province.selectOption("select[name=week]", previous)
  await province.waitForSelector(`li[data-commune='16138'][data-status=not_yet]`)
  assert.match(await province.textContent("li[data-commune='16138']"), /Chưa gửi — đã quá hạn/)
  await province.selectOption("select[name=week]", sent.week)
  await province.waitForSelector(`li[data-commune='16138'][data-status=${timeliness}]`)
  // Tapping it opens the report as sent, read-only.
  await province.click("li[data-commune='16138'] a")
  await province.waitForSelector("[data-testid=weekly-status][data-status=submitted]")
  assert.equal(await province.textContent("[data-testid=weekly-commune]"), "Xã Hồ Vương")
  assert.equal(await province.$("button[name=submit-report]"), null)
  // Read again without a network: the report as last fetched, said to be the saved copy.
  await waitServiceWorker(province)
  await server.stop()
  try {
    await province.reload()
    await province.waitForSelector("[data-testid=weekly-status][data-status=submitted]")
    await province.waitForSelector("text=Không có mạng: đang hiện báo cáo đã lưu")
    assert.match(await province.textContent("[data-testid=weekly-status]"), /Đã gửi lúc/)
  } finally {
    await server.start()
  }

  // Work recorded after sending (dated in the same week) changes the week's figures: the report
  // stays as sent and shows the revised figures beside it.
  await recordHousehold(member, "Lê Thị Sau")
  let revised
  for (let i = 0; i < 50 && !revised?.revision; i++) {
    revised = await weekReport()
    if (!revised.revision) await new Promise((r) => setTimeout(r, 200))
  }
  assert.ok(revised.revision, "the server has a revision")
  assert.equal(revised.report.households_visited_this_week, sent.report.households_visited_this_week, "the report stays as sent")
  assert.equal(revised.revision.households_visited_this_week, sent.report.households_visited_this_week + 1)
  await page.goto(`${server.app}/#/weekly/16138/${sent.week}`)
  await page.waitForSelector("[data-testid=weekly-revised]")
  assert.match(await page.textContent("[data-testid=weekly-revised]"), /Số liệu đã điều chỉnh sau khi gửi/)
  const tile = await page.textContent("[data-testid=weekly-figures] .tile-value")
  assert.match(tile.replace(/\s+/g, " "), new RegExp(`^${sent.report.households_visited_this_week} → ${sent.report.households_visited_this_week + 1}$`))
  await fitsPhone(page, "main")

  // (b) The print view: A4, without the app's bars and navigation; the commune's name, the week,
  // the tables and the signature lines.
  await page.emulateMedia({ media: "print" })
  // A4 portrait inside the page margins (210 − 25 − 15 mm) at 96 px per inch.
  await page.setViewportSize({ width: 643, height: 900 })
  for (const hidden of [".nav", ".syncbar", "header.top", "button[name=print]", "[data-testid=weekly-figures]"])
    assert.equal(await page.isVisible(hidden), false, `${hidden} is not printed`)
  assert.ok(await page.isVisible("[data-testid=weekly-print]"))
  const sheet = await page.innerText("[data-testid=weekly-print]")
  assert.match(sheet, /UBND XÃ HỒ VƯƠNG/)
  assert.match(sheet, /Xã Hồ Vương, tuần từ \d\d\/\d\d\/\d{4} đến/)
  assert.match(sheet, /Các chỉ tiêu/)
  assert.match(sheet, /Điều chỉnh/)
  const signatures = await page.innerText("[data-testid=signatures]")
  assert.match(signatures, /NGƯỜI LẬP BIỂU/)
  assert.match(signatures, /TM\. ỦY BAN NHÂN DÂN XÃ/)
  assert.ok(await page.isVisible("[data-testid=signatures]"))
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 643, `the sheet fits the A4 width (${width} px)`)
  await page.screenshot({ path: join(SHOTS, "21-friday-report-print.png"), fullPage: true, scale: "css" })
  const pdf = await page.pdf({ preferCSSPageSize: true })
  const pages = pdfPages(pdf)
  assert.ok(pages.length >= 1 && pages.length <= 3, `${pages.length} A4 pages`)
  for (const [w, h] of pages) assert.ok(Math.abs(w - 595.9) < 2 && Math.abs(h - 842) < 2, `A4 portrait (${w}×${h} pt)`)
})

test("the blank paper form prints the household and person checklist on one A4 landscape page", async () => {
  const page = await (await phone(browser)).newPage()
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  await page.click("a[data-nav=settings]")
  await page.click("[data-action=paper-form]")
  await page.waitForSelector("[data-testid=paper-sheet]")
  await page.selectOption("select[name=paper-village]", "39301.01")
  await fitsPhone(page, "section.screen-only")
  await page.emulateMedia({ media: "print" })
  await page.setViewportSize({ width: 1047, height: 740 })
  for (const hidden of [".nav", ".syncbar", "header.top", "button[name=print]"]) assert.equal(await page.isVisible(hidden), false, `${hidden} is not printed`)
  const sheet = await page.innerText("[data-testid=paper-sheet]")
  for (const label of [
    "Họ tên chủ hộ",
    "Trả tiền điện không dùng tiền mặt",
    "Cửa hàng có mã QR thanh toán",
    "Đã khảo sát",
    "Vắng nhà",
    "Cài đặt, kích hoạt VNeID",
    "Hỗ trợ đăng ký chữ ký số",
    "Số định danh cá nhân (CCCD/căn cước, 12 số)",
    "Có điện thoại thông minh",
    "Thuê bao chính chủ",
    "Có chữ ký số / chữ ký điện tử cá nhân",
    "Đã dùng dịch vụ công trực tuyến bằng định danh điện tử",
    "Thôn 1",
  ])
    assert.ok(sheet.includes(label), `the sheet has "${label}"`)
  // One column per question of the person checklist, as the schema lists them.
  assert.equal((await page.$$("[data-testid=paper-persons] th[data-flag]")).length, 12)
  assert.equal((await page.$$("[data-testid=paper-persons] tbody tr")).length, 8)
  await page.screenshot({ path: join(SHOTS, "23-paper-form-print.png"), fullPage: true, scale: "css" })
  const pages = pdfPages(await page.pdf({ preferCSSPageSize: true }))
  assert.equal(pages.length, 1, "one sheet per household")
  assert.ok(pages[0][0] > pages[0][1] && Math.abs(pages[0][0] - 842) < 2, `A4 landscape (${pages[0]})`)
})

test("reminders: the lead sees who has not synced today, the send-backs and the week's report; the member their send-backs", async () => {
  const lead = await apiLogin(server.url, "demo-lead")
  const auth = { authorization: `Bearer ${lead.access_token}`, "content-type": "application/json" }
  // A member added today has synced nothing yet.
  const added = await fetch(`${server.url}/api/v1/users`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({ display_name: "Trần Thị Chưa Đồng Bộ", role: "enumerator", scope_unit: "16138" }),
  })
  assert.equal(added.status, 201, await added.text())
  // The member records a household; the lead sends it back for a fix.
  const member = await (await phone(browser)).newPage()
  await signIn(member, server.app, "demo-enumerator")
  await waitSync(member, "synced", 0)
  await openVillage(member, "39301.01")
  const household = await addHousehold(member, { head: "Hoàng Văn Sửa", address: "Xóm Tây" })
  await waitSync(member, "synced", 0)
  const sent = await fetch(`${server.url}/api/v1/households/${household}/send-back`, { method: "POST", headers: auth, body: JSON.stringify({ comment: "Thiếu số điện thoại" }) })
  assert.equal(sent.status, 201, await sent.text())

  // The member's phone, opened again: one record to fix.
  await member.goto(server.app + "/#/")
  await member.reload()
  await member.waitForSelector("[data-testid=reminder-to-fix]")
  assert.match(await member.textContent("[data-testid=reminder-to-fix]"), /^1 hộ\/người cần sửa/)

  const page = await (await phone(browser)).newPage()
  await signIn(page, server.app, "demo-lead")
  await page.waitForSelector("[data-testid=reminder-not-synced]")
  const idle = await page.textContent("[data-testid=reminder-not-synced]")
  assert.match(idle, /chưa đồng bộ hôm nay: Trần Thị Chưa Đồng Bộ/)
  assert.ok(!idle.includes("Thành viên Tổ CNS Nga Liên"), "the member who synced today is not listed")
  assert.ok(!idle.includes("Tổ trưởng"), "nor the lead")
  assert.match(await page.textContent("[data-testid=reminder-send-backs]"), /^1 yêu cầu sửa/)
  // The lead reads the week's report from there.
  await page.click("[data-testid=reminder-report] a")
  await page.waitForSelector("[data-testid=weekly-status]")
  assert.equal(await page.$("button[name=submit-report]"), null, "only the commune officer sends it")
  await page.goBack()
  await page.click("[data-testid=reminder-not-synced] a")
  await page.waitForURL(/#\/team$/)
})

/** [width, height] in points of each page of a PDF Chromium wrote. */
function pdfPages(pdf) {
  const text = pdf.toString("latin1")
  const count = (text.match(/\/Type\s*\/Page(?!s)/g) ?? []).length
  const boxes = [...text.matchAll(/\/MediaBox\s*\[([^\]]*)\]/g)].map((m) => {
    const [x0, y0, x1, y1] = m[1].trim().split(/\s+/).map(Number)
    return [x1 - x0, y1 - y0]
  })
  assert.ok(boxes.length >= 1, "the PDF has page sizes")
  return Array.from({ length: count }, (_, i) => boxes[Math.min(i, boxes.length - 1)])
}

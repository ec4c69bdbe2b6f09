#!/usr/bin/env node
// Phone-size (360×740) screenshots of the main screens, written to docs/screenshots/*.png, from
// the real server with demo data (a village of 600 households imported from a register, plus a
// few households recorded through the app). Usage: node tests/browser/screenshots.mjs
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { Server, launch, phone, signIn, apiLogin, ROOT } from "./lib.mjs"
import { waitSync, openVillage, addHousehold, setField } from "./ui.mjs"
import { householdsCsv, importHouseholds } from "./seed.mjs"

const OUT = join(ROOT, "docs/screenshots")
mkdirSync(OUT, { recursive: true })
const server = await new Server().start()
const browser = await launch()
const shots = []
const shot = async (page, name) => {
  await page.waitForTimeout(250)
  await page.screenshot({ path: join(OUT, `${name}.png`) })
  shots.push(name)
}

try {
  const lead = await apiLogin(server.url, "demo-lead")
  await importHouseholds(server.url, lead.access_token, householdsCsv("39301.02", 600))

  const ctx = await phone(browser)
  const page = await ctx.newPage()
  await page.goto(server.app + "/")
  await page.waitForSelector("input[name=username]")
  await shot(page, "01-login")

  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)

  // A few households recorded in Thôn 1, with visits, members and answers.
  await openVillage(page, "39301.01")
  const hh = await addHousehold(page, { head: "Nguyễn Văn Đức", address: "Xóm Đông, số 12", phone: "0912345678" })
  await page.click("button[data-value=surveyed]")
  await page.check("input[name='helped.installed_vneid']")
  await page.check("input[name='helped.opened_payment_account']")
  await page.click("[data-name=pays_electricity_cashless] button:has-text('Có')")
  await page.click("[data-name=pays_water_cashless] button:has-text('Không')")
  await page.fill("input[name=new_person_name]", "Nguyễn Văn Đức")
  await page.fill("input[name=new_person_year]", "1978")
  await page.click("button[name=add_person]")
  await page.click("[data-name=sex] button[data-value=male]")
  await setField(page, "cccd", "038080012345")
  await setField(page, "phone", "0912 345 678")
  await page.click("[data-name=vneid_level] button[data-value='2']")
  for (const f of ["has_cccd", "has_phone", "has_smartphone", "own_sim", "has_payment_account"]) await page.click(`[data-name=${f}] button:has-text('Có')`)
  await page.click("[data-name=has_e_signature] button:has-text('Không')")
  await page.evaluate(() => scrollTo(0, 0))
  await shot(page, "05-person")
  await page.goBack()
  await page.fill("input[name=new_person_name]", "Lê Thị Hoa")
  await page.fill("input[name=new_person_year]", "1982")
  await page.click("button[name=add_person]")
  await page.click("[data-name=sex] button[data-value=female]")
  await setField(page, "cccd", "038180054321") // century digit says male born 1980: a hint
  await page.goBack()
  await page.waitForSelector(`a[data-person]`)
  await page.evaluate(() => scrollTo(0, 0))
  await shot(page, "04-household")
  await page.goBack()
  for (const [head, address, outcome] of [
    ["Trần Thị Mai", "Xóm Tây, số 3", "nobody_home"],
    ["Phạm Văn Nam", "Xóm Giữa, số 8", "come_back_later"],
    ["Hoàng Văn Tùng", "Xóm Bắc, số 21", "refused"],
    ["Trần Thị Mai", "Xóm Tây, số 3", null], // recorded twice: a possible duplicate
  ]) {
    await addHousehold(page, { head, address })
    if (outcome) await page.click(`button[data-value=${outcome}]`)
    await page.goBack()
  }
  await page.click("a.fab")
  await page.fill("input[name=head_name]", "Nguyen Van Duc")
  await page.fill("input[name=address]", "Xom Dong, so 12")
  await page.fill("input[name=phone]", "0212 345")
  await shot(page, "06-new-household")
  await page.goBack()
  await waitSync(page, "synced", 0)

  await page.goto(server.app + "/#/")
  await page.waitForSelector("a.card[data-village='39301.02']")
  await shot(page, "02-my-villages")
  await openVillage(page, "39301.02")
  await shot(page, "03-village-600")
  await page.fill("input[name=search]", "nguyen van duc")
  await shot(page, "03b-village-search")

  // Offline: the server stops, work goes on, the bar counts what is not sent yet.
  await page.goto(server.app + "/#/")
  await openVillage(page, "39301.01")
  await server.stop()
  await waitSync(page, "offline")
  await addHousehold(page, { head: "Đỗ Văn Bình", address: "Xóm Chùa, số 5" })
  await page.click("button[data-value=surveyed]")
  await page.goBack()
  await shot(page, "07-offline-unsent")
  await page.click("a[data-nav=settings]")
  await page.click("button[name=logout]")
  await page.waitForSelector("dialog[open]")
  await shot(page, "08-logout-warning")
  await page.click("dialog button.btn:not(.danger)")
  await server.start()
  await waitSync(page, "synced", 0)

  // Team lead.
  const leadPage = await (await phone(browser)).newPage()
  await signIn(leadPage, server.app, "demo-lead")
  await waitSync(leadPage, "synced", 0)
  await leadPage.click("a[data-nav=team]")
  await leadPage.waitForSelector("[data-village='39301.02']")
  await leadPage.waitForTimeout(800)
  await shot(leadPage, "09-team-lead")
  // Adding a member: the member's screen with the sign-in code and its QR code.
  await leadPage.click("[data-action=add-member]")
  await leadPage.fill("input[name=display_name]", "Nguyễn Thị Thu Hương")
  await leadPage.fill("input[name=phone]", "0912345678")
  await leadPage.waitForFunction(() => document.querySelector("input[name=username]")?.value)
  await leadPage.selectOption("select[name=village]", "39301.03")
  await shot(leadPage, "13-add-member")
  await leadPage.click("form[name=add-member] button[type=submit]")
  await leadPage.waitForSelector("svg.qr")
  await leadPage.evaluate(() => document.querySelector("[data-testid=sign-in-code]").scrollIntoView())
  await leadPage.evaluate(() => scrollBy(0, -40))
  await shot(leadPage, "14-sign-in-code")
  // Importing members from a file: the dry run's preview.
  await leadPage.goto(server.app + "/#/team/import")
  const lines = ["Lê Văn Long,0912000111,Thôn 1", "Phạm Thị Mai Anh,0912000112,Thôn 2", "Trần Văn Hải,0912000113,", "Đỗ Thị Lan,0912000114,Thôn 3"]
  await leadPage.setInputFiles("input[name=file]", { name: "to-cns.csv", mimeType: "text/csv", buffer: Buffer.from(`Họ và tên,Số điện thoại,Thôn\n${lines.join("\n")}\n`) })
  await leadPage.waitForSelector("[data-testid=import-preview]")
  await leadPage.evaluate(() => document.querySelector("[data-testid=import-preview]").scrollIntoView())
  await leadPage.evaluate(() => scrollBy(0, -40))
  await shot(leadPage, "15-import-preview")
  await leadPage.click("a[data-nav=duplicates]")
  await leadPage.waitForSelector(".card[data-reason]")
  await shot(leadPage, "10-duplicates")

  // The lead's review (issue 15): the member and the lead, both offline, correct the same head's
  // name differently; back online the lead sees both values. Then a household sent back, as the
  // lead writes it and as the member's home screen shows it.
  await page.goto(server.app + "/#/")
  await openVillage(page, "39301.01")
  await page.click(`a.row[data-household="${hh}"]`)
  await page.waitForSelector("input[name=head_name]")
  await leadPage.goto(server.app + "/#/")
  await openVillage(leadPage, "39301.01")
  await leadPage.click(`a.row[data-household="${hh}"]`)
  await leadPage.waitForSelector("input[name=head_name]")
  await server.stop()
  await waitSync(page, "offline")
  await waitSync(leadPage, "offline")
  await setField(page, "head_name", "Nguyễn Văn Được")
  await setField(leadPage, "head_name", "Nguyễn Văn Đức Anh")
  await server.start()
  await waitSync(page, "synced", 0, 90_000)
  await waitSync(leadPage, "synced", 0, 90_000)
  await leadPage.click("a[data-nav=review]")
  await leadPage.waitForSelector("[data-conflict] button[name=pick]:not([disabled])")
  await shot(leadPage, "17-review-conflict")
  await leadPage.goBack()
  await leadPage.waitForSelector("button[name=send-back]")
  await leadPage.click("button[name=send-back]")
  await leadPage.fill("form[name=send-back] textarea[name=comment]", "Hỏi lại tên chủ hộ cho đúng giấy tờ (Được hay Đức Anh?) và ghi thêm số điện thoại của hộ.")
  await leadPage.evaluate(() => document.querySelector("[data-testid=send-back]").scrollIntoView())
  await leadPage.evaluate(() => scrollBy(0, -40))
  await shot(leadPage, "18-send-back")
  await leadPage.click("form[name=send-back] button[name=send]")
  await leadPage.waitForSelector("[data-testid=send-back] li[data-send-back]")
  await page.goto(server.app + "/#/")
  await page.reload()
  await page.waitForSelector("[data-testid=to-fix]")
  await shot(page, "19-member-to-fix")

  // Commune dashboard.
  const commune = await (await phone(browser)).newPage()
  await signIn(commune, server.app, "demo-commune")
  await commune.click("a[data-nav=dashboard]")
  await commune.waitForSelector("table.indicators td[data-before], [data-testid=indicators-unavailable]")
  // The campaign and day pickers are above; show the cells with "before" beside "now".
  await commune.evaluate(() => {
    const table = document.querySelector("table.indicators")
    const bar = document.querySelector(".syncbar")?.getBoundingClientRect().height ?? 0
    if (table) window.scrollTo(0, table.getBoundingClientRect().top + window.scrollY - bar - 8)
  })
  await shot(commune, "11-commune-dashboard")

  // English.
  await page.click("a[data-nav=settings]")
  await page.click("button:has-text('English')")
  await page.goto(server.app + "/#/")
  await openVillage(page, "39301.01")
  await shot(page, "12-english")

  // A phone revoked by its team lead: it deleted its copy and says so.
  await page.click("a[data-nav=settings]")
  await page.click("button:has-text('Tiếng Việt')")
  const leadToken = (await apiLogin(server.url, "demo-lead")).access_token
  const auth = { authorization: `Bearer ${leadToken}` }
  const members = (await (await fetch(`${server.url}/api/v1/team?unit=16138`, { headers: auth })).json()).members
  const enumerator = members.find((m) => m.username === "demo-enumerator")
  await fetch(`${server.url}/api/v1/users/${enumerator.id}/sessions`, { method: "DELETE", headers: auth })
  await page.waitForSelector("[data-testid=revoked]", { timeout: 30_000 })
  await page.waitForFunction(() => !document.querySelector("[data-testid=revoked]")?.textContent.includes("…"))
  await shot(page, "16-revoked")
  console.log(`wrote ${shots.length} screenshots to ${OUT}: ${shots.join(", ")}`)
} finally {
  await browser.close()
  await server.dispose()
}

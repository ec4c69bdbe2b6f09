// The form is drawn from the survey definition: relevance rules hide and show questions, and a
// phone that is offline while the province publishes a new version picks it up when it is back
// online, with its unsent record intact and the new question on screen.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { readFile } from "node:fs/promises"
import { Server, launch, phone, signIn, apiLogin, apiGet, serverDoc, until, syncRoute } from "./lib.mjs"
import { waitSync, openVillage, addHousehold, setField, phoneFit } from "./ui.mjs"

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

async function api(method, path, token, body) {
  const r = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

test("questions follow their rules; a version published offline arrives with the unsent record kept", async () => {
  const ctx = await phone(browser)
  // Offline: the sync socket is never answered and the survey requests fail (while the test
  // still reaches the server).
  const net = await syncRoute(ctx, { requests: /\/api\/v1\/survey/ })
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-enumerator")
  await waitSync(page, "synced", 0)
  await openVillage(page, "39301.01")
  const hh = await addHousehold(page, { head: "Hoàng Văn Sơn", address: "Xóm Bắc" })

  // Version 1's rule: the QR question only for a household that runs a business.
  assert.equal(await page.$("[data-name=business_has_qr]"), null)
  await page.click("[data-name=has_business] button:has-text('Có')")
  await page.waitForSelector("[data-name=business_has_qr]")
  await page.click("[data-name=has_business] button:has-text('Không')")
  await page.waitForSelector("[data-name=business_has_qr]", { state: "detached" })

  // A child: the person checklist is not asked; an adult gets it.
  await page.fill("input[name=new_person_name]", "Hoàng Văn Nam")
  await page.fill("input[name=new_person_year]", "2016")
  await page.click("button[name=add_person]")
  await page.waitForURL(/\/p\//)
  assert.equal(await page.$("[data-name=has_cccd]"), null)
  // A required question left empty is pointed out (the record is kept all the same).
  assert.equal(await page.$("[data-field=full_name] [data-required]"), null)
  await setField(page, "full_name", "")
  await page.waitForSelector("[data-field=full_name] [data-required]")
  await setField(page, "full_name", "Hoàng Văn Nam")
  await page.waitForSelector("[data-field=full_name] [data-required]", { state: "detached" })
  await setField(page, "birth_year", "1990")
  await page.waitForSelector("[data-name=has_cccd]")
  const person = page.url().split("/p/")[1]

  // Offline; meanwhile the province publishes version 2: a new question, an old one hidden,
  // the smartphone question now asked only of someone with a phone.
  await net.offline()
  await waitSync(page, "offline")
  await page.click("[data-name=has_province_app] button:has-text('Có')")
  await page.click("[data-name=has_phone] button:has-text('Có')")
  const province = (await apiLogin(server.url, "demo-province")).access_token
  const v1 = (await api("GET", "/api/v1/survey", province)).body
  const v2 = structuredClone(v1)
  for (const f of v2.person) {
    if (f.key === "has_province_app") f.hidden = true
    if (f.key === "has_smartphone") f.relevant = { all: [{ age_at_least: 15 }, { yes: "has_phone" }] }
  }
  v2.person.push({ key: "has_citizen_app", type: "yes_no", label: { vi: "Đã cài ứng dụng Công dân Thanh Hóa", en: "Thanh Hóa citizen app installed" }, relevant: { age_at_least: 15 } })
  assert.equal((await api("PUT", "/api/v1/survey/draft", province, v2)).status, 200)
  const published = await api("POST", "/api/v1/survey/draft/publish", province)
  assert.equal(published.status, 200, JSON.stringify(published.body))
  assert.equal(await page.$("[data-name=has_citizen_app]"), null, "not before the phone is online")

  // Back online: the open form shows version 2 without a reload, and the unsent answers arrive.
  await net.online()
  await waitSync(page, "synced", 0)
  await page.waitForSelector("[data-name=has_citizen_app]")
  assert.equal(await page.$("[data-name=has_province_app]"), null, "the hidden question is gone")
  await page.click("[data-name=has_citizen_app] button:has-text('Có')")
  await page.click("[data-name=has_phone] button:has-text('Không')")
  await page.waitForSelector("[data-name=has_smartphone]", { state: "detached" })
  await waitSync(page, "synced", 0)

  const { access_token } = await apiLogin(server.url, "demo-enumerator")
  const docs = await apiGet(server.url, access_token, "/api/v1/me/documents")
  const doc = await serverDoc(server.url, access_token, docs.find((d) => d.unit_code === "39301.01").document_id)
  const p = doc.households[hh].persons[person]
  assert.equal(p.has_province_app, true, "the answer given offline on version 1 is kept")
  assert.equal(p.has_citizen_app, true)
  assert.equal(p.birth_year, 1990)

  // Offline again and reloaded, the phone still renders version 2 (kept on the phone).
  await net.offline()
  await page.reload()
  await page.waitForSelector("[data-name=has_citizen_app]")
  await ctx.close()
})

test("the province adds and hides questions and publishes; a refused draft says why; the commune downloads the raw data", async () => {
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-province")
  await page.goto(server.app + "/#/console")
  await page.click("a[data-console=survey]")
  await page.waitForSelector("[data-testid=survey-current]")
  const before = (await api("GET", "/api/v1/survey", (await apiLogin(server.url, "demo-province")).access_token)).body.version

  // A key the document keeps for itself is refused before anything is sent.
  const person = page.locator("[data-section=person]")
  await person.locator("button[name=add_person]").click()
  await person.locator("input[name=new_label_vi]").fill("Đã xóa tài khoản")
  await person.locator("input[name=new_key]").fill("deleted")
  assert.match(await person.locator("[data-testid=add-field] .error").textContent(), /đã có trong phiếu/)
  assert.equal(await person.locator("button[name=add_field]").isDisabled(), true)
  // Two choices that make the same key: the draft is saved, the server names the problem, and
  // nothing is published.
  await person.locator("input[name=new_label_vi]").fill("Hình thức nhận lương hưu")
  await person.locator("input[name=new_key]").fill("nhan_luong_huu")
  await person.locator("select[name=new_type]").selectOption("choice")
  await person.locator("textarea[name=new_choices]").fill("Tiền mặt\nTien mat")
  await person.locator("button[name=add_field]").click()
  await page.click("button[name=save_draft]")
  await page.waitForSelector("[data-testid=survey-problems] li[data-rule=duplicate_choice]")
  assert.match(await page.textContent("[data-testid=survey-problems]"), /lựa chọn bị trùng/)
  await page.click("button[name=publish]")
  await page.click(".dialog button:has-text('Xuất bản')")
  await page.waitForSelector("[data-testid=survey-actions] .error, [data-testid=survey-actions] [role=alert]")
  assert.equal((await api("GET", "/api/v1/survey", (await apiLogin(server.url, "demo-province")).access_token)).body.version, before, "nothing published")
  await page.click("button[name=discard]")
  await page.waitForSelector("[data-testid=survey-problems] li", { state: "detached" })

  // A household question with choices, asked when the household runs a business; an old one hidden.
  const household = page.locator("[data-section=household]")
  await household.locator("button[name=add_household]").click()
  await household.locator("input[name=new_label_vi]").fill("Hình thức thanh toán tiền nước")
  assert.equal(await household.locator("input[name=new_key]").inputValue(), "hinh_thuc_thanh_toan_tien_nuoc", "a key proposed from the label")
  await household.locator("select[name=new_type]").selectOption("choice")
  await household.locator("textarea[name=new_choices]").fill("Tiền mặt\nChuyển khoản\nVí điện tử")
  await household.locator("[data-testid=add-field] select[name=when]").selectOption("has_business")
  await household.locator("button[name=add_field]").click()
  // An existing question asked on a condition: the own-SIM question only of someone with a phone.
  const sim = page.locator("[data-section=person] li[data-field-key=own_sim]")
  await sim.locator("button[name=edit]").click()
  await sim.locator("select[name=when]").selectOption("has_phone")
  // A choice added to an existing question (what a visit helped with).
  const helped = page.locator("[data-section=visit] li[data-field-key=helped]")
  await helped.locator("button[name=edit]").click()
  await helped.locator("input[name=new_choice]").fill("Hướng dẫn dùng Zalo")
  await helped.locator("button[name=add_choice]").click()
  await helped.locator("li[data-choice=huong_dan_dung_zalo]").waitFor()
  const water = household.locator("li[data-field-key=pays_water_cashless]")
  await water.locator("button[name=edit]").click()
  await water.locator("button[name=hide]").click()
  await page.click("button[name=publish]")
  await page.click(".dialog button:has-text('Xuất bản')")
  await page.waitForSelector("[data-testid=survey-notice]")
  const shown = await page.textContent("[data-testid=survey-current]")
  assert.match(shown, new RegExp(`Phiên bản đang dùng: ${before + 1} · xuất bản ngày \\d\\d/\\d\\d/\\d{4} bởi demo-province`))
  assert.ok(Number(shown.match(/\/(\d{4}) bởi/)[1]) >= 2025, `published today, not in 1970: ${shown}`)

  const { access_token } = await apiLogin(server.url, "demo-enumerator")
  const current = (await api("GET", "/api/v1/survey", access_token)).body
  assert.equal(current.version, before + 1)
  const added = current.household.find((f) => f.key === "hinh_thuc_thanh_toan_tien_nuoc")
  assert.deepEqual(added.choices.map((c) => c.value), ["tien_mat", "chuyen_khoan", "vi_dien_tu"])
  assert.deepEqual(added.relevant, { yes: "has_business" })
  assert.equal(current.household.find((f) => f.key === "pays_water_cashless").hidden, true)
  assert.deepEqual(current.person.find((f) => f.key === "own_sim").relevant, { all: [{ age_at_least: 15 }, { yes: "has_phone" }] })
  assert.ok(current.visit.find((f) => f.key === "helped").choices.some((c) => c.value === "huong_dan_dung_zalo" && c.label.vi === "Hướng dẫn dùng Zalo"))
  await household.locator("li[data-field-key=hinh_thuc_thanh_toan_tien_nuoc] button[name=edit]").click()
  assert.deepEqual(await phoneFit(page), { width: 360, small: [] }, "the editor fits the phone, every button reachable")
  await page.screenshot({ path: new URL("../../docs/screenshots/37-survey-editor.png", import.meta.url).pathname, fullPage: false })

  // The commune officer downloads the persons of the commune as CSV, every question a column.
  await page.goto(server.app + "/#/login")
  await ctx.clearCookies()
  const officer = await (await phone(browser)).newPage()
  await signIn(officer, server.app, "demo-commune")
  await officer.goto(server.app + "/#/raw-data")
  await officer.waitForSelector("button[name=raw_persons_csv]")
  const [file] = await Promise.all([officer.waitForEvent("download"), officer.click("button[name=raw_persons_csv]")])
  const text = await readFile(await file.path(), "utf8")
  const heading = text.replace(/^\uFEFF/, "").split("\n")[0]
  assert.match(heading, /Đã cài ứng dụng Công dân Thanh Hóa/)
  assert.match(heading, /Đã cài ứng dụng của tỉnh \(không còn hỏi\)/)
  await ctx.close()
})

test("the province adds an indicator counted from a question; the table shows it with how many were asked; removed, it leaves the table", async () => {
  const ctx = await phone(browser)
  const page = await ctx.newPage()
  await signIn(page, server.app, "demo-province")
  await page.goto(server.app + "/#/console")
  await page.click("a[data-console=indicators]")
  await page.waitForSelector("[data-testid=rules-form]")
  const name = "Tỷ lệ người có điện thoại di động dùng điện thoại thông minh"
  await page.fill("input[name=name_vi]", name)
  await page.selectOption("select[name=question]", "has_smartphone")
  await page.selectOption("select[name=among]", "has_phone")
  await page.fill("input[name=target]", "70")
  await page.click("button[name=add_indicator]")
  const item = page.locator("[data-testid=rules-list] li[data-indicator]")
  await item.waitFor()
  const id = Number(await item.getAttribute("data-indicator"))
  assert.ok(id > 16, `after the model's 16: ${id}`)
  assert.match(await item.textContent(), /Số người từ 15 tuổi trả lời Có: .+\(trong số trả lời Có: .+\)Mục tiêu mặc định: 70% trở lên/)
  assert.deepEqual(await phoneFit(page), { width: 360, small: [] }, "the form fits the phone")
  await page.evaluate(() => scrollTo(0, 0))
  await page.screenshot({ path: new URL("../../docs/screenshots/38-added-indicator.png", import.meta.url).pathname, fullPage: false })

  // Every village is counted in the background, the console saying how far it has gone until
  // the catalogue says it is done; then the province's table shows what the API says, with how
  // many were asked the question.
  const { access_token } = await apiLogin(server.url, "demo-province")
  await until(
    async () => !(await apiGet(server.url, access_token, "/api/v1/indicators")).find((c) => c.id === id).counting,
    { what: "every village counted" },
  )
  await page.waitForSelector(`[data-testid=rules-list] li[data-indicator='${id}'] [data-testid=counting]`, { state: "detached" })
  const v = (await apiGet(server.url, access_token, "/api/v1/units/38/indicators")).unit.indicators.find((x) => x.id === id)
  assert.ok(v.eligible > 0, JSON.stringify(v))
  assert.ok(v.denominator <= v.eligible && v.numerator <= v.denominator, JSON.stringify(v))
  await page.goto(server.app + "/#/dash/38")
  const row = `table.indicators tr[data-indicator='${id}']`
  await page.waitForSelector(row)
  assert.equal((await page.textContent(`${row} th.ind-name`)).trim(), `${id}. ${name}`)
  const own = page.locator(`${row} td[data-unit='38']`)
  assert.equal(Number(await own.getAttribute("data-rate")), v.rate)
  const n = new Intl.NumberFormat("vi-VN")
  assert.equal(await own.locator("[data-testid=asked]").textContent(), `đã hỏi ${n.format(v.denominator)}/${n.format(v.eligible)}`)

  // Removed from the console: gone from the catalogue.
  await page.goto(server.app + "/#/indicators")
  await page.click(`[data-testid=rules-list] li[data-indicator='${id}'] button[name=remove_indicator]`)
  await page.click(".dialog button:has-text('Xóa chỉ tiêu')")
  await page.waitForSelector(`[data-testid=rules-list] li[data-indicator='${id}']`, { state: "detached" })
  assert.ok(!(await apiGet(server.url, access_token, "/api/v1/indicators")).some((c) => c.id === id))

  // Another, its rate over everyone as the model's indicators take theirs (a question not
  // answered counts as no): the table gives no "đã hỏi" beside it.
  await page.fill("input[name=name_vi]", "Tỷ lệ người dân có điện thoại thông minh (tính trên tất cả)")
  await page.selectOption("select[name=question]", "has_smartphone")
  await page.click("button[data-rate=eligible]")
  assert.match(await page.textContent("[data-testid=rules-form]"), /tính là “Không”/)
  await page.click("button[name=add_indicator]")
  await item.waitFor()
  const second = Number(await item.getAttribute("data-indicator"))
  const entry = (await apiGet(server.url, access_token, "/api/v1/indicators")).find((c) => c.id === second)
  assert.deepEqual([entry.rule.rate_among, entry.built_in], ["eligible", false])
  await until(
    async () => !(await apiGet(server.url, access_token, "/api/v1/indicators")).find((c) => c.id === second).counting,
    { what: "every village counted" },
  )
  const w = (await apiGet(server.url, access_token, "/api/v1/units/38/indicators")).unit.indicators.find((x) => x.id === second)
  assert.ok(w.denominator > 0 && w.eligible === undefined, JSON.stringify(w))
  await page.goto(server.app + "/#/dash/38")
  const cell = page.locator(`table.indicators tr[data-indicator='${second}'] td[data-unit='38']`)
  await cell.waitFor()
  assert.equal(await cell.locator("[data-testid=asked]").count(), 0)
  await ctx.close()
})

// Teams and phones from the browser (issue 13): a team lead adds members and gets them onto their
// phones with a sign-in code (QR address or typed), resets a password, unlocks a locked account,
// revokes a phone (which then deletes its copy of the data), imports a list of members from a
// file (all lines or none), and gives a member only some households of a village.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { randomUUID } from "node:crypto"
import { Server, launch, phone, signIn, apiLogin, apiGet, serverDoc, until } from "./lib.mjs"
import { writeXlsx } from "./xlsx.mjs"
import { waitSync, openVillage, addHousehold, setField, syncState, databases, storedKeysOf } from "./ui.mjs"

const REVOKED = "Thiết bị này đã bị thu hồi quyền truy cập: dữ liệu khảo sát trên máy đã được xóa. Những thay đổi chưa đồng bộ không còn."

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

const leadToken = async () => (await apiLogin(server.url, "demo-lead")).access_token

async function apiSend(token, method, path, body) {
  const r = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  return { status: r.status, body: text ? JSON.parse(text) : null }
}

/** A member made by the lead through the API, with a password (and optionally a village). */
async function member(name, { password = "mat-khau-" + randomUUID().slice(0, 8), village } = {}) {
  const token = await leadToken()
  const made = await apiSend(token, "POST", "/api/v1/users", { display_name: name, role: "enumerator", scope_unit: "16138", password })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  if (village) {
    const a = await apiSend(token, "POST", "/api/v1/assignments", { village_code: village, assignee: made.body.username })
    assert.equal(a.status, 201, JSON.stringify(a.body))
  }
  return { ...made.body, password }
}

async function signInAs(page, username, password) {
  await page.goto(server.app + "/")
  await page.fill("input[name=username]", username)
  await page.fill("input[name=password]", password)
  await page.click("button[type=submit]")
  await page.waitForSelector(".syncbar")
}

async function team(token) {
  return apiGet(server.url, token, "/api/v1/team?unit=16138")
}

/** The lead's phone on the member's screen, from the team list. */
async function openMember(page, username) {
  await page.goto(server.app + "/#/team")
  await page.click(`li[data-member="${username}"] a.row`)
  await page.waitForSelector("[data-testid=member-info]")
}

/** The screen fits 360 px (nothing cut or scrolling sideways) and its tap targets are 44×44 or more. */
async function fitsPhone(page, what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth)
  assert.ok(width <= 360, `${what}: the page is ${width} px wide`)
  const small = await page.$$eval(".screen button, .screen a.btn, .screen a.row, .screen input:not([type=file]), .screen select, .nav a", (els) =>
    els
      .filter((e) => e.offsetParent !== null && !e.closest(".table-wrap"))
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ e, r }) => r.height < 44 || (r.width < 44 && e.type !== "checkbox"))
      .map(({ e, r }) => `${e.tagName.toLowerCase()}[${e.name || e.className}] ${Math.round(r.width)}×${Math.round(r.height)}`),
  )
  assert.deepEqual(small, [], `${what}: tap targets under 44 px`)
}

test("a lead adds a member, who signs in on their phone from the QR address and syncs", async () => {
  const lead = await (await phone(browser)).newPage()
  await signIn(lead, server.app, "demo-lead")
  await lead.click("a[data-nav=team]")
  await lead.waitForSelector('li[data-member="demo-enumerator"]')
  await fitsPhone(lead, "team")
  // Members are shown by display name, never by username.
  assert.match(await lead.textContent('li[data-member="demo-enumerator"]'), /Thành viên Tổ CNS Nga Liên/)
  assert.doesNotMatch(await lead.textContent("section.section"), /demo-enumerator/)

  await lead.click("[data-action=add-member]")
  await lead.fill("input[name=display_name]", "Nguyễn Văn An")
  // The username is proposed from the name as it is typed.
  await until(async () => (await lead.inputValue("input[name=username]")) === "nguyenvanan", { what: "the proposed username", timeout: 10_000 })
  await lead.fill("input[name=phone]", "0912345678")
  await lead.selectOption("select[name=village]", "39301.03")
  await fitsPhone(lead, "add member")
  await lead.click("form[name=add-member] button[type=submit]")
  // The member's screen, with a sign-in code and its QR code.
  await lead.waitForURL(/#\/team\/m\/\d+/)
  await lead.waitForSelector(".code[data-code]")
  const code = await lead.getAttribute(".code[data-code]", "data-code")
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
  const qr = await lead.getAttribute("svg.qr", "data-qr")
  assert.equal(qr, `${new URL(server.app).origin}/#/signin/${code.replace("-", "")}`)
  assert.ok((await lead.getAttribute("svg.qr path", "d")).length > 100, "the QR code is drawn")
  assert.match(await lead.textContent("[data-testid=member-info]"), /nguyenvanan/)
  assert.match(await lead.textContent("body"), /Thôn 3/)
  await fitsPhone(lead, "member")

  // The member's phone camera opens the QR address: signed in at once, on their home screen.
  const mine = await (await phone(browser)).newPage()
  await mine.goto(qr)
  await mine.waitForSelector(".syncbar")
  await mine.waitForFunction(() => location.hash === "#/" || location.hash === "")
  await waitSync(mine, "synced", 0)
  await mine.waitForSelector('a.card[data-village="39301.03"]', { timeout: 20_000 })
  await openVillage(mine, "39301.03")
  await mine.waitForSelector("a.fab")
  assert.ok((await mine.$$("a.row[data-household]")).length > 0, "the assigned village's households are on the phone")

  // The code was used: the same address on another phone is refused, and says why.
  const other = await (await phone(browser)).newPage()
  await other.goto(qr)
  await other.waitForSelector("p.error[role=alert]")
  assert.match(await other.textContent("p.error[role=alert]"), /Mã đăng nhập không đúng, đã dùng hoặc đã hết hạn/)
  assert.equal(await other.$(".syncbar"), null)

  // A new code, typed on the sign-in screen ("Đăng nhập bằng mã"), in lower case, without the dash.
  await lead.click("button[name=make-code]")
  await lead.waitForFunction((old) => document.querySelector(".code[data-code]")?.dataset.code !== old, code)
  const typed = (await lead.getAttribute(".code[data-code]", "data-code")).replace("-", "").toLowerCase()
  await other.goto(server.app + "/#/login")
  await other.reload()
  await other.click("button[name=switch-mode]")
  await other.fill("input[name=code]", typed)
  await other.click("form[name=code-login] button[type=submit]")
  await other.waitForSelector(".syncbar")
  await waitSync(other, "synced", 0)

  // The lead sees the member's two phones and their last sync.
  await lead.reload()
  await lead.waitForFunction(() => document.querySelectorAll("li.device").length === 2)
  const row = await team(await leadToken())
  const an = row.members.find((m) => m.username === "nguyenvanan")
  assert.equal(an.display_name, "Nguyễn Văn An")
  assert.equal(an.phone, "0912345678")
  assert.equal(an.devices.filter((d) => !d.revoked_at).length, 2)
})

test("a lead unlocks a locked member and resets a password; the phone keeps its data", async () => {
  const m = await member("Trần Thị Bình", { village: "39301.04" })
  // Five wrong passwords lock the account (KHAOSAT_LOGIN_MAX_FAILURES, default 5).
  for (let i = 0; i < 5; i++) {
    const r = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: m.username, password: "sai-mat-khau", device_id: randomUUID() }),
    })
    assert.ok(r.status === 401 || r.status === 429, `wrong password ${i + 1}: ${r.status}`)
  }
  const locked = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: m.username, password: m.password, device_id: randomUUID() }),
  })
  assert.equal(locked.status, 429, "locked: even the right password waits")

  const lead = await (await phone(browser)).newPage()
  await signIn(lead, server.app, "demo-lead")
  await lead.click("a[data-nav=team]")
  await lead.waitForSelector(`li[data-member="${m.username}"] [data-badge=locked]`)
  await openMember(lead, m.username)
  await lead.waitForSelector("[data-testid=locked]")
  await lead.click("button[name=unlock]")
  await lead.waitForSelector(".banner.ok")
  await lead.waitForFunction(() => !document.querySelector("[data-testid=locked]"))

  // Unlocked: the member signs in with their password on their phone and syncs.
  const mine = await (await phone(browser)).newPage()
  await signInAs(mine, m.username, m.password)
  await waitSync(mine, "synced", 0)
  await openVillage(mine, "39301.04")
  const id = await addHousehold(mine, { head: "Phạm Văn Cường", address: "Xóm Bắc, số 4" })
  await mine.goBack()
  await waitSync(mine, "synced", 0)

  // A new password: asked first, shown once with a copy button.
  await lead.click("button[name=reset-password]")
  await lead.waitForSelector("dialog.dialog")
  assert.match(await lead.textContent("dialog.dialog"), /dữ liệu trên máy vẫn được giữ/)
  await lead.click("dialog.dialog button.primary")
  await lead.waitForSelector("[data-testid=new-password] code")
  const password = (await lead.textContent("[data-testid=new-password] code")).trim()
  assert.ok(password.length >= 8, "a real password")
  assert.ok(await lead.$("[data-testid=new-password] button[name=copy]"))
  assert.equal((await apiSend(await leadToken(), "POST", "/api/v1/auth/login", { username: m.username, password: m.password, device_id: randomUUID() })).status, 401, "the old password no longer works")

  // The member's phone is signed out at its next contact, and keeps its data.
  await mine.reload()
  await waitSync(mine, "expired", null, 30_000)
  assert.ok((await databases(mine)).includes(`khaosat-${m.username}`), "the data stays on the phone")
  await mine.click(".syncbar button")
  await mine.fill("input[name=username]", m.username)
  await mine.fill("input[name=password]", password)
  await mine.click("button[type=submit]")
  await waitSync(mine, "synced", 0)
  await openVillage(mine, "39301.04")
  assert.ok(await mine.$(`a.row[data-household="${id}"]`), "the household recorded before is still listed")
})

test("a revoked phone: its next edit is not stored, and it deletes its copy at the next contact", async () => {
  const m = await member("Lê Văn Dũng", { village: "39301.04" })
  const ctx = await phone(browser)
  const mine = await ctx.newPage()
  await signInAs(mine, m.username, m.password)
  await waitSync(mine, "synced", 0)
  await openVillage(mine, "39301.04")
  const id = await addHousehold(mine, { head: "Hoàng Văn Em", address: "Xóm Nam, số 5" })
  await waitSync(mine, "synced", 0)
  assert.ok((await databases(mine)).includes(`khaosat-${m.username}`))

  // The phone's next contact with the API is held until the edit below is made, so the edit
  // happens on a phone that does not know yet (as when the network is slow).
  let release
  const held = new Promise((r) => (release = r))
  await mine.route("**/api/v1/me", async (route) => {
    await held
    await route.continue()
  })

  // The lead revokes the phone while it is connected, from the member's screen.
  const lead = await (await phone(browser)).newPage()
  await signIn(lead, server.app, "demo-lead")
  await openMember(lead, m.username)
  await lead.waitForSelector("li.device button[name=revoke]")
  await lead.click("li.device button[name=revoke]")
  await lead.waitForSelector("dialog.dialog")
  const warning = await lead.textContent("dialog.dialog")
  assert.match(warning, /tự xóa bản sao dữ liệu/)
  assert.match(warning, /chưa gửi lên máy chủ sẽ mất/)
  assert.match(warning, /hãy đồng bộ trước khi thu hồi/)
  await lead.click("dialog.dialog button.danger")
  await lead.waitForSelector("li.device [data-badge=revoked]")

  // The phone edits the household: refused at once, the server does not have it.
  await setField(mine, "address", "Sửa sau khi bị thu hồi")
  await until(async () => (await syncState(mine)).unsent > 0, { what: "the edit counted as unsent", timeout: 10_000 })
  await mine.waitForTimeout(3000) // what a live socket would have sent by now
  const onServer = await serverDoc(server.url, await leadToken(), await documentOf("39301.04"))
  assert.equal(onServer.households[id]?.address, "Xóm Nam, số 5", "the edit made after the revocation is not on the server")

  // Its next contact: told it was revoked, deletes its copy, shows the sign-in screen with the notice.
  release()
  await mine.waitForSelector("[data-testid=revoked]", { timeout: 30_000 })
  await mine.waitForFunction((text) => document.querySelector("[data-testid=revoked]")?.textContent === text, REVOKED, { timeout: 30_000 })
  assert.ok(await mine.$("input[name=username]"), "the sign-in screen")
  await until(async () => !(await databases(mine)).includes(`khaosat-${m.username}`), { what: "the database deleted", timeout: 10_000 })
  assert.deepEqual(await storedKeysOf(mine, m.username), [], "no cached answers left")
  assert.equal(await mine.evaluate(() => localStorage.getItem("khaosat.session")), null, "no session left")
  // Still so after a reload (the notice stays until someone signs in).
  await mine.reload()
  await mine.waitForSelector("[data-testid=revoked]")
  assert.equal(await mine.textContent("[data-testid=revoked]"), REVOKED)
  await ctx.close()
})

test("disabling an account revokes its phone (which deletes its copy); enabled again, a new code signs it in", async () => {
  const m = await member("Vũ Thị Hoa", { village: "39301.04" })
  const mine = await (await phone(browser)).newPage()
  await signInAs(mine, m.username, m.password)
  await waitSync(mine, "synced", 0)
  await mine.waitForSelector('a.card[data-village="39301.04"]')

  const lead = await (await phone(browser)).newPage()
  await signIn(lead, server.app, "demo-lead")
  await openMember(lead, m.username)
  await lead.click("button[name=disable]")
  await lead.waitForSelector("dialog.dialog")
  assert.match(await lead.textContent("dialog.dialog"), /mọi thiết bị của họ bị thu hồi/)
  await lead.click("dialog.dialog button.danger")
  await lead.waitForSelector("[data-badge=disabled]")
  assert.equal(await lead.$("[data-testid=sign-in-code]"), null, "no sign-in code for a disabled account")

  // The phone (its socket closed by the server) deletes its copy.
  await mine.waitForFunction((text) => document.querySelector("[data-testid=revoked]")?.textContent === text, REVOKED, { timeout: 30_000 })
  await until(async () => !(await databases(mine)).includes(`khaosat-${m.username}`), { what: "the database deleted", timeout: 10_000 })

  await lead.click("button[name=enable]")
  await lead.click("dialog.dialog button.primary")
  await lead.waitForFunction(() => !document.querySelector("[data-badge=disabled]"))
  await lead.click("button[name=make-code]")
  await lead.waitForSelector("svg.qr")
  await mine.goto(await lead.getAttribute("svg.qr", "data-qr"))
  await waitSync(mine, "synced", 0)
  // Signed in again: the notice is gone and the village is back on the phone.
  assert.equal(await mine.$("[data-testid=revoked]"), null)
  await mine.waitForSelector('a.card[data-village="39301.04"]')
})

/** The document id of a village (as the demo commune officer lists it). */
async function documentOf(village) {
  const docs = await apiGet(server.url, (await apiLogin(server.url, "demo-commune")).access_token, "/api/v1/me/documents")
  return docs.find((d) => d.unit_code === village).document_id
}

test("importing 30 members with two bad lines (CSV) imports nobody and names the lines; fixed (XLSX), all are added", async () => {
  const token = await leadToken()
  const before = (await team(token)).members.length
  const rows = Array.from({ length: 30 }, (_, i) => [`Thành viên Nhập ${String(i + 1).padStart(2, "0")}`, `09${String(10000000 + i * 7919).slice(0, 8)}`, i % 3 === 0 ? "Thôn 1" : i % 3 === 1 ? "39301.02" : ""])
  const bad = rows.map((r) => [...r])
  bad[4][0] = "" // line 6 (the header is line 1): no name
  bad[18][2] = "Thôn Không Có" // line 20: no such village in the commune
  const csv = (rs) => "Họ và tên,Số điện thoại,Thôn\n" + rs.map((r) => r.join(",")).join("\n") + "\n"

  const lead = await (await phone(browser)).newPage()
  await signIn(lead, server.app, "demo-lead")
  await lead.click("a[data-nav=team]")
  await lead.click("[data-action=import]")
  await lead.waitForSelector("input[type=file][name=file]", { state: "attached" })
  await fitsPhone(lead, "import")
  await lead.setInputFiles("input[name=file]", { name: "to-cns.csv", mimeType: "text/csv", buffer: Buffer.from(csv(bad)) })
  await lead.waitForSelector("[data-testid=error-details]")
  const details = await lead.$$eval("[data-testid=error-details] li", (els) => els.map((e) => e.textContent))
  assert.equal(details.length, 2, details.join("\n"))
  assert.match(details[0], /^dòng 6: /)
  assert.match(details[1], /^dòng 20: /)
  assert.match(await lead.textContent("[data-testid=import-errors]"), /chưa thêm ai/)
  assert.equal(await lead.$("button[name=import]"), null, "nothing to import")
  assert.equal((await team(token)).members.length, before, "nobody was imported")

  // The fixed file, saved from Excel: previewed line by line (a dry run: still nobody added), then imported.
  const xlsx = writeXlsx([["Họ và tên", "Số điện thoại", "Thôn"], ...rows])
  await lead.setInputFiles("input[name=file]", { name: "to-cns.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: xlsx })
  await lead.waitForSelector("[data-testid=import-preview]")
  assert.equal((await lead.$$("[data-testid=import-preview] tbody tr")).length, 30)
  assert.match(await lead.textContent('[data-testid=import-preview] tr[data-line="2"]'), /Thành viên Nhập 01.*Thôn 1/)
  assert.match(await lead.textContent('[data-testid=import-preview] tr[data-line="3"]'), /Thôn 2/)
  assert.equal((await team(token)).members.length, before, "a preview adds nobody")
  await fitsPhone(lead, "import preview")
  await lead.click("button[name=import]")
  await lead.waitForSelector("[data-testid=imported]")
  assert.match(await lead.textContent("[data-testid=imported]"), /Đã thêm 30 thành viên/)
  const after = (await team(token)).members
  assert.equal(after.length, before + 30)
  const first = after.find((m) => m.display_name === "Thành viên Nhập 01")
  assert.deepEqual(
    first.assignments.map((a) => a.village_code),
    ["39301.01"],
  )
})

test("a member given some households of a village sees only those, and can show the whole village", async () => {
  const m = await member("Đỗ Thị Giang")
  const lead = await (await phone(browser)).newPage()
  await signIn(lead, server.app, "demo-lead")
  await waitSync(lead, "synced", 0)
  await lead.click("a[data-nav=team]")
  await lead.waitForFunction((u) => [...document.querySelectorAll("select[name=assignee] option")].some((o) => o.value === u), m.username)
  // The list names people, not usernames.
  assert.ok(await lead.$eval(`select[name=assignee] option[value="${m.username}"]`, (o) => o.textContent.includes("Đỗ Thị Giang")))
  await lead.selectOption("select[name=assignee]", m.username)
  await lead.selectOption("select[name=village]", "39301.03")
  await lead.waitForSelector("input[name=whole]")
  await lead.uncheck("input[name=whole]")
  const boxes = await lead.$$(".picklist input[type=checkbox]")
  const total = boxes.length
  assert.ok(total > 3, `Thôn 3 has ${total} households`)
  const picked = []
  for (const b of boxes.slice(0, 3)) {
    await b.check()
    picked.push(await b.getAttribute("data-household"))
  }
  await lead.click("form[name=assign] button[type=submit]")
  await lead.waitForSelector("form[name=assign] [role=status]")
  await lead.waitForFunction((u) => document.querySelector(`li[data-member="${u}"]`)?.textContent.includes("3 hộ"), m.username)

  const mine = await (await phone(browser)).newPage()
  await signInAs(mine, m.username, m.password)
  await waitSync(mine, "synced", 0)
  await mine.waitForSelector('a.card[data-village="39301.03"]', { timeout: 20_000 })
  const card = await mine.textContent('a.card[data-village="39301.03"]')
  assert.match(card, /3 hộ được giao/)
  assert.match(card, /Đã thăm \d+\/3 hộ/)
  await openVillage(mine, "39301.03")
  assert.equal(await mine.textContent("[data-testid=shown-count]"), "3/3 hộ")
  const shown = await mine.$$eval("a.row[data-household]", (els) => els.map((e) => e.dataset.household).sort())
  assert.deepEqual(shown, [...picked].sort())
  // The whole village, on request.
  await mine.click("button[data-scope=all]")
  assert.equal(await mine.textContent("[data-testid=shown-count]"), `${total}/${total} hộ`)
  await mine.click("button[data-scope=assigned]")
  assert.equal((await mine.$$("a.row[data-household]")).length, 3)

  // Taking it away asks first.
  await openMember(lead, m.username)
  await lead.click('[data-assignment="39301.03"] button[name=unassign]')
  await lead.waitForSelector("dialog.dialog")
  assert.match(await lead.textContent("dialog.dialog"), /Bỏ giao Thôn 3 cho Đỗ Thị Giang\?/)
  await lead.click("dialog.dialog button:not(.danger)")
  assert.ok(await lead.$('[data-assignment="39301.03"]'), "cancelled: still assigned")
  await lead.click('[data-assignment="39301.03"] button[name=unassign]')
  await lead.click("dialog.dialog button.danger")
  await lead.waitForFunction(() => !document.querySelector('[data-assignment="39301.03"]'))
})

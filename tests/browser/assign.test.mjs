// A team lead gives a village to a member; the member's phone shows it and can open it.
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { Server, launch, phone, signIn } from "./lib.mjs"
import { waitSync } from "./ui.mjs"

let server, browser
before(async () => {
  server = await new Server().start()
  browser = await launch()
})
after(async () => {
  await browser?.close()
  await server?.dispose()
})

test("a team lead assigns a village and the member sees it", async () => {
  const lead = await (await phone(browser)).newPage()
  const member = await (await phone(browser)).newPage()
  await signIn(member, server.app, "demo-enumerator")
  await waitSync(member, "synced", 0)
  assert.equal(await member.$('a.card[data-village="39301.03"]'), null, "Thôn 3 is not assigned yet")

  await signIn(lead, server.app, "demo-lead")
  await lead.click("a[data-nav=team]")
  await lead.waitForFunction(() => [...document.querySelectorAll("select[name=assignee] option")].some((o) => o.value === "demo-enumerator"))
  // People are named by their display name, never their username.
  assert.match(await lead.textContent('select[name=assignee] option[value="demo-enumerator"]'), /Thành viên Tổ CNS Nga Liên/)
  await lead.selectOption("select[name=assignee]", "demo-enumerator")
  await lead.selectOption("select[name=village]", "39301.03")
  await lead.fill("input[name=note]", "Thôn 3 từ thứ Hai")
  await lead.click("form[name=assign] button[type=submit]")
  await lead.waitForSelector("form[name=assign] [role=status]")
  // The lead's progress lists now show the member on Thôn 3.
  await lead.waitForFunction(() => document.querySelector('[data-village="39301.03"]')?.textContent.includes("Thành viên Tổ CNS Nga Liên"))

  // The member opens the app again (or comes back to the home screen) and has Thôn 3.
  await member.reload()
  await member.waitForSelector('a.card[data-village="39301.03"]', { timeout: 20_000 })
  assert.match(await member.textContent('a.card[data-village="39301.03"]'), /Thôn 3 từ thứ Hai/)
  await member.click('a.card[data-village="39301.03"]')
  await member.waitForSelector("a.fab")
})

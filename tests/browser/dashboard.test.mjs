// Commune officers see their units and the indicator table once the server computes it. The
// indicators endpoint is being built in parallel: until it answers, the screen must say the
// figures are not available yet (and this test checks that instead).
import { test, after, before } from "node:test"
import assert from "node:assert/strict"
import { Server, launch, phone, signIn, apiLogin } from "./lib.mjs"
import { openVillage, addHousehold, waitSync } from "./ui.mjs"

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
  const probe = await fetch(`${server.url}/api/v1/units/39301/indicators`, { headers: { authorization: `Bearer ${access_token}` } })

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
  await page.waitForSelector("text=Xã Nga Liên")
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

// What a user does in the app, as Playwright steps (selectors are the app's names and data-*
// attributes, not its styling).
export async function syncState(page) {
  return page.$eval(".syncbar", (el) => ({ state: el.dataset.state, unsent: Number(el.dataset.unsent ?? 0) }))
}

/** Waits until the sync bar shows `state` (and, when given, that many unsent changes). */
export async function waitSync(page, state, unsent, timeout = 40_000) {
  await page.waitForFunction(
    ([state, unsent]) => {
      const el = document.querySelector(".syncbar")
      return el && el.dataset.state === state && (unsent === null || Number(el.dataset.unsent) === unsent)
    },
    [state, unsent ?? null],
    { timeout },
  )
}

/** Resolves once a service worker controls the page's origin (the app is then available offline). */
export async function waitServiceWorker(page) {
  await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready
    if (!reg.active) throw new Error("no active service worker")
  })
}

export async function openVillage(page, code) {
  await page.click(`a.card[data-village="${code}"]`)
  await page.waitForSelector("[data-testid=shown-count]")
}

/** Adds a household from the village list; returns its id. */
export async function addHousehold(page, { head, address = "", phone = "" }) {
  await page.click("a.fab")
  await page.fill("input[name=head_name]", head)
  await page.fill("input[name=address]", address)
  if (phone) await page.fill("input[name=phone]", phone)
  await page.click("button[name=save]")
  await page.waitForURL(/#\/v\/[^/]+\/h\/[0-9a-f-]+$/)
  return page.url().split("/h/")[1]
}

/** Types into a self-saving field and leaves it (the app saves on blur). */
export async function setField(page, name, value) {
  const input = page.locator(`input[name="${name}"]`)
  await input.fill(value)
  await input.blur()
}

export async function search(page, text) {
  await page.fill("input[name=search]", text)
}

export async function visibleHouseholds(page) {
  return page.$$eval("a.row[data-household] strong", (els) => els.map((e) => e.textContent))
}

/** Names of the IndexedDB databases of the page's origin (one `khaosat-<username>` per user). */
export async function databases(page) {
  return page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort())
}

/** localStorage keys of the page's origin that belong to `username`. */
export async function storedKeysOf(page, username) {
  return page.evaluate((u) => Object.keys(localStorage).filter((k) => k.split(".").includes(u)), username)
}

/** Opens Settings and taps "Sign out" (a confirmation dialog may follow). */
export async function tapSignOut(page) {
  await page.click("a[data-nav=settings]")
  await page.click("button[name=logout]")
}

/**
 * Measures what one-handed use at 360×740 needs under `scope`: nothing wider than the phone,
 * every visible tap target at least 44 px high. (Older scenario files keep their own copies.)
 */
export async function phoneFit(page, scope = "main") {
  return page.evaluate((scope) => {
    const small = [...document.querySelectorAll(`${scope} button, ${scope} a, ${scope} select, ${scope} input, ${scope} textarea`)]
      .filter((el) => el.offsetParent !== null && el.type !== "checkbox")
      .filter((el) => el.getBoundingClientRect().height < 44)
      .map((el) => el.outerHTML.slice(0, 100))
    return { width: document.documentElement.scrollWidth, small }
  }, scope)
}

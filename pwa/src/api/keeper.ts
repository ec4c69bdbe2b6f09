// Keeps the access token fresh without the user noticing: renews it a minute before it expires
// (renewMargin in session.ts), and while the network is away retries with a capped back-off, plus
// at once when the browser says it is back online or the app comes to the foreground. Sync
// (sync/link.ts) follows the token.
import { effect } from "@preact/signals"
import { accessFresh, refresh, renewMargin, session } from "./session"

export function startTokenKeeper(): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  let failures = 0
  let lastAccess: string | undefined

  const schedule = (ms: number) => {
    clearTimeout(timer)
    timer = setTimeout(tick, Math.max(0, ms))
  }

  async function tick() {
    const s = session.value
    if (!s || s.expired) return
    if (accessFresh(s, 1.2)) return schedule(s.accessExp - Date.now() - renewMargin(s))
    const result = await refresh()
    if (result === "ok") {
      failures = 0
      const fresh = session.value
      if (fresh) schedule(fresh.accessExp - Date.now() - renewMargin(fresh))
    } else if (result === "offline") {
      failures++
      // 5, 10, 20, 40, 60, 60… seconds: the first retries fall inside the server's 30 s grace for
      // a refresh whose answer was lost.
      schedule(Math.min(60_000, 5_000 * 2 ** (failures - 1)))
    }
  }

  addEventListener("online", () => {
    failures = 0
    schedule(0)
  })
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") schedule(0)
  })
  // A login (or another tab's refresh) brings a new token: plan the next renewal from it.
  effect(() => {
    const access = session.value?.access
    if (access !== lastAccess) {
      lastAccess = access
      schedule(0)
    }
  })
}

// Server lists that several screens show at once (the open send-backs, the open conflicts): one
// answer per signed-in user and path, kept in localStorage under the same key as useCached's (so
// sign-out and a revoked phone delete it with the rest), shown offline with the "offline" note,
// and fetched again when the phone (re)connects, when the server has acknowledged this phone's
// changes (a fix or a settled conflict is recorded in the transaction that stores the change, so
// it is known there by then), when changes from other phones arrive, and every minute while
// connected.
import { effect, signal, type Signal } from "@preact/signals"
import { useEffect } from "preact/hooks"
import { api, OfflineError } from "../api/http"
import { session } from "../api/session"
import type { User } from "../api/types"
import { engine } from "../sync/engine"
import { readJson, writeJson } from "../util/storage"
import { num, t } from "../i18n"

export interface Shared<T> {
  data: T | undefined
  /** when `data` was fetched (ms) */
  at: number | null
  /** the last try could not reach the server (data, if any, is the saved copy) */
  offline: boolean
  /** the last error from the server (an ApiError), for ErrorNote */
  failure: unknown
}

interface Entry {
  state: Signal<Shared<unknown>>
  inflight?: Promise<void>
}

const entries = new Map<string, Entry>()
const keyOf = (user: string, path: string) => `khaosat.cache.${user}.${path}`

function entry(user: string, path: string): Entry {
  const key = keyOf(user, path)
  let e = entries.get(key)
  if (!e) {
    const saved = readJson<{ data?: unknown; at: number | null }>(key, { at: null })
    e = { state: signal<Shared<unknown>>({ data: saved.data, at: saved.at, offline: false, failure: null }) }
    entries.set(key, e)
  }
  return e
}

/** Fetches a shared list again (one request at a time per list). */
export function reloadShared(path: string): Promise<void> {
  const user = session.peek()?.user.username
  if (!user) return Promise.resolve()
  const e = entry(user, path)
  e.inflight ??= (async () => {
    try {
      const data = await api<unknown>(path)
      const at = Date.now()
      writeJson(keyOf(user, path), { data, at })
      e.state.value = { data, at, offline: false, failure: null }
    } catch (err) {
      const prev = e.state.peek()
      e.state.value = err instanceof OfflineError ? { ...prev, offline: true } : { ...prev, offline: false, failure: err }
    } finally {
      e.inflight = undefined
    }
  })()
  return e.inflight
}

const EMPTY: Shared<never> = { data: undefined, at: null, offline: false, failure: null }

/** Screens opened within this long of the last answer show it without asking again. */
const FRESH_MS = 15_000

/**
 * A shared list for a screen: the saved copy at once, then the server's (fetched on mount unless
 * fetched in the last 15 s while the phone is connected: a member opening household after
 * household asks once).
 */
export function useShared<T>(path: string | null): Shared<T> & { reload: () => Promise<void> } {
  const user = session.value?.user.username
  const state = user && path ? (entry(user, path).state.value as Shared<T>) : EMPTY
  useEffect(() => {
    if (!path || !user) return
    const now = entry(user, path).state.peek()
    // Not connected (yet): try anyway, so an offline phone says its list is the saved one.
    const connected = !!engine.peek()?.link.server.peek()
    if (!connected || !now.at || now.offline || now.failure || Date.now() - now.at > FRESH_MS) void reloadShared(path)
  }, [path, user])
  return { ...state, reload: () => (path ? reloadShared(path) : Promise.resolve()) }
}

/** Fetches every shared list of the signed-in user that a screen has used. */
function reloadAll() {
  const user = session.peek()?.user.username
  if (!user) return
  const prefix = keyOf(user, "")
  for (const key of entries.keys()) if (key.startsWith(prefix)) void reloadShared(key.slice(prefix.length))
}

/** Starts the refreshes described at the top (once, at start). */
export function watchSync(): void {
  let wasConnected = false
  let prevUnsent = 0
  let prevTick = -1
  let timer: ReturnType<typeof setTimeout> | undefined
  const soon = (ms: number, replace: boolean) => {
    if (timer && !replace) return
    clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      reloadAll()
    }, ms)
  }
  effect(() => {
    // Signed out (or this phone's copy deleted): forget the answers kept in memory too.
    if (!session.value) entries.clear()
  })
  effect(() => {
    const e = engine.value
    const connected = !!e?.link.server.value
    const unsent = e?.unsent.value ?? 0
    const tick = e?.docTick.value ?? -1
    if (connected && !wasConnected) soon(300, true)
    else if (connected && prevUnsent > 0 && unsent === 0) soon(300, true)
    else if (connected && unsent === 0 && tick !== prevTick) soon(3000, false)
    wasConnected = connected
    prevUnsent = unsent
    prevTick = tick
  })
  setInterval(() => {
    if (engine.peek()?.link.server.peek() && document.visibilityState === "visible") reloadAll()
  }, 60_000)
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && engine.peek()?.link.server.peek()) soon(300, true)
  })
}

// ---- The lists themselves ----

/** Open send-backs: of my assigned villages (a member), of my area (a lead, a commune officer). */
export const SEND_BACKS = "/api/v1/me/send-backs"

/** Roles that review the members' work: conflicts, send-backs, approvals. */
export const isReviewer = (u: User | undefined) => !!u && ["team_lead", "commune", "admin"].includes(u.role)

/** The open conflicts of the reviewer's commune (their scope unit); null for others. */
export const conflictsPath = (u: User | undefined) =>
  isReviewer(u) && u!.scope_unit ? `/api/v1/units/${encodeURIComponent(u!.scope_unit)}/conflicts` : null

/** "2 thông tin ghi khác nhau · 1 yêu cầu sửa đang chờ" (the counts not known yet: "loading"). */
export function reviewSummary(conflicts: number | undefined, sendBacks: number | undefined): string {
  if (conflicts === undefined) return t("loading")
  if (!conflicts && !sendBacks) return t("review.nothing")
  return t("review.summary", { conflicts: num(conflicts), sendBacks: num(sendBacks ?? 0) })
}

// Who is signed in on this phone, and the access/refresh tokens. Kept in localStorage so the app
// opens signed in, offline, for days; the access token is renewed in the background (keeper.ts).
import { signal } from "@preact/signals"
import type { TokenPair, User } from "./types"
import { readJson, writeJson } from "../util/storage"
import { uuid } from "../util/uuid"

export interface Session {
  user: User
  access: string
  /** local clock, ms: when the access token stops working (from expires_in, so phone clock skew does not matter) */
  accessExp: number
  /** the access token's lifetime (ms), so renewal margins scale with it (15 min by default) */
  accessTtl?: number
  refresh: string
  /** the server refused the refresh token (revoked, expired after 60 days idle): sign in again to sync */
  expired?: boolean
}

const KEY = "khaosat.session"
export const session = signal<Session | null>(readJson<Session | null>(KEY, null))

function store(s: Session | null) {
  writeJson(KEY, s ?? undefined)
  session.value = s
}

/** A stable id for this phone, made once: the server keeps one session per device. */
export function deviceId(): string {
  let id = localStorage.getItem("khaosat.device_id")
  if (!id) {
    id = uuid()
    localStorage.setItem("khaosat.device_id", id)
  }
  return id
}

function fromPair(p: TokenPair, requestedAt: number): Session {
  // Count the lifetime from when we asked, not when the answer came: errs on the early side.
  const ttl = p.expires_in * 1000
  return { user: p.user, access: p.access_token, refresh: p.refresh_token, accessExp: requestedAt + ttl, accessTtl: ttl }
}

/**
 * How long before expiry a token counts as used up: a minute for the usual 15-minute token, a
 * third of the lifetime for short ones (so a short-lived token is not renewed in a loop).
 */
export const renewMargin = (s: Session) => Math.min(60_000, (s.accessTtl ?? 900_000) / 3)

/** The access token is valid for at least `fraction` of the renewal margin more. */
export const accessFresh = (s: Session | null, fraction = 0.5): s is Session =>
  !!s && !s.expired && s.accessExp - Date.now() > renewMargin(s) * fraction

export class LoginError extends Error {
  constructor(
    /** `code`: the sign-in code is wrong, used or expired */
    readonly kind: "credentials" | "code" | "offline" | "server" | "wait",
    message: string,
    /** For `wait`: seconds until the server takes another attempt (its Retry-After). */
    readonly retryAfter = 0,
  ) {
    super(message)
  }
}

export function login(username: string, password: string): Promise<Session> {
  return signIn("/api/v1/auth/login", { username, password, device_id: deviceId() }, "credentials")
}

/**
 * Signs in with a one-time code a team lead made for this member (typed, or opened from the QR
 * code as #/signin/CODE). Dashes, spaces and case do not matter to the server.
 */
export function loginWithCode(code: string): Promise<Session> {
  return signIn("/api/v1/auth/code", { code: code.trim(), device_id: deviceId() }, "code")
}

async function signIn(path: string, body: unknown, refused: "credentials" | "code"): Promise<Session> {
  const at = Date.now()
  let res: Response
  try {
    res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  } catch (e) {
    throw new LoginError("offline", String(e))
  }
  if (res.status === 401 || res.status === 403) throw new LoginError(refused, await res.text())
  if (res.status === 429) {
    // Too many wrong passwords (the account is locked) or too many attempts from this network.
    throw new LoginError("wait", await res.text(), Number(res.headers.get("retry-after")) || 60)
  }
  if (!res.ok) throw new LoginError("server", await res.text())
  const s = fromPair((await res.json()) as TokenPair, at)
  // A successful sign-in ends the "this device was revoked" notice.
  setNotice(null)
  store(s)
  return s
}

/** Forgets the tokens (the caller has already warned about unsynced changes). */
export async function logout(): Promise<void> {
  const s = session.value
  store(null)
  if (s && !s.expired) {
    // Best effort: ends the device session on the server; offline it simply expires.
    fetch("/api/v1/auth/logout", { method: "POST", headers: { authorization: `Bearer ${s.access}` } }).catch(() => {})
  }
}

export type RefreshResult = "ok" | "offline" | "rejected"
let inflight: Promise<RefreshResult> | undefined

/**
 * Renews the token pair. Refresh tokens are single use, so two tabs must never spend the same one:
 * the refresh runs under a Web Lock and first re-reads localStorage, adopting a pair another tab
 * has just obtained. A lost answer is retried soon (the server accepts a reuse within 30 s).
 */
export function refresh(): Promise<RefreshResult> {
  inflight ??= withLock(async (): Promise<RefreshResult> => {
    const current = readJson<Session | null>(KEY, null)
    if (!current || current.expired) return "rejected"
    if (current.access !== session.value?.access && accessFresh(current, 1)) {
      session.value = current
      return "ok"
    }
    const at = Date.now()
    let res: Response
    try {
      res = await fetch("/api/v1/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh }),
      })
    } catch {
      return "offline"
    }
    if (res.status === 401 || res.status === 403) {
      // Sign in again, data kept; unless the device itself was revoked: then its copy goes.
      store({ ...current, expired: true })
      if (await isRevokedAnswer(res)) void deviceRevoked(current.user.username)
      return "rejected"
    }
    if (!res.ok) return "offline" // 5xx, proxy pages: try again later
    store(fromPair((await res.json()) as TokenPair, at))
    return "ok"
  }).finally(() => (inflight = undefined))
  return inflight
}

function withLock<T>(fn: () => Promise<T>): Promise<T> {
  // (The DOM typings nest the promise; at run time request() resolves to fn's result.)
  return navigator.locks ? (navigator.locks.request("khaosat-refresh", fn) as unknown as Promise<T>) : fn()
}

// ---- A revoked device (DELETE /users/{id}/sessions[/{sid}], or the account disabled) ----
// The server answers every request with this device's tokens 401 `device_revoked`. The phone then
// deletes its copy of the survey data (the user's automerge-repo database, the cached answers, the
// session) and shows the login screen with a notice. A plain 401 (`unauthorized`: password reset,
// signed in elsewhere) keeps everything and only asks to sign in again.

export interface RevokedNotice {
  username: string
  at: number
  /** false while the phone is still deleting: finished at the next start if the app is closed meanwhile */
  done: boolean
}

const NOTICE_KEY = "khaosat.revoked"
export const revokedNotice = signal<RevokedNotice | null>(readJson<RevokedNotice | null>(NOTICE_KEY, null))

function setNotice(n: RevokedNotice | null) {
  writeJson(NOTICE_KEY, n ?? undefined)
  revokedNotice.value = n
}

/** Whether a 401 answer says `device_revoked` (reads a copy: the body stays readable). */
export async function isRevokedAnswer(res: Response): Promise<boolean> {
  if (res.status !== 401) return false
  const body = (await res
    .clone()
    .json()
    .catch(() => null)) as { error?: { code?: string } } | null
  return body?.error?.code === "device_revoked"
}

let wipe: ((username: string) => Promise<void>) | undefined
let revoking: Promise<void> | undefined

/** Registers what deletes a user's data from the phone (sync/engine.ts: wipeUser). */
export function onDeviceRevoked(fn: (username: string) => Promise<void>): void {
  wipe = fn
}

/**
 * The server said this device was revoked: delete the user's data, forget the session, show the
 * login screen with the notice. Runs once however many answers say so.
 */
export function deviceRevoked(username = session.peek()?.user.username): Promise<void> {
  if (!username) return Promise.resolve()
  revoking ??= (async () => {
    const notice = { username, at: Date.now(), done: false }
    setNotice(notice)
    try {
      await wipe?.(username)
    } finally {
      if (readJson<Session | null>(KEY, null)?.user.username === username) store(null)
      else if (session.peek()?.user.username === username) session.value = null
      setNotice({ ...notice, done: true })
    }
  })().finally(() => (revoking = undefined))
  return revoking
}

/**
 * At start: a deletion the app was closed in the middle of is finished before anything opens the
 * user's database (the session is dropped first, so no engine starts for it).
 */
export function finishRevocation(): void {
  const n = revokedNotice.peek()
  if (!n || n.done) return
  if (session.peek()?.user.username === n.username) store(null)
  void (async () => {
    await wipe?.(n.username)
    setNotice({ ...n, done: true })
  })()
}

// Calls to the khaosat API with the current access token, renewed first when it is about to
// expire and once more on a 401. Errors carry the server's message (docs/API.md error shape).
// A 401 `device_revoked` (this phone was revoked by a team lead, or the account disabled) starts
// the deletion of this phone's copy of the data (session.ts: deviceRevoked).
import { accessFresh, deviceRevoked, isRevokedAnswer, refresh, session } from "./session"
import type { ApiErrorBody } from "./types"

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message)
  }
}

/** The server could not be reached: the caller shows cached data and tries again later. */
export class OfflineError extends Error {}

export interface ApiInit {
  method?: string
  /** sent as JSON */
  body?: unknown
  /** sent as is, with this content type (file uploads) */
  raw?: { data: BodyInit; type: string }
}

export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  if (!accessFresh(session.value)) await refresh()
  let res = await send(path, init)
  if (res.status === 401 && !(await isRevokedAnswer(res)) && (await refresh()) === "ok") res = await send(path, init)
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as ApiErrorBody | null
    const error = new ApiError(res.status, body?.error?.code ?? "error", body?.error?.message ?? res.statusText, body?.error?.details)
    if (res.status === 401 && error.code === "device_revoked") void deviceRevoked()
    throw error
  }
  return (res.status === 204 ? undefined : await res.json()) as T
}

async function send(path: string, init: ApiInit): Promise<Response> {
  const s = session.value
  if (!s || s.expired) throw new ApiError(401, "unauthorized", "not signed in")
  const headers: Record<string, string> = { authorization: `Bearer ${s.access}` }
  let body: BodyInit | undefined
  if (init.raw) {
    headers["content-type"] = init.raw.type
    body = init.raw.data
  } else if (init.body !== undefined) {
    headers["content-type"] = "application/json"
    body = JSON.stringify(init.body)
  }
  try {
    return await fetch(path, { method: init.method ?? "GET", headers, body, cache: "no-store" })
  } catch (e) {
    throw new OfflineError(String(e))
  }
}

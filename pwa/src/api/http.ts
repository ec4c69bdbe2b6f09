// Calls to the khaosat API with the current access token, renewed first when it is about to
// expire and once more on a 401. Errors carry the server's message (docs/API.md error shape).
import { accessFresh, refresh, session } from "./session"
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

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  if (!accessFresh(session.value)) await refresh()
  let res = await send(path, init)
  if (res.status === 401 && (await refresh()) === "ok") res = await send(path, init)
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as ApiErrorBody | null
    throw new ApiError(res.status, body?.error.code ?? "error", body?.error.message ?? res.statusText, body?.error.details)
  }
  return (res.status === 204 ? undefined : await res.json()) as T
}

async function send(path: string, init: { method?: string; body?: unknown }): Promise<Response> {
  const s = session.value
  if (!s || s.expired) throw new ApiError(401, "unauthorized", "not signed in")
  const headers: Record<string, string> = { authorization: `Bearer ${s.access}` }
  if (init.body !== undefined) headers["content-type"] = "application/json"
  try {
    return await fetch(path, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: "no-store",
    })
  } catch (e) {
    throw new OfflineError(String(e))
  }
}

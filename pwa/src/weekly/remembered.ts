// Answers the home screen's reminders read: shown at once from the same localStorage cache as
// useCached (so a screen that fetched the same path refreshes them too), asked when the app opens
// and then at most every few minutes per path while it stays open — coming back to the home
// screen does not send a request each time, and nothing polls.
import { useEffect, useState } from "preact/hooks"
import { api } from "../api/http"
import { session } from "../api/session"
import { readJson, writeJson } from "../util/storage"

const MAX_AGE = 5 * 60_000
/** when each path was last asked (ms), per page load */
const asked = new Map<string, number>()

const keyOf = (path: string) => `khaosat.cache.${session.peek()?.user.username}.${path}`

export interface Remembered<T> {
  data: T | undefined
  /** when `data` was fetched (ms) */
  at: number | null
}

export function useRemembered<T>(path: string | null, maxAge = MAX_AGE): Remembered<T> {
  const key = path ? keyOf(path) : ""
  const [state, setState] = useState<Remembered<T>>(() => (key ? readJson(key, { data: undefined, at: null }) : { data: undefined, at: null }))
  useEffect(() => {
    if (!path) return
    const cached = readJson<Remembered<T>>(key, { data: undefined, at: null })
    setState(cached)
    if (Date.now() - (asked.get(key) ?? 0) < maxAge) return
    asked.set(key, Date.now())
    let live = true
    api<T>(path)
      .then((data) => {
        const next = { data, at: Date.now() }
        writeJson(key, next)
        if (live) setState(next)
      })
      .catch(() => {
        // Offline or refused: the cached answer (if any) stays; asked again after maxAge.
      })
    return () => {
      live = false
    }
  }, [path, key, maxAge])
  return state
}

/** Something changed what `path` answers (e.g. the report was just submitted): store the new answer. */
export function remember<T>(path: string, data: T): void {
  writeJson(keyOf(path), { data, at: Date.now() })
  asked.set(keyOf(path), Date.now())
}

/** Ask `path` again the next time a reminder shows it. */
export function forget(path: string): void {
  asked.delete(keyOf(path))
  writeJson(keyOf(path), undefined)
}

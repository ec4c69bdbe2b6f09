// Server data a screen shows offline too: the last answer is kept in localStorage and shown at
// once, then replaced by a fresh one when the server answers.
import { useCallback, useEffect, useState } from "preact/hooks"
import { api, OfflineError } from "../api/http"
import { session } from "../api/session"
import { readJson, writeJson } from "../util/storage"

export interface Cached<T> {
  data: T | undefined
  /** when `data` was fetched (ms) */
  at: number | null
  error: string | null
  /** the error itself (an ApiError with the server's code and details), for ErrorNote */
  failure: unknown
  offline: boolean
  reload: () => Promise<void>
}

export function useCached<T>(path: string | null): Cached<T> {
  const key = `khaosat.cache.${session.peek()?.user.username}.${path}`
  const [state, setState] = useState(() => readJson<{ data?: T; at: number | null }>(key, { at: null }))
  const [error, setError] = useState<string | null>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const [offline, setOffline] = useState(false)
  const reload = useCallback(async () => {
    if (!path) return
    try {
      const data = await api<T>(path)
      const next = { data, at: Date.now() }
      writeJson(key, next)
      setState(next)
      setError(null)
      setFailure(null)
      setOffline(false)
    } catch (e) {
      if (e instanceof OfflineError) setOffline(true)
      else {
        setError(e instanceof Error ? e.message : String(e))
        setFailure(e)
      }
    }
  }, [path, key])
  useEffect(() => {
    setState(readJson(key, { at: null }))
    void reload()
  }, [reload, key])
  return { data: state.data, at: state.at, error, failure, offline, reload }
}

// One request at a time from a form: `busy` while it runs, its failure kept in `error` (cleared
// when the next one starts), so a screen shows "đang tải" and the server's refusal the same way.
import { useState } from "preact/hooks"

export function useBusy() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, run }
}

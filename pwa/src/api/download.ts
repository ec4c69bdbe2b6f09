// Report downloads need the bearer token, which a plain link cannot send: fetch the file, then
// hand it to the browser as a download.
import { api, ApiError } from "./http"
import { accessFresh, refresh, session } from "./session"

export async function download(path: string, filename: string): Promise<void> {
  if (!accessFresh(session.value)) await refresh()
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.value?.access ?? ""}` } })
  if (!res.ok) {
    // Let api() produce the error with the server's message.
    await api(path).catch((e: unknown) => {
      throw e instanceof ApiError ? e : new ApiError(res.status, "error", res.statusText)
    })
  }
  const url = URL.createObjectURL(await res.blob())
  const a = Object.assign(document.createElement("a"), { href: url, download: filename })
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

// An API error as a person reads it: a Vietnamese (or English) sentence of ours for the codes we
// know, the server's own sentence under it, and its per-line details ("line 5: …" → "dòng 5: …").
import { ApiError, OfflineError } from "../api/http"
import { t } from "../i18n"

/** The sentence of ours for an error (the first line of ErrorNote). */
export function errorText(e: unknown, context?: string): string {
  if (e instanceof OfflineError) return t("err.offline")
  if (e instanceof ApiError) {
    const own = context ? t(`err.${context}.${e.code}`) : ""
    if (own && own !== `err.${context}.${e.code}`) return own
    const general = t(`err.${e.code}`)
    return general === `err.${e.code}` ? t("err.other") : general
  }
  return t("err.other")
}

/** "line 5: …" from the server, as "dòng 5: …" in Vietnamese. */
export const detailText = (d: string) => d.replace(/^line (\d+):\s*/i, (_, n: string) => t("err.line", { n: String(n) }))

export function ErrorNote({ error, context }: { error: unknown; context?: string }) {
  if (!error) return null
  const server = error instanceof ApiError ? error.message : ""
  const details = error instanceof ApiError ? error.details : []
  return (
    <div class="error-note" role="alert">
      <p class="error">{errorText(error, context)}</p>
      {server && <p class="muted small">{server}</p>}
      {details.length > 0 && (
        <ul class="details" data-testid="error-details">
          {details.map((d, i) => (
            <li key={i}>{detailText(d)}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

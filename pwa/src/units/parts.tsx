// Pieces the unit screens share: a unit's row, its status tag, a search that asks the server as
// the user types, names of units by code, and Vietnamese dates with times.
import { useEffect, useState } from "preact/hooks"
import { ApiError, OfflineError } from "../api/http"
import { date, t, time } from "../i18n"
import { errorText } from "../components/ErrorNote"
import { levelWord, lineProblem, sayProblem, searchUnits, shownCode, unitName, type UnitInfo } from "./data"

/** "14:05 03/12/2026": logs and histories always say the day. */
export const moment = (at: string | number) => `${time(at)} ${date(at)}`

export function StatusTag({ status }: { status: string }) {
  if (status === "active") return null
  return (
    <span class={`tag ${status === "merged" ? "warn" : "danger"}`} data-status={status}>
      {t(`units.status.${status}`)}
    </span>
  )
}

export function UnitRow({ u, onPick }: { u: UnitInfo; onPick?: (u: UnitInfo) => void }) {
  const body = (
    <>
      <span class="row-main">
        <span class="name-line">
          <strong>{u.name}</strong>
          <StatusTag status={u.status} />
        </span>
        <span class="muted small">
          {levelWord(u.level)} · <span class="nums">{shownCode(u)}</span>
        </span>
      </span>
      <span class="chev">›</span>
    </>
  )
  return (
    <li key={u.code} data-unit={u.code}>
      {onPick ? (
        <button type="button" class="row unit-pick" onClick={() => onPick(u)}>
          {body}
        </button>
      ) : (
        <a class="row" href={`#/units/${encodeURIComponent(u.code)}`}>
          {body}
        </a>
      )}
    </li>
  )
}

export interface Search {
  text: string
  setText: (s: string) => void
  results: UnitInfo[] | null
  busy: boolean
  error: unknown
}

/** Asks the server 250 ms after the last keystroke; an empty box gives no results (null). */
export function useUnitSearch(): Search {
  const [text, setText] = useState("")
  const [results, setResults] = useState<UnitInfo[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    const q = text.trim()
    if (!q) {
      setResults(null)
      setBusy(false)
      setError(null)
      return
    }
    let live = true
    setBusy(true)
    const timer = setTimeout(() => {
      searchUnits(q).then(
        (r) => {
          if (!live) return
          setResults(r)
          setError(null)
          setBusy(false)
        },
        (e) => {
          if (!live) return
          setError(e)
          setBusy(false)
        },
      )
    }, 250)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [text])
  return { text, setText, results, busy, error }
}

export function SearchBox({ s, name = "search", label }: { s: Search; name?: string; label: string }) {
  return (
    <div class="searchbar">
      <input type="search" name={name} placeholder={label} aria-label={label} value={s.text} onInput={(e) => s.setText(e.currentTarget.value)} autoComplete="off" />
    </div>
  )
}

/** The status line of a search (busy, nothing found, offline); the rows are the caller's. */
export function SearchNote({ s }: { s: Search }) {
  if (s.error) return <p class="pad error small">{s.error instanceof OfflineError ? t("err.offline") : t("err.other")}</p>
  if (s.busy && !s.results) return <p class="pad muted small">{t("units.searching")}</p>
  if (s.results && !s.results.length) return <p class="pad muted small" data-testid="no-match">{t("units.no_match", { q: s.text.trim() })}</p>
  return null
}

/** A unit's name by its code (asked once per code), the code itself until known or when not visible. */
export function UnitName({ code, link = true }: { code: string; link?: boolean }) {
  const [name, setName] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    void unitName(code).then((n) => live && setName(n))
    return () => {
      live = false
    }
  }, [code])
  const text = name ? `${name} (${code})` : code
  return link && name ? <a href={`#/units/${encodeURIComponent(code)}`}>{text}</a> : <>{text}</>
}

/** Names of units by code, as "Xã Nga Liên (39301)" once known; the bare code until then or when not visible. */
export function useUnitNames(codes: (string | null | undefined)[]): (code: string | null | undefined) => string {
  const wanted = [...new Set(codes.filter((c): c is string => !!c))].sort()
  const [known, setKnown] = useState<Record<string, string>>({})
  const key = wanted.join("\n")
  useEffect(() => {
    let live = true
    void Promise.all(wanted.map(async (c) => [c, await unitName(c)] as const)).then((pairs) => {
      if (!live) return
      const next: Record<string, string> = {}
      for (const [c, n] of pairs) if (n) next[c] = n
      setKnown(next)
    })
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key])
  return (code) => (!code ? "—" : known[code] ? `${known[code]} (${code})` : code)
}

/**
 * A refused file (422 with `details`): the headline, then each line's problem in the app's language
 * with its number; any other failure as a sentence.
 */
export function FileProblems({ error, headline, testid }: { error: unknown; headline: string; testid: string }) {
  const lines = error instanceof ApiError ? error.details.map(lineProblem) : []
  return (
    <section class="section failure" role="alert" data-testid={testid}>
      <p class="error">{lines.length ? headline : errorText(error)}</p>
      {error instanceof ApiError && <p class="small">{sayProblem(error.message)}</p>}
      {lines.length > 0 && (
        <ul class="line-problems">
          {lines.map((l, i) => (
            <li key={i} data-line={l.line ?? ""}>
              {l.line !== null && <strong class="nums">{t("units.import.line_n", { n: l.line })}: </strong>}
              {l.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

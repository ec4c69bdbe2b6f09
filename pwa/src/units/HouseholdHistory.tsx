// A household's change history (team lead, commune officer), fetched from the server when asked
// (GET /households/{id}/history; never stored on the phone): each stored change, newest first, with
// who made it, from which device, when, and every value it changed as "Trường: cũ → mới" labelled
// as the household and person forms label them (review/fields.ts). Offline it says it needs a
// connection; a household not yet on the server has no history yet.
import { useEffect, useState } from "preact/hooks"
import { api, ApiError, OfflineError } from "../api/http"
import { session } from "../api/session"
import type { Household } from "../schema"
import { str } from "../survey/read"
import { fieldLabel, valueText, type FieldValue } from "../review/fields"
import { personName } from "../team/team"
import { ErrorNote } from "../components/ErrorNote"
import { date, num, t } from "../i18n"
import { enc, type FieldChange, type HouseholdChange } from "./data"
import { moment } from "./parts"

const SHOWN = 6

/** The label of a field path; the few the forms do not show get words of their own. */
function label(field: string, h: Household): string {
  const parts = field.split("/")
  const key = parts[parts.length - 1]
  if (field === "created_at") return t("history.created_at")
  if (field === "created_by") return t("history.created_by")
  if (parts[0] === "visits" && parts.length === 3 && (key === "at" || key === "by")) {
    const at = h.visits?.[parts[1]]?.at
    const what = t(key === "at" ? "history.visit_at" : "history.visit_by")
    return at ? t("field.of_visit", { field: what, date: date(at) }) : what
  }
  const text = fieldLabel(field, h)
  // An unknown field (a newer app's): never a raw path or message key.
  return text === field || text.includes("flag.") || /^[a-z_]+$/.test(text) ? t("history.other") : text
}

/** A value as the forms show it: times as dates, usernames as names, a duplicate as its head's name. */
function value(field: string, v: unknown, all: Record<string, Household>): string {
  const key = field.split("/").pop()!
  if (v === null || v === undefined || v === "") return t("review.empty_value")
  if ((key === "created_at" || key === "at") && typeof v === "number") return moment(v)
  if ((key === "created_by" || key === "by") && typeof v === "string") {
    const n = personName(v)
    return n === t("person.someone") ? v : n
  }
  if (key === "duplicate_of" && typeof v === "string") return str(all[v]?.head_name) || v.slice(0, 8)
  if (typeof v === "object") return t("history.other")
  return valueText(field, v as FieldValue)
}

export function HouseholdHistory({ hh, household, all = {} }: { hh: string; household: Household; all?: Record<string, Household> }) {
  const [changes, setChanges] = useState<HouseholdChange[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(true)
  const load = async () => {
    setBusy(true)
    setError(null)
    try {
      const r = await api<{ changes: HouseholdChange[] }>(`/api/v1/households/${enc(hh)}/history`)
      setChanges([...r.changes].reverse())
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  useEffect(() => {
    void load()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hh])
  const official = session.value?.user.role === "commune"
  return (
    <div class="hh-history" data-testid="history-list" data-state={busy ? "loading" : error ? "error" : "ready"}>
      {busy && !changes && <p class="muted small">{t("history.loading")}</p>}
      {error instanceof OfflineError ? (
        <p class="banner" data-testid="history-offline">
          {t("history.offline")}
        </p>
      ) : error instanceof ApiError && error.status === 404 ? (
        <p class="muted" data-testid="history-none">
          {t("history.not_on_server")}
        </p>
      ) : (
        error !== null && <ErrorNote error={error} />
      )}
      {changes && (
        <>
          <p class="muted small">{changes.length ? t("history.count", { n: num(changes.length) }) : t("history.empty")}</p>
          <ol class="changes">
            {changes.map((c, i) => (
              <Change key={`${c.at}-${i}`} c={c} h={household} all={all} />
            ))}
          </ol>
          {official && <p class="muted small">{t("history.logged")}</p>}
        </>
      )}
      {!busy && (
        <button type="button" class="btn big" name="history_reload" onClick={() => void load()}>
          {error ? t("history.retry") : t("history.reload")}
        </button>
      )}
    </div>
  )
}

function Change({ c, h, all }: { c: HouseholdChange; h: Household; all: Record<string, Household> }) {
  const [more, setMore] = useState(false)
  // Overwritten values first: they are what a reader looks for.
  const values: FieldChange[] = [...c.values.filter((v) => v.old !== null), ...c.values.filter((v) => v.old === null)]
  const shown = more ? values : values.slice(0, SHOWN)
  const who = c.display_name || c.username || t("history.server")
  const fieldsOnly = !values.length ? [...new Set(c.fields.filter((f) => f !== "*" && f.split("/").length !== 2).map((f) => label(f, h)))] : []
  return (
    <li class="change" data-user={c.username ?? ""}>
      <p class="change-head">
        <strong data-testid="change-who">{who}</strong>
        <span class="muted small">
          <span class="nums">{moment(c.at)}</span>
          {c.device_id ? ` · ${t("history.device", { id: c.device_id.slice(0, 8) })}` : ""}
        </span>
      </p>
      {values.length > 0 && (
        <ul class="values">
          {shown.map((v) => (
            <li key={v.field} data-field={v.field} class={v.old !== null ? "overwrite" : ""}>
              <span class="value-field">{label(v.field, h)}:</span> <span class="old">{value(v.field, v.old, all)}</span> <span aria-hidden="true">→</span>{" "}
              <span class="new">{value(v.field, v.new, all)}</span>
            </li>
          ))}
        </ul>
      )}
      {fieldsOnly.length > 0 && <p class="small">{t("history.fields", { fields: fieldsOnly.join(", ") })}</p>}
      {values.length > SHOWN && (
        <button type="button" class="link" onClick={() => setMore(!more)}>
          {more ? t("history.less") : t("history.more", { n: num(values.length - SHOWN) })}
        </button>
      )}
    </li>
  )
}

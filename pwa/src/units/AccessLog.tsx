// The access log (commune officer and above): officials' reads of personal data in the caller's
// area (or under `?unit=`), newest first, since a day (the last 30 days by default): who (their
// display name, from the server), role, when, what, device.
import { useState } from "preact/hooks"
import { route } from "../router"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import { num, t } from "../i18n"
import { enc, type AccessEntry } from "./data"
import { moment, useUnitNames } from "./parts"

const DAY = 24 * 3600 * 1000
/** YYYY-MM-DD in Vietnam (UTC+7), as the server counts days. */
const vnDay = (ms: number) => new Date(ms + 7 * 3600 * 1000).toISOString().slice(0, 10)

export function AccessLog() {
  const unit = new URLSearchParams(route.value.split("?")[1] ?? "").get("unit")
  const [since, setSince] = useState(() => vnDay(Date.now() - 30 * DAY))
  const path = `/api/v1/access-log?since=${enc(since)}&limit=500${unit ? `&unit=${enc(unit)}` : ""}`
  const log = useCached<AccessEntry[]>(since ? path : null)
  const rows = log.data ?? []
  const name = useUnitNames([unit, ...rows.map((e) => e.unit_code)])
  return (
    <>
      <Header title={t("access.title")} back />
      <p class="pad small muted">{t("access.intro")}</p>
      {unit && (
        <p class="pad small" data-testid="unit-name">
          {t("access.in", { name: name(unit) })}
        </p>
      )}
      <label class="field pad">
        <span class="field-label">{t("access.since")}</span>
        <input type="date" name="since" value={since} max={vnDay(Date.now())} onChange={(e) => setSince(e.currentTarget.value)} />
      </label>
      {log.offline && <p class="banner">{t("cache.offline")}</p>}
      {log.failure !== null && (
        <div class="pad">
          <ErrorNote error={log.failure} />
        </div>
      )}
      {log.data && (
        <section class="section" data-testid="access-log">
          {rows.length ? (
            <>
              <h2>{t("access.count", { n: num(rows.length) })}</h2>
              <ul class="rows flush log">
                {rows.map((e, i) => (
                  <li key={i} data-action={e.action} data-user={e.username}>
                    <div class="log-line">
                      <span class="name-line">
                        <strong>{e.display_name || e.username}</strong>
                        <span class="tag">{t(`role.${e.role}`)}</span>
                      </span>
                      <span>{t(`access.action.${["village_document", "household_history", "raw_data"].includes(e.action) ? e.action : "other"}`, { unit: name(e.unit_code) })}</span>
                      <span class="muted small">
                        <span class="nums">{moment(e.at)}</span> · {t("access.device", { id: e.device_id.slice(0, 8) })}
                      </span>
                    </div>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted" data-testid="access-empty">
              {t("access.empty", { date: `${since.slice(8, 10)}/${since.slice(5, 7)}/${since.slice(0, 4)}` })}
            </p>
          )}
        </section>
      )}
      {!log.data && !log.offline && log.failure === null && <p class="empty">{t("loading")}</p>}
    </>
  )
}

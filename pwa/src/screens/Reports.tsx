// The district's (and the province's) view of the Friday reports (issue 15): for a week, every
// commune under the caller's unit — sent on time, late, or not yet — when and by whom, and how many
// of the campaign's weeks came on time; tapping a commune opens its report. Kept for offline
// reading like every list.
import { signal } from "@preact/signals"
import { session } from "../api/session"
import type { Campaign, Unit } from "../api/types"
import { useCached } from "../hooks/useCached"
import { go, route } from "../router"
import { Header } from "../components/Header"
import { ErrorNote } from "../components/ErrorNote"
import type { WeeklyReports } from "../weekly/types"
import { mondayOf, thisWeek, validDay, vnMoment, weekChoices, type Standing } from "../weekly/week"
import { weekLabel } from "../weekly/format"
import { num, pct, when } from "../i18n"
import { t } from "../weekly/i18n"

type Filter = "all" | Standing["status"]
const FILTERS: Filter[] = ["all", "not_yet", "late", "on_time"]
const filter = signal<Filter>("all")
const enc = encodeURIComponent

export function Reports() {
  const user = session.value!.user
  const q = new URLSearchParams(route.value.split("?")[1] ?? "")
  const week = mondayOf(validDay(q.get("week")) ?? thisWeek())
  // An admin has no scope: the first province, as the dashboard does.
  const provinces = useCached<Unit[]>(user.scope_unit ? null : "/api/v1/units?level=province")
  const root = q.get("unit") ?? user.scope_unit ?? provinces.data?.[0]?.code
  const overview = useCached<WeeklyReports>(root ? `/api/v1/units/${enc(root)}/weekly-reports?week=${week}` : null)
  const unit = useCached<Unit>(root ? `/api/v1/units/${enc(root)}` : null)
  const campaigns = useCached<Campaign[]>("/api/v1/campaigns")
  const current = campaigns.data?.find((c) => c.current)
  const weeks = weekChoices(current?.start_date ?? current?.baseline_date)
  if (!weeks.includes(week)) weeks.push(week)
  const o = overview.data?.week === week ? overview.data : undefined
  const list = o?.communes ?? []
  const counts = Object.fromEntries(FILTERS.map((f) => [f, f === "all" ? list.length : list.filter((c) => c.status === f).length])) as Record<Filter, number>
  const shown = filter.value === "all" ? list : list.filter((c) => c.status === filter.value)
  const past = o ? Date.now() > Date.parse(o.deadline) : false
  const pick = (w: string) => go(`/reports?week=${w}${q.get("unit") ? `&unit=${enc(q.get("unit")!)}` : ""}`, true)
  return (
    <>
      <Header title={t("weekly.reports_title")} />
      <section class="section">
        {unit.data && <h2>{unit.data.name}</h2>}
        <label class="field">
          <span class="field-label">{t("weekly.week")}</span>
          <select name="week" value={week} onChange={(e) => pick(e.currentTarget.value)}>
            {weeks.map((x) => (
              <option key={x} value={x}>
                {weekLabel(x)}
                {x === thisWeek() ? ` ${t("weekly.this_week_mark")}` : ""}
              </option>
            ))}
          </select>
        </label>
        {o && (
          <>
            <p class="nums">{t("weekly.deadline", { deadline: vnMoment(o.deadline) })}</p>
            <p data-testid="reports-summary">
              {t("weekly.reports_summary", { sent: counts.on_time + counts.late, total: list.length, on_time: counts.on_time, late: counts.late })}
            </p>
          </>
        )}
      </section>
      {overview.offline && overview.at && <p class="muted pad small">{t("weekly.cached", { when: when(overview.at) })}</p>}
      {!o && overview.failure ? (
        <div class="pad">
          <ErrorNote error={overview.failure} />
        </div>
      ) : null}
      {!o && !overview.failure && <p class="muted pad">{overview.offline ? t("weekly.offline") : t("loading")}</p>}
      {o && (
        <>
          <div class="chips" role="tablist">
            {FILTERS.map((f) => (
              <button type="button" role="tab" key={f} aria-selected={filter.value === f} class={filter.value === f ? "chip on" : "chip"} data-filter={f} onClick={() => (filter.value = f)}>
                {t(`weekly.filter.${f}`)} <span class="count">{num(counts[f])}</span>
              </button>
            ))}
          </div>
          <ul class="rows reports" data-testid="reports">
            {shown.map((c) => (
              <li key={c.code} data-commune={c.code} data-status={c.status}>
                <a class="row" href={`#/weekly/${enc(c.code)}/${week}`}>
                  <span class="row-main">
                    <strong>{c.name}</strong>
                    <span class="muted small wrap">
                      {c.submitted_at ? t("weekly.sent_at", { when: vnMoment(c.submitted_at), by: c.submitted_by_name ?? "—" }) : t(past ? "weekly.not_sent_overdue" : "weekly.not_sent")}
                    </span>
                    <span class="small wrap" data-testid="on-time-rate">
                      {c.due_weeks
                        ? t("weekly.on_time_rate", { n: c.on_time_weeks, of: c.due_weeks, pct: pct(c.on_time_weeks / c.due_weeks) })
                        : t("weekly.on_time_rate_none")}
                    </span>
                  </span>
                  <span class="row-side">
                    <StatusTag status={c.status} deadlinePassed={past} />
                  </span>
                  <span class="chev" aria-hidden="true">
                    ›
                  </span>
                </a>
              </li>
            ))}
            {!shown.length && <p class="empty">{t("weekly.reports_none")}</p>}
          </ul>
        </>
      )}
    </>
  )
}

export function StatusTag({ status, deadlinePassed }: { status: Standing["status"]; deadlinePassed: boolean }) {
  const cls = status === "on_time" ? "t-ok" : status === "late" ? "t-warn" : deadlinePassed ? "t-danger" : "t-none"
  return (
    <span class={`status ${cls}`} data-testid="status-tag">
      {t(`weekly.status.${status}`)}
    </span>
  )
}


// Commune, district, province: the 16 indicators of their unit and each child unit against
// targets (one colour per cell, "before" beside "now" when the campaign has a baseline), survey
// progress with a small chart, and the XLSX/CSV reports. When the indicators endpoint does not
// answer (an older server, or offline with nothing cached) the screen says so and lists the units.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import type { IndicatorTable, IndicatorValue, Unit, UnitIndicators, UnitProgress } from "../api/types"
import { download } from "../api/download"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { DayChart } from "../components/DayChart"
import { date, num, pct, t, when } from "../i18n"

const INDICATORS = Array.from({ length: 16 }, (_, i) => i + 1)

export function Dashboard() {
  const scope = session.value!.user.scope_unit
  const unit = useCached<Unit & { children: Unit[] }>(scope ? `/api/v1/units/${encodeURIComponent(scope)}` : null)
  const provinces = useCached<Unit[]>(scope ? null : "/api/v1/units?level=province")
  const root = scope ?? provinces.data?.[0]?.code
  const level = unit.data?.level ?? "province"
  const table = useCached<IndicatorTable>(root ? `/api/v1/units/${encodeURIComponent(root)}/indicators` : null)
  const progress = useCached<UnitProgress>(root && (level === "commune" || level === "village") ? `/api/v1/units/${encodeURIComponent(root)}/progress` : null)
  const units: Unit[] = unit.data ? [unit.data, ...unit.data.children] : (provinces.data ?? [])
  const report = table.data?.unit ? table.data : undefined
  const [error, setError] = useState<string | null>(null)
  const get = (file: string) => root && download(`/api/v1/units/${encodeURIComponent(root)}/${file}`, `${root}-${file}`).catch((e) => setError(String(e.message ?? e)))
  return (
    <>
      <Header title={t("dash.title")} />
      {report ? (
        <>
          <Summary u={report.unit} />
          <IndicatorGrid report={report} />
          <p class="muted pad small">
            {table.at && t("dash.as_of", { when: when(table.at) })}
            {report.baseline ? ` · ${t("dash.baseline", { date: date(report.baseline) })}` : ""}
          </p>
        </>
      ) : (
        <p class="banner info" data-testid="indicators-unavailable">
          {table.offline ? t("dash.offline") : t("dash.not_available")}
        </p>
      )}
      {progress.data && progress.data.by_day.length > 0 && (
        <section class="section">
          <h2>{t("dash.per_day")}</h2>
          <DayChart days={progress.data.by_day} />
        </section>
      )}
      {report && (
        <section class="section">
          <h2>{t("dash.reports")}</h2>
          <div class="seg wrap">
            <button type="button" class="btn" onClick={() => get("report.xlsx")}>
              XLSX
            </button>
            <button type="button" class="btn" onClick={() => get("report.csv")}>
              CSV
            </button>
            {level === "commune" && (
              <button type="button" class="btn" onClick={() => get("weekly.xlsx")}>
                {t("dash.weekly")}
              </button>
            )}
          </div>
          {error && <p class="error">{error}</p>}
        </section>
      )}
      <section class="section">
        <h2>{t("dash.units")}</h2>
        <ul class="rows compact">
          {units.map((u) => (
            <li key={u.code} class="row">
              <span class="row-main">
                <strong>{u.name}</strong>
                <span class="muted small">
                  {u.code} · {t(`level.${u.level}`)}
                </span>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </>
  )
}

function Summary({ u }: { u: UnitIndicators }) {
  if (u.households_known === undefined) return null
  return (
    <p class="pad">
      {t("dash.summary", { visited: u.households_visited ?? 0, known: u.households_known, persons: u.persons_surveyed ?? 0 })}
    </p>
  )
}

function IndicatorGrid({ report }: { report: IndicatorTable }) {
  const columns: UnitIndicators[] = [report.unit, ...(report.children ?? [])]
  const cell = (u: UnitIndicators, id: number) => u.indicators.find((x) => x.id === id)
  return (
    <div class="table-wrap">
      <table class="indicators">
        <thead>
          <tr>
            <th class="ind-name">{t("dash.indicator")}</th>
            <th>{t("dash.target")}</th>
            {columns.map((u) => (
              <th key={u.code}>{u.name}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {INDICATORS.map((id) => {
            const target = columns.map((u) => cell(u, id)?.target).find((x) => x !== null && x !== undefined)
            return (
              <tr key={id} data-indicator={id}>
                <th class="ind-name">
                  {id}. {t(`ind.${id}`)}
                </th>
                <td>{target !== undefined && target !== null ? pct(target) : "—"}</td>
                {columns.map((u) => (
                  <Cell key={u.code} v={cell(u, id)} />
                ))}
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/** Green: target met; amber: within 10 points; red: further; grey: nothing counted. */
function tone(v: IndicatorValue): string {
  if (v.rate === null) return "c-none"
  if (v.met === true) return "c-met"
  if (v.target === null) return "c-none"
  return v.rate >= v.target - 0.1 ? "c-near" : "c-miss"
}

function Cell({ v }: { v: IndicatorValue | undefined }) {
  if (!v) return <td class="c-none">—</td>
  return (
    <td class={tone(v)} data-rate={v.rate ?? ""}>
      {v.rate === null ? "—" : pct(v.rate)}
      <span class="frac">
        {num(v.numerator)}/{num(v.denominator)}
      </span>
      {v.baseline && v.baseline.rate !== null && <span class="frac">{t("dash.before", { rate: pct(v.baseline.rate) })}</span>}
    </td>
  )
}

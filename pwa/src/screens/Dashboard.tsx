// Commune, district, province: the 16 indicators of their unit and each child unit against
// targets, "before" (the campaign's baseline) beside "now" in every cell with the change, a
// campaign picker (the server's current campaign by default) and an "as of" day, survey progress
// with a small chart, and the XLSX/CSV reports. Downloads ask for exactly the campaign, baseline
// and day the table on screen was answered with, so a file has the same "Trước" figures as the
// screen. When the indicators endpoint does not answer (an older server, or offline with nothing
// cached) the screen says so and lists the units.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import type { Campaign, IndicatorTable, Unit, UnitIndicators, UnitProgress } from "../api/types"
import { download } from "../api/download"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { DayChart } from "../components/DayChart"
import { IndicatorGrid } from "../components/IndicatorGrid"
import { FigureControls } from "../components/FigureControls"
import { t, when } from "../i18n"

/** `?campaign=…&as_of=…&baseline=…` with only the parts that are set. */
function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ""
}

export function Dashboard() {
  const scope = session.value!.user.scope_unit
  const unit = useCached<Unit & { children: Unit[] }>(scope ? `/api/v1/units/${encodeURIComponent(scope)}` : null)
  const provinces = useCached<Unit[]>(scope ? null : "/api/v1/units?level=province")
  const campaigns = useCached<Campaign[]>("/api/v1/campaigns")
  // null: whatever the server has as current; "": now.
  const [picked, setPicked] = useState<number | null>(null)
  const [asOf, setAsOf] = useState("")
  const root = scope ?? provinces.data?.[0]?.code
  const level = unit.data?.level ?? "province"
  const base = root ? `/api/v1/units/${encodeURIComponent(root)}` : null
  const table = useCached<IndicatorTable>(base && `${base}/indicators${query({ campaign: picked, as_of: asOf })}`)
  const progress = useCached<UnitProgress>(base && (level === "commune" || level === "village") ? `${base}/progress` : null)
  const units: Unit[] = unit.data ? [unit.data, ...unit.data.children] : (provinces.data ?? [])
  const report = table.data?.unit ? table.data : undefined
  const shown = report?.campaign?.id ?? picked ?? campaigns.data?.find((c) => c.current)?.id ?? null
  const [error, setError] = useState<string | null>(null)
  // The figures on screen as the server answered them: the same campaign, baseline and day.
  const same = query({ campaign: report?.campaign?.id, baseline: report?.baseline, as_of: report?.as_of })
  const get = (file: string) =>
    base && download(`${base}/${file}${same}`, `${root}-${report?.as_of ?? "hien-tai"}-${file}`).catch((e) => setError(String(e.message ?? e)))
  return (
    <>
      <Header title={t("dash.title")} />
      {report && <Summary u={report.unit} />}
      <FigureControls
        campaigns={campaigns.data}
        shown={shown}
        onCampaign={setPicked}
        asOf={asOf}
        onAsOf={setAsOf}
        baseline={report?.baseline ?? null}
      />
      {report ? (
        <>
          <IndicatorGrid report={report} />
          <p class="muted pad small">{table.at && t("dash.as_of", { when: when(table.at) })}</p>
        </>
      ) : table.error || table.offline ? (
        <p class="banner info" data-testid="indicators-unavailable">
          {table.offline ? t("dash.offline") : t("dash.not_available")}
        </p>
      ) : (
        <p class="muted pad">{t("loading")}</p>
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
            {level === "commune" && (
              <a class="btn" href="#/weekly" data-action="friday-report">
                {t("weekly.open_report")}
              </a>
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

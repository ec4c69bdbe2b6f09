// The officials' console (commune, district, province, admin): the 16 indicators of a unit and
// of the units compared under it against targets, "before" (the campaign's baseline) beside
// "now" in every cell with the change, a campaign picker (the server's current one by default)
// and an "as of" day, survey progress with a small chart, and the XLSX/CSV reports.
//
// `#/dash` is the user's own unit (an admin's: the first province); `#/dash/CODE` any unit of
// their area, reached by tapping a unit (a column heading, the ranking, the list under the
// table) and left by the breadcrumb above it. The address also holds the view, so a reload or
// "back" keeps it: `level=` (the province compares its districts, or every commune with its
// district as a label; the district its communes or every village), `sort=ID` (the unit columns
// ordered by that indicator's current rate) and `view=rank` (the units ranked by that indicator,
// met or not against the target). Downloads ask for exactly the campaign, baseline, day and
// level the table on screen was answered with, so a file has the same figures as the screen.
// A unit outside the area, or a view the server refuses, shows the server's answer.
import { useState } from "preact/hooks"
import { session } from "../api/session"
import type { Campaign, Unit, UnitIndicators, UnitProgress } from "../api/types"
import { download } from "../api/download"
import { useCached } from "../hooks/useCached"
import { go, route } from "../router"
import { Header } from "../components/Header"
import { DayChart } from "../components/DayChart"
import { ErrorNote } from "../components/ErrorNote"
import { IndicatorGrid } from "../components/IndicatorGrid"
import { FigureControls } from "../components/FigureControls"
import { Breadcrumb, useChain } from "../dash/Breadcrumb"
import { Ranking } from "../dash/Ranking"
import { indicatorTitle, readView, unitHref, viewQuery, type View } from "../dash/format"
import { LEVELS, type CatalogueEntry, type DrillTable, type UnitWithChildren } from "../dash/types"
import { t, when } from "../i18n"

/** `?campaign=…&as_of=…&baseline=…` with only the parts that are set. */
function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ""
}

const OFFICIALS = ["team_lead", "commune", "district", "province", "admin"]

export function Dashboard({ code }: { code?: string }) {
  if (!OFFICIALS.includes(session.value!.user.role))
    return (
      <>
        <Header title={t("dash.title")} />
        <p class="banner info" data-testid="not-for-role">
          {t("drill.not_for_role")}
        </p>
      </>
    )
  return <Console code={code} />
}

/**
 * What the unit can compare: its children as the server gives them (null), or every unit of a
 * deeper level under it — the province down to communes, the district down to villages.
 */
function levelOptions(level: string | undefined, childLevel: string | undefined): (string | null)[] {
  const deepest = level === "province" ? "commune" : level === "district" ? "village" : null
  if (!deepest || !childLevel) return []
  const out: (string | null)[] = [null]
  for (let i = LEVELS.indexOf(childLevel as (typeof LEVELS)[number]) + 1; i > 0 && i <= LEVELS.indexOf(deepest); i++) out.push(LEVELS[i])
  return out.length > 1 ? out : []
}

function Console({ code }: { code?: string }) {
  const scope = session.value!.user.scope_unit
  const view = readView(route.value)
  const here = route.value.split("?")[0]
  const setView = (v: Partial<View>) => go(`${here}${viewQuery({ ...view, ...v })}`, true)

  const provinces = useCached<Unit[]>(code || scope ? null : "/api/v1/units?level=province")
  const root = code ?? scope ?? provinces.data?.[0]?.code ?? null
  const base = root ? `/api/v1/units/${encodeURIComponent(root)}` : null
  const unit = useCached<UnitWithChildren>(base)
  const campaigns = useCached<Campaign[]>("/api/v1/campaigns")
  const catalogue = useCached<CatalogueEntry[]>("/api/v1/indicators")
  // null: whatever the server has as current; "": now.
  const [picked, setPicked] = useState<number | null>(null)
  const [asOf, setAsOf] = useState("")
  const [error, setError] = useState<string | null>(null)

  const here_unit = unit.data?.code === root ? unit.data : undefined
  const unitLevel = here_unit?.level
  const childLevel = here_unit?.children.find((c) => c.status === "active")?.level ?? (unitLevel ? LEVELS[LEVELS.indexOf(unitLevel as (typeof LEVELS)[number]) + 1] : undefined)
  const options = levelOptions(unitLevel, childLevel)
  const level = view.level && options.includes(view.level) ? view.level : null

  const table = useCached<DrillTable>(base && `${base}/indicators${query({ campaign: picked, as_of: asOf, level })}`)
  const progress = useCached<UnitProgress>(base && (unitLevel === "commune" || unitLevel === "village") ? `${base}/progress` : null)
  const report = table.data?.unit && table.data.unit.code === root ? table.data : undefined
  const shown = report?.campaign?.id ?? picked ?? campaigns.data?.find((c) => c.current)?.id ?? null
  const chain = useChain(here_unit, scope ?? null)
  const name = report?.unit.name ?? here_unit?.name

  // The figures on screen as the server answered them: the same campaign, baseline, day and level.
  const same = query({ campaign: report?.campaign?.id, baseline: report?.baseline, as_of: report?.as_of, level })
  const get = (file: string) =>
    base &&
    download(`${base}/${file}${same}`, `${root}${level ? `-${level}` : ""}-${report?.as_of ?? "hien-tai"}-${file}`).catch((e) =>
      setError(String(e.message ?? e)),
    )
  const failure = table.failure ?? unit.failure
  // The units of the table, in its order; before it answers, the unit's children.
  const listed: { code: string; official_code?: string; name: string; level?: string; parent_code?: string | null; parent_name?: string | null }[] = report
    ? report.children
    : (here_unit?.children ?? [])

  return (
    <>
      <header class="top dash-top">
        <div class="dash-head">
          <Breadcrumb chain={chain} view={view} />
          <h1 aria-current={chain.length > 1 ? "page" : undefined}>{name ?? t("dash.title")}</h1>
        </div>
      </header>
      {report && <Summary u={report.unit} />}
      <FigureControls
        campaigns={campaigns.data}
        shown={shown}
        onCampaign={setPicked}
        asOf={asOf}
        onAsOf={setAsOf}
        baseline={report?.baseline ?? null}
      >
        {options.length > 0 && (
          <div class="field" data-testid="level-choice">
            <span class="field-label">{t("drill.compare")}</span>
            <div class="seg" role="group">
              {options.map((l) => (
                <button
                  key={l ?? ""}
                  type="button"
                  class={l === level ? "on" : ""}
                  aria-pressed={l === level}
                  data-level={l ?? ""}
                  onClick={() => setView({ level: l })}
                >
                  {t(`drill.level.${l ?? childLevel}`)}
                </button>
              ))}
            </div>
          </div>
        )}
        <label class="field">
          <span class="field-label">{t("drill.sort_by")}</span>
          <select name="sort" value={view.sort ?? ""} onChange={(e) => setView({ sort: Number(e.currentTarget.value) || null })}>
            <option value="">{t("drill.sort_none")}</option>
            {(report?.unit.indicators.map((v) => v.id) ?? Array.from({ length: 16 }, (_, i) => i + 1)).map((id) => (
              <option key={id} value={id}>
                {id}. {indicatorTitle(id, catalogue.data)}
              </option>
            ))}
          </select>
        </label>
        <div class="seg" role="group" data-testid="view-choice">
          <button type="button" class={view.rank ? "" : "on"} aria-pressed={!view.rank} data-view="table" onClick={() => setView({ rank: false })}>
            {t("drill.view_table")}
          </button>
          <button type="button" class={view.rank ? "on" : ""} aria-pressed={view.rank} data-view="rank" onClick={() => setView({ rank: true })}>
            {t("drill.view_rank")}
          </button>
        </div>
      </FigureControls>
      {report ? (
        view.rank ? (
          view.sort ? (
            <Ranking report={report} id={view.sort} catalogue={catalogue.data} view={view} />
          ) : (
            <p class="banner info" data-testid="rank-pick">
              {t("drill.rank_pick")}
            </p>
          )
        ) : (
          <>
            {!view.sort && <p class="muted small pad hint">{t("drill.sort_hint")}</p>}
            <IndicatorGrid report={report} catalogue={catalogue.data} sort={view.sort} onSort={(id) => setView({ sort: id })} view={view} />
            <p class="muted pad small">{table.at && t("dash.as_of", { when: when(table.at) })}</p>
          </>
        )
      ) : failure ? (
        <div class="pad" data-testid="indicators-unavailable">
          <ErrorNote error={failure} context="dash" />
        </div>
      ) : table.offline || unit.offline ? (
        <p class="banner info" data-testid="indicators-unavailable">
          {t("dash.offline")}
        </p>
      ) : table.error || unit.error ? (
        <p class="banner info" data-testid="indicators-unavailable">
          {t("drill.not_available")}
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
            {unitLevel === "commune" && (
              <button type="button" class="btn" onClick={() => get("weekly.xlsx")}>
                {t("dash.weekly")}
              </button>
            )}
            {unitLevel === "commune" && (
              <a class="btn" href="#/weekly" data-action="friday-report">
                {t("weekly.open_report")}
              </a>
            )}
          </div>
          {error && <p class="error">{error}</p>}
        </section>
      )}
      {(here_unit || listed.length > 0) && (
        <section class="section" data-testid="unit-list">
          <h2>{t("dash.units")}</h2>
          <ul class="rows compact">
            {here_unit && (
              <li class="row">
                <span class="row-main">
                  <strong>{here_unit.name}</strong>
                  <span class="muted small">
                    {here_unit.official_code ?? here_unit.code} · {t(`level.${here_unit.level}`)}
                  </span>
                </span>
              </li>
            )}
            {listed.map((u) => (
              <li key={u.code}>
                <a class="row" href={unitHref(u.code, view)} data-unit-row={u.code}>
                  <span class="row-main">
                    <strong>{u.name}</strong>
                    <span class="muted small">
                      {u.official_code ?? u.code}
                      {u.level ? ` · ${t(`level.${u.level}`)}` : ""}
                      {u.parent_name && u.parent_code !== root ? ` · ${u.parent_name}` : ""}
                    </span>
                  </span>
                  <span class="chev" aria-hidden="true">
                    ›
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!scope && !code && (provinces.data?.length ?? 0) > 1 && (
        <section class="section">
          <h2>{t("drill.units_other")}</h2>
          <ul class="rows compact">
            {provinces.data!.map((p) => (
              <li key={p.code}>
                <a class="row" href={unitHref(p.code, view)} data-unit-row={p.code}>
                  <span class="row-main">
                    <strong>{p.name}</strong>
                    <span class="muted small">{p.official_code ?? p.code}</span>
                  </span>
                  <span class="chev" aria-hidden="true">
                    ›
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
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

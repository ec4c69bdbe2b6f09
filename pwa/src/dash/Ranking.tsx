// The ranking of the compared units by one indicator: highest current rate first (units without
// a figure last), each with its rate, a bar against the target and "Đạt" / "Chưa đạt" as the
// server judged it (`met`). One line per unit, so it reads at 360 px; a unit opens its table.
import { pct, t } from "../i18n"
import { indicatorTitle, sortUnits, statusText, targetWording, unitHref, valueOf, type View } from "./format"
import type { CatalogueEntry, DrillTable, DrillValue } from "./types"

function Verdict({ v }: { v: DrillValue | undefined }) {
  if (v?.met === true) return <span class="tag ok verdict">{t("drill.met")}</span>
  if (v?.met === false) return <span class="tag danger verdict">{t("drill.not_met")}</span>
  return <span class="tag verdict">{t("drill.no_data")}</span>
}

/** The rate as a bar, with a tick at the target. */
function Bar({ v }: { v: DrillValue | undefined }) {
  const rate = v?.rate ?? null
  const target = v?.target ?? null
  return (
    <span class="rank-bar" aria-hidden="true">
      {rate !== null && <span class={`fill${v?.met ? " ok" : ""}`} style={{ width: `${Math.min(100, Math.max(0, rate * 100))}%` }} />}
      {target !== null && <i style={{ left: `${Math.min(100, Math.max(0, target * 100))}%` }} />}
    </span>
  )
}

const figure = (v: DrillValue | undefined) => (v?.rate !== null && v?.rate !== undefined ? pct(v.rate) : v?.status ? statusText(v.status) : "—")

export function Ranking({ report, id, catalogue, view }: { report: DrillTable; id: number; catalogue?: CatalogueEntry[]; view: Partial<View> }) {
  const entry = catalogue?.find((c) => c.id === id)
  const units = sortUnits(report.children ?? [], id)
  const whole = valueOf(report.unit, id)
  const met = units.filter((u) => valueOf(u, id)?.met === true).length
  return (
    <section class="section ranking" data-testid="ranking" data-indicator={id}>
      <h2>
        {id}. {indicatorTitle(id, catalogue)}
      </h2>
      <p class="muted small">
        {t("drill.target_is", { text: targetWording(whole?.target, entry) })} · {t("drill.rank_summary", { met, n: units.length })}
      </p>
      <div class="rank-whole" data-unit={report.unit.code} data-rate={whole?.rate ?? ""}>
        <span class="rank-main">
          <span class="muted small">{t(`drill.whole.${report.unit.level ?? "unit"}`)}</span>
          <strong>{report.unit.name}</strong>
          <Bar v={whole} />
        </span>
        <span class="rank-side">
          <strong class="nums">{figure(whole)}</strong>
          <Verdict v={whole} />
        </span>
      </div>
      <ol class="rank-list">
        {units.map((u, i) => {
          const v = valueOf(u, id)
          return (
            <li key={u.code} data-unit={u.code} data-rate={v?.rate ?? ""} data-met={v?.met === null || v?.met === undefined ? "" : String(v.met)}>
              <a class="rank-row" href={unitHref(u.code, view)}>
                <span class="rank-no nums">{v?.rate === null || v?.rate === undefined ? "–" : i + 1}</span>
                <span class="rank-main">
                  <strong>{u.name}</strong>
                  {u.parent_name && u.parent_code !== report.unit.code && <span class="muted small">{u.parent_name}</span>}
                  <Bar v={v} />
                </span>
                <span class="rank-side">
                  <strong class="nums">{figure(v)}</strong>
                  <Verdict v={v} />
                </span>
              </a>
            </li>
          )
        })}
      </ol>
    </section>
  )
}

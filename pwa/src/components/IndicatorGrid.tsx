// The indicator table of a unit and its children: one row per indicator, one cell per unit with
// "before" (the campaign's baseline) and "now" (or the as-of day) side by side, the change in
// percentage points under them, and the cell coloured by "now" against the target. Each number
// is kept on one line (nowrap): the table scrolls sideways instead of breaking a value.
import type { IndicatorTable, IndicatorValue, UnitIndicators } from "../api/types"
import { num, pct, t } from "../i18n"

const INDICATORS = Array.from({ length: 16 }, (_, i) => i + 1)

const pointsFormat = new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" })
/** A change of rate as vi-VN percentage points: +25,1. */
export const points = (delta: number) => pointsFormat.format(delta * 100)

export function IndicatorGrid({ report }: { report: IndicatorTable }) {
  const columns: UnitIndicators[] = [report.unit, ...(report.children ?? [])]
  const cell = (u: UnitIndicators, id: number) => u.indicators.find((x) => x.id === id)
  const hasBefore = !!report.baseline
  const nowLabel = report.as_of ? t("dash.after_col") : t("dash.now_col")
  return (
    <div class="table-wrap">
      <table class="indicators">
        <thead>
          <tr>
            <th class="ind-name" rowSpan={2}>
              {t("dash.indicator")}
            </th>
            <th class="target" rowSpan={2}>
              {t("dash.target")}
            </th>
            {columns.map((u) => (
              <th key={u.code} class="unit-head">
                {u.name}
              </th>
            ))}
          </tr>
          <tr class="sub-head">
            {columns.map((u) => (
              <th key={u.code}>
                <span class="pair">
                  {hasBefore && <span class="was">{t("dash.before_col")}</span>}
                  <span class="now">{nowLabel}</span>
                </span>
              </th>
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
                  <Cell key={u.code} v={cell(u, id)} hasBefore={hasBefore} />
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

function Cell({ v, hasBefore }: { v: IndicatorValue | undefined; hasBefore: boolean }) {
  if (!v) return <td class="c-none">—</td>
  const before = v.baseline?.rate ?? null
  const delta = before !== null && v.rate !== null ? v.rate - before : null
  return (
    <td class={tone(v)} data-rate={v.rate ?? ""} data-before={before ?? ""}>
      <span class="pair">
        {hasBefore && <span class="was">{before === null ? "—" : pct(before)}</span>}
        <strong class="now">{v.rate === null ? "—" : pct(v.rate)}</strong>
      </span>
      {delta !== null && (
        <span class={`delta${delta > 0 ? " up" : delta < 0 ? " down" : ""}`} data-testid="change">
          {t("dash.change", { delta: points(delta) })}
        </span>
      )}
      <span class="frac">
        {num(v.numerator)}/{num(v.denominator)}
      </span>
    </td>
  )
}

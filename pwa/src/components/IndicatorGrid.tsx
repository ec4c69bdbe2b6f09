import { Fragment } from "preact"
// The indicator table of a unit and the units compared under it: one row per indicator, one
// column per unit with "before" (the campaign's baseline) and "now" (or the as-of day) side by
// side, the change in percentage points under them, and the cell coloured by "now" against the
// target. The unit's own column comes first; the others are links that open that unit's table
// (#/dash/CODE) and can be ordered by one indicator (tap its name): highest rate first, units
// without a figure last, with a mark on the row sorted by. A declared indicator shows a
// commune's status as text ("Chưa có") and, above the commune, how many communes reported.
// The target column words targets as the plans do ("80% trở lên").
// Each number is kept on one line (nowrap): the table scrolls sideways inside its own box
// instead of breaking a value, under the indicator names, which stay on top (dash/dash.css).
import type { IndicatorTable } from "../api/types"
import type { CatalogueEntry, DrillTable, DrillUnit, DrillValue } from "../dash/types"
import { differsFromDefault, indicatorTitle, sortUnits, statusText, targetWording, unitHref, valueOf, type View } from "../dash/format"
import { num, pct, t } from "../i18n"

const pointsFormat = new Intl.NumberFormat("vi-VN", { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: "exceptZero" })
/** A change of rate as vi-VN percentage points: +25,1. */
export const points = (delta: number) => pointsFormat.format(delta * 100)

interface Props {
  report: IndicatorTable | DrillTable
  /** GET /api/v1/indicators: the target wording and which indicators are declared */
  catalogue?: CatalogueEntry[]
  /** the indicator the unit columns are ordered by (null: the server's order) */
  sort?: number | null
  /** tapping an indicator's name: order by it (null: back to the list order) */
  onSort?: (id: number | null) => void
  /** kept in the links to other units (their table opens sorted the same way) */
  view?: Partial<View>
}

export function IndicatorGrid({ report, catalogue, sort = null, onSort, view = {} }: Props) {
  const table = report as DrillTable
  const own = table.unit
  const others = sortUnits(table.children ?? [], sort)
  const columns: DrillUnit[] = [own, ...others]
  const hasBefore = !!report.baseline
  const nowLabel = report.as_of ? t("dash.after_col") : t("dash.now_col")
  // The model's 16 and any indicator the province added as data, in the server's order.
  const ids = own.indicators.map((v) => v.id)
  return (
    <div class="table-wrap" data-testid="indicator-table">
      <table class="indicators" data-sort={sort ?? ""}>
        <thead>
          <tr>
            <th class="ind-name" rowSpan={2}>
              {t("dash.indicator")}
            </th>
            <th class="target" rowSpan={2}>
              {t("dash.target")}
            </th>
            <th class="unit-head own" data-unit={own.code}>
              {own.name}
            </th>
            {others.map((u) => (
              <th key={u.code} class="unit-head" data-unit={u.code}>
                <a class="unit-link" href={unitHref(u.code, view)} data-unit-link={u.code}>
                  <span class="unit-name">{u.name}</span>
                  {u.parent_name && u.parent_code !== own.code && <span class="unit-parent">{u.parent_name}</span>}
                </a>
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
          {ids.map((id, i) => {
            const entry = catalogue?.find((c) => c.id === id)
            const section = sectionOf(id, catalogue)
            const startsSection = i === 0 || section !== sectionOf(ids[i - 1], catalogue)
            const rowTarget = valueOf(own, id)?.target ?? columns.map((u) => valueOf(u, id)?.target).find((x) => x !== null && x !== undefined) ?? null
            const sorted = sort === id
            const row = (
              <tr key={id} data-indicator={id} data-sorted={sorted ? "desc" : undefined} class={sorted ? "sorted" : undefined}>
                <th class="ind-name" scope="row">
                  {onSort ? (
                    <button
                      type="button"
                      class="sort-btn"
                      data-sort-indicator={id}
                      aria-pressed={sorted}
                      onClick={() => onSort(sorted ? null : id)}
                    >
                      <span>
                        {id}. {indicatorTitle(id, catalogue)}
                      </span>
                      {sorted && (
                        <span class="sort-mark" data-testid="sort-mark" aria-label={t("drill.sorted", { id: String(id) })}>
                          ▼
                        </span>
                      )}
                    </button>
                  ) : (
                    <>
                      {id}. {indicatorTitle(id, catalogue)}
                    </>
                  )}
                </th>
                <td class="target-text" data-target={rowTarget ?? ""} data-custom={differsFromDefault(rowTarget, entry) ? "" : undefined}>
                  {targetWording(rowTarget, entry)}
                </td>
                {columns.map((u) => (
                  <Cell key={u.code} unit={u} v={valueOf(u, id)} hasBefore={hasBefore} rowTarget={rowTarget} />
                ))}
              </tr>
            )
            // The province's table groups the indicators under the slide's two section rows.
            if (!startsSection) return row
            return (
              <Fragment key={id}>
                <tr class="section-row" data-section={section}>
                  <th class="ind-name" scope="rowgroup">
                    {t(`drill.section.${section}`)}
                  </th>
                  <td colSpan={columns.length + 1} />
                </tr>
                {row}
              </Fragment>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

/** The slide's section of an indicator: the catalogue's, else 1–5 for the government, 6–16 for the people. */
function sectionOf(id: number, catalogue?: CatalogueEntry[]): string | null {
  if (id < 1) return null
  return catalogue?.find((c) => c.id === id)?.section ?? (id <= 5 ? "government" : "people")
}

/** Green: target met; amber: within 10 points; red: further (a declared status too); grey: nothing counted. */
function tone(v: DrillValue): string {
  if (v.rate === null) return v.status ? "c-miss" : "c-none"
  if (v.met === true) return "c-met"
  if (v.target === null) return "c-none"
  return v.rate >= v.target - 0.1 ? "c-near" : "c-miss"
}

/** "3/5 xã đã báo cáo" above a commune; a commune itself says only when it has not reported. */
function Reported({ unit, v }: { unit: DrillUnit; v: DrillValue }) {
  const r = v.reported
  if (!r || unit.level === "village") return null
  if (unit.level === "commune" || (!unit.level && r.communes <= 1)) {
    return r.communes_reported === 0 ? <span class="reported none">{t("drill.not_reported")}</span> : null
  }
  return (
    <span class={`reported${r.communes_reported < r.communes ? " some" : ""}`} data-testid="reported">
      {t("drill.reported", { n: r.communes_reported, of: r.communes })}
    </span>
  )
}

function Cell({ unit, v, hasBefore, rowTarget }: { unit: DrillUnit; v: DrillValue | undefined; hasBefore: boolean; rowTarget: number | null }) {
  if (!v)
    return (
      <td class="c-none" data-unit={unit.code} data-rate="">
        —
      </td>
    )
  const before = v.baseline?.rate ?? null
  const ownTarget = v.target !== null && rowTarget !== null && Math.abs(v.target - rowTarget) > 1e-9 ? v.target : null
  if (v.status && v.rate === null) {
    // A declared status instead of numbers: its words, counted as not met.
    return (
      <td class={`${tone(v)} status-cell`} data-unit={unit.code} data-rate="" data-before={before ?? ""} data-status={v.status}>
        <span class="status-text">{statusText(v.status)}</span>
        {hasBefore && before !== null && (
          <span class="frac">
            {t("dash.before_col")}: {pct(before)}
          </span>
        )}
        <Reported unit={unit} v={v} />
      </td>
    )
  }
  const delta = before !== null && v.rate !== null ? v.rate - before : null
  return (
    <td class={tone(v)} data-unit={unit.code} data-rate={v.rate ?? ""} data-before={before ?? ""} data-met={v.met === null ? "" : String(v.met)}>
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
      {v.eligible !== undefined && (
        <span class="frac asked" data-testid="asked">
          {t("drill.asked", { n: v.denominator, of: v.eligible })}
        </span>
      )}
      {ownTarget !== null && <span class="own-target">{t("drill.cell_target", { text: pct(ownTarget) })}</span>}
      <Reported unit={unit} v={v} />
    </td>
  )
}

// Households visited per day, as small bars (the last 30 days that had visits).
import type { UnitProgress } from "../api/types"
import { date, num } from "../i18n"

export function DayChart({ days }: { days: UnitProgress["by_day"] }) {
  const shown = days.slice(-30)
  if (!shown.length) return null
  const max = Math.max(1, ...shown.map((d) => d.households_visited))
  const w = 320
  const h = 90
  const bw = w / shown.length
  return (
    <svg class="chart" viewBox={`0 0 ${w} ${h + 16}`} role="img" aria-label="households visited per day">
      {shown.map((d, i) => {
        const bh = Math.max(1, (d.households_visited / max) * h)
        return (
          <rect key={d.day} x={i * bw + 1} y={h - bh} width={Math.max(1, bw - 2)} height={bh} fill="#b91c1c">
            <title>
              {date(d.day)}: {num(d.households_visited)}
            </title>
          </rect>
        )
      })}
      <text x="0" y={h + 13} font-size="10" fill="#6b7280">
        {date(shown[0].day)}
      </text>
      <text x={w} y={h + 13} font-size="10" fill="#6b7280" text-anchor="end">
        {date(shown[shown.length - 1].day)}
      </text>
    </svg>
  )
}

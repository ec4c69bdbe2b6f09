// What the indicator table shows: which campaign (its targets and its baseline, the "before"
// figures) and up to which day. Native select and date inputs, full width and 48 px high, so a
// thumb reaches them and the phone's own pickers open. The console adds its own choices (the
// level compared, the sort, table or ranking) under them, in the same box.
import type { ComponentChildren } from "preact"
import type { Campaign } from "../api/types"
import { date, t } from "../i18n"

/** Today in Vietnam (UTC+7), as the server counts days: YYYY-MM-DD. */
export const vietnamToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10)

interface Props {
  /** undefined: not loaded (offline with nothing cached) */
  campaigns: Campaign[] | undefined
  /** the campaign the figures on screen use (the server's current one unless picked) */
  shown: number | null
  onCampaign: (id: number) => void
  /** "" = now */
  asOf: string
  onAsOf: (day: string) => void
  /** the day the "before" figures are from, as the server answered */
  baseline: string | null
  /** more choices, shown after these */
  children?: ComponentChildren
}

export function FigureControls({ campaigns, shown, onCampaign, asOf, onAsOf, baseline, children }: Props) {
  return (
    <section class="section controls" data-testid="figure-controls">
      {campaigns && campaigns.length > 0 && (
        <label class="field">
          <span class="field-label">{t("dash.campaign")}</span>
          <select name="campaign" value={shown ?? ""} onChange={(e) => onCampaign(Number(e.currentTarget.value))}>
            {shown === null && <option value="">—</option>}
            {campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.current ? t("dash.campaign_current", { name: c.name }) : c.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {campaigns && campaigns.length === 0 && <p class="muted small">{t("dash.no_campaign")}</p>}
      <label class="field">
        <span class="field-label">{t("dash.as_of_day")}</span>
        <span class="date-row">
          <input type="date" name="as_of" value={asOf} max={vietnamToday()} onChange={(e) => onAsOf(e.currentTarget.value)} />
          {asOf && (
            <button type="button" class="btn" onClick={() => onAsOf("")}>
              {t("dash.today")}
            </button>
          )}
        </span>
      </label>
      {baseline && (
        <p class="muted small" data-testid="baseline-note">
          {t("dash.baseline_note", { date: date(baseline) })}
        </p>
      )}
      {children}
    </section>
  )
}

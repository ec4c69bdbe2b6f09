// Shapes of the console's answers (docs/API.md: declared values, targets, campaigns, the catalogue).
import type { Campaign } from "../api/types"

export type DeclaredStatus = "not_yet" | "none" | "not_started"
export const STATUSES: DeclaredStatus[] = ["not_yet", "none", "not_started"]

/** GET /api/v1/indicators (each) */
export interface CatalogueIndicator {
  id: number
  name_vi: string
  name_en: string
  source: "survey" | "declared"
  default_target: number
  default_target_text: string
  section: "government" | "people"
}

/** GET /api/v1/units/{code}/declared (each), newest value date first */
export interface DeclaredValue {
  id: number
  /** the unit that declared it: the one shown, or a former commune merged into it */
  unit_code: string
  unit_name: string
  indicator_id: number
  numerator: number
  denominator: number
  value_date: string
  note: string | null
  status: DeclaredStatus | null
  /** a username */
  entered_by: string
  /** The author's display name (null for a removed account). */
  entered_by_name?: string | null
  entered_at: string
}

export interface TargetSource {
  kind: "default" | "unit" | "campaign" | "unit_campaign" | "everywhere"
  unit_code: string | null
  unit_name?: string | null
  campaign_id: number | null
  /** a username */
  set_by: string | null
  set_by_name?: string | null
  set_at: string | null
}

/** GET /api/v1/units/{code}/targets (each) */
export interface EffectiveTarget {
  indicator_id: number
  target: number
  text: string
  source: TargetSource
  history: { target: number; text: string; source: TargetSource }[]
}

/** A campaign with its weekly report deadline (1 Monday … 7 Sunday, HH:MM Vietnam time). */
export interface FullCampaign extends Campaign {
  report_weekday: number
  report_time: string
}

export interface CurrentCampaign {
  campaign: FullCampaign | null
  /** true: marked by the province or an admin; false: the automatic choice */
  marked: boolean
}

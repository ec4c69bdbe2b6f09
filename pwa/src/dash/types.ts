// What the officials' console reads beyond api/types.ts (issue 14): a declared indicator's status
// and the communes that reported, the unit each compared unit sits under (answers asked with
// `level=`), and the indicator catalogue's target wording. Kept here so the shared types file
// stays as it is.
import type { IndicatorTable, IndicatorValue, Unit, UnitIndicators } from "../api/types"

/** A declared indicator's status instead of numbers: shown as text, counted as not met. */
export type DeclaredStatus = "not_yet" | "none" | "not_started"

export interface DrillValue extends IndicatorValue {
  status?: DeclaredStatus | string | null
  /** declared indicators: how many communes under the unit have declared it */
  reported?: { communes_reported: number; communes: number } | null
  /** an indicator added by rule: the records it is about, of whom `denominator` were asked */
  eligible?: number
}

export interface DrillUnit extends UnitIndicators {
  indicators: DrillValue[]
  /** with `level=`: the unit it sits under (a commune's district) */
  parent_code?: string | null
  parent_name?: string | null
}

export interface DrillTable extends IndicatorTable {
  unit: DrillUnit
  children: DrillUnit[]
}

/** GET /api/v1/indicators (each) */
export interface CatalogueEntry {
  id: number
  name_vi: string
  name_en: string
  source: "survey" | "declared" | string
  /** one of the model's 16 (never removed) */
  built_in: boolean
  default_target: number
  default_target_text?: string
  section?: string
  /** a survey indicator's rule: what it counts and its conditions over the survey's fields */
  rule?: IndicatorRule
  /** while the villages of an indicator just added are first counted: how far it has gone */
  counting?: { villages_counted: number; villages: number }
}

/** docs/SCHEMA.md "Indicators as data" */
export interface IndicatorRule {
  counts: "households" | "persons"
  numerator: unknown
  denominator?: unknown
  /** "eligible": the rate is among every eligible record (the model's indicators); default: among those asked */
  rate_among?: "asked" | "eligible"
}

/** GET /api/v1/units/{code} */
export type UnitWithChildren = Unit & { children: Unit[] }

/** The levels below a unit, from the top. */
export const LEVELS = ["province", "district", "commune", "village"] as const

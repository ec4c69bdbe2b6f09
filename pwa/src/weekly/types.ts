// Shapes of the weekly-report answers (docs/API.md, "weekly-reports").

export interface WeekIndicator {
  id: number
  numerator: number
  denominator: number
  rate: number | null
  target: number
  met: boolean | null
  last_week_rate: number | null
  baseline_rate: number | null
}

export interface WeekVillage {
  code: string
  name: string
  households_known: number
  households_visited: number
  visited_this_week: number
  persons_surveyed: number
}

export interface WeekMember {
  display_name: string
  households_visited: number
  visited_this_week: number
}

/** The report's content: the figures at the end of the week's Friday. */
export interface FridayReport {
  commune_code: string
  commune_name: string
  week: string
  report_day: string
  previous_report_day: string
  baseline_day: string | null
  campaign_id: number | null
  campaign_name: string | null
  households_known: number
  households_visited: number
  persons_surveyed: number
  households_visited_this_week: number
  persons_surveyed_this_week: number
  /** people helped this week by kind (HELPED_WITH); kinds nobody was helped with are absent */
  helped_this_week: Record<string, number>
  indicators: WeekIndicator[]
  villages: WeekVillage[]
  members: WeekMember[]
  open_conflicts: number
  open_send_backs: number
}

/** GET /api/v1/units/{commune}/weekly-reports/{day} */
export interface WeeklyReport {
  /** the Monday */
  week: string
  /** RFC 3339: Friday 15:00 in Vietnam */
  deadline: string
  status: "draft" | "submitted"
  timeliness: "on_time" | "late" | null
  submitted_at: string | null
  submitted_by_name: string | null
  /** as submitted (frozen), or the live draft */
  report: FridayReport
  /** today's figures for the same days, when late changes restated them after submission */
  revision: FridayReport | null
}

/** GET /api/v1/units/{code}/weekly-reports?week= */
export interface WeeklyReports {
  week: string
  deadline: string
  communes: {
    code: string
    name: string
    status: "on_time" | "late" | "not_yet"
    submitted_at: string | null
    submitted_by_name: string | null
    due_weeks: number
    on_time_weeks: number
  }[]
}

/** GET /api/v1/indicators (each) */
export interface IndicatorInfo {
  id: number
  name_vi: string
  name_en: string
  source: "survey" | "declared"
  default_target: number
}

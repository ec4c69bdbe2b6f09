// Shapes of the khaosat HTTP API (docs/API.md) that the app reads.

export type Role = "enumerator" | "team_lead" | "commune" | "district" | "province" | "admin"

export interface User {
  id: number
  username: string
  display_name: string
  role: Role
  scope_unit: string | null
  phone?: string | null
  disabled?: boolean
}

export interface TokenPair {
  access_token: string
  refresh_token: string
  /** seconds */
  expires_in: number
  refresh_expires_in: number
  user: User
}

export interface Progress {
  households_total: number
  households_visited: number
}

export interface Assignment {
  id: number
  village_code: string
  village_name: string
  assignee_id: number
  assignee_username: string
  assigned_by: number
  household_ids: string[] | null
  due_date: string | null
  note: string | null
  created_at: string
  updated_at: string
  progress: Progress
}

export interface DocumentEntry {
  document_id: string
  unit_code: string
  unit_name: string
  access: "read_write" | "read_only"
  /** the server's heads, hex */
  heads: string[]
  /** set on the phone: no longer on the server's list, but holding changes not yet sent */
  removed?: boolean
}

export interface Unit {
  /** Identity for life (URLs); `official_code` is the code people use now (they differ after a reform reused a code). */
  code: string
  official_code?: string
  name: string
  level: string
  parent_code: string | null
  status: string
}

export interface DeviceSession {
  id: string
  device_id: string
  created_at: string
  last_seen_at: string | null
  revoked_at: string | null
}

/** One indicator of one unit (GET /api/v1/units/{code}/indicators). */
export interface IndicatorValue {
  id: number
  numerator: number
  denominator: number
  /** numerator / denominator; null when nothing was counted */
  rate: number | null
  target: number | null
  /** null without data */
  met: boolean | null
  /** the same at the baseline ("before") date, when one applies */
  baseline?: { numerator: number; denominator: number; rate: number | null; met: boolean | null }
}

export interface UnitIndicators {
  code: string
  official_code?: string
  name: string
  level?: string
  households_known?: number
  households_visited?: number
  persons_surveyed?: number
  indicators: IndicatorValue[]
}

/** GET /api/v1/campaigns (each), and the campaign an indicator table used */
export interface Campaign {
  id: number
  name: string
  /** "before" figures are those at the end of this day */
  baseline_date: string
  start_date: string | null
  end_date: string | null
  /** the one the server uses when a request names none */
  current: boolean
}

export interface IndicatorTable {
  /** the day asked for; null: now */
  as_of?: string | null
  /** the day the "before" figures are from */
  baseline?: string | null
  /** the campaign whose targets and baseline apply (the current one unless one was asked for) */
  campaign?: Campaign | null
  unit: UnitIndicators
  children: UnitIndicators[]
}

/** GET /api/v1/units/{code}/progress (communes and villages) */
export interface UnitProgress {
  unit_code: string
  by_enumerator: { username: string; households_visited: number; last_visit: string | null }[]
  by_day: { day: string; households_visited: number }[]
}

export interface ApiErrorBody {
  error: { status: number; code: string; message: string; details?: string[] }
}

/** One village (or some of its households) given to a member, as GET /api/v1/team lists it. */
export interface TeamAssignment {
  id: number
  village_code: string
  village_name: string
  /** how many households; null: the whole village */
  household_count: number | null
}

/** A device a member signed in on (live, or revoked in the last 30 days), newest first. */
export interface TeamDevice {
  session_id: string
  device_id: string
  signed_in_at: string
  last_seen_at: string | null
  last_sync_at: string | null
  revoked_at: string | null
  revoked_reason: string | null
  /** revoked as a lost phone: it deletes its copy at its next contact (else only signed out) */
  wiped?: boolean
}

export interface TeamMember {
  id: number
  username: string
  display_name: string
  phone: string | null
  role: "enumerator" | "team_lead"
  scope_unit: string | null
  disabled: boolean
  /** RFC 3339, set while the account is locked after wrong passwords */
  locked_until: string | null
  has_password: boolean
  assignments: TeamAssignment[]
  devices: TeamDevice[]
  last_sync_at: string | null
}

/** GET /api/v1/team?unit=CODE */
export interface TeamView {
  unit: { code: string; name: string }
  members: TeamMember[]
}

/** POST /api/v1/users/{id}/sign-in-code */
export interface SignInCode {
  code: string
  expires_at: string
  /** seconds */
  expires_in: number
  /** relative: "/#/signin/ABCD2345" */
  url: string
}

/** POST /api/v1/users/import */
export interface ImportResult {
  dry_run: boolean
  created: number
  rows: { line: number; display_name: string; phone: string | null; username: string; village_code: string | null; village_name: string | null }[]
}

/** One value a field holds after two phones set it differently (GET /units/{code}/conflicts). */
export interface ConflictCandidate {
  /** text, number, yes/no or null */
  value: string | number | boolean | null
  /** the value phones show now */
  current: boolean
  user_id: number | null
  display_name: string | null
  device_id: string | null
  /** the phone's time of the change that wrote it, when known */
  at: string | null
}

/** A field of a household (or of a person or visit in it) that phones set differently offline. */
export interface Conflict {
  id: number
  document_id: string
  village_code: string
  village_name: string
  household_id: string
  head_name: string | null
  /** path inside the household: `head_name`, `persons/<id>/full_name`, `visits/<id>/outcome` */
  field: string
  candidates: ConflictCandidate[]
  detected_at: string
  settled_at: string | null
  settled_by: number | null
  settled_value: string | number | boolean | null
}

/** A household or person sent back to the member ("cần sửa") with a comment. */
export interface SendBack {
  id: number
  village_code: string
  village_name: string
  household_id: string
  head_name: string | null
  /** one person of the household; null: the household as a whole */
  person_id: string | null
  comment: string
  created_by: number
  /** the lead's display name */
  created_by_name: string
  created_at: string
  cleared_at: string | null
  /** `fixed` or `withdrawn` */
  cleared_reason: string | null
}

/** A village's work approved for a week (GET /units/{commune}/approvals). */
export interface VillageApproval {
  village_code: string
  village_name: string
  approved: boolean
  approved_by_name: string | null
  approved_at: string | null
  /** the village changed after it was approved */
  changed_since_approval: boolean
}

export interface WeekApprovals {
  /** the Monday the week starts on (YYYY-MM-DD) */
  week: string
  villages: VillageApproval[]
}

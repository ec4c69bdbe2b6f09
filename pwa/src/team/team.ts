// The team screens' shared pieces: which commune they show, the GET /api/v1/team answer (kept
// for offline, like every list), who may manage whom, and display names for usernames.
import { computed, signal } from "@preact/signals"
import { useEffect } from "preact/hooks"
import { route } from "../router"
import { session } from "../api/session"
import { api } from "../api/http"
import type { Role, SignInCode, TeamMember, TeamView, User } from "../api/types"
import { useCached } from "../hooks/useCached"
import { readJson, writeJson } from "../util/storage"
import { t } from "../i18n"

/** The commune shown: `?unit=` of the route (district and above pick one), else the caller's scope. */
export function teamUnit(): string {
  const q = new URLSearchParams(route.value.split("?")[1] ?? "")
  return q.get("unit") ?? session.value?.user.scope_unit ?? ""
}

/** A team route with the commune carried along when it is not the caller's own. */
export function teamHref(path: string, unit = teamUnit()): string {
  const own = session.value?.user.scope_unit
  return `#${path}${unit && unit !== own ? `?unit=${encodeURIComponent(unit)}` : ""}`
}

export const teamApi = (unit: string) => `/api/v1/team?unit=${encodeURIComponent(unit)}`

export function useTeam() {
  const unit = teamUnit()
  const team = useCached<TeamView>(unit ? teamApi(unit) : null)
  useEffect(() => {
    if (team.data) rememberNames(team.data.members)
  }, [team.data])
  return { unit, team }
}

const RANK: Record<Role, number> = { enumerator: 0, team_lead: 1, commune: 2, district: 3, province: 4, admin: 5 }

/** Managers act on users of a strictly lower role (docs/API.md, "Roles and scope"). */
export const canManage = (me: User, role: Role) => me.role !== "enumerator" && RANK[role] < RANK[me.role]

/** Roles the caller may give a new member: enumerators; team leads too from a commune officer up. */
export const rolesFor = (me: User): TeamMember["role"][] => (canManage(me, "team_lead") ? ["enumerator", "team_lead"] : ["enumerator"])

export const isLocked = (m: TeamMember, now = Date.now()) => !!m.locked_until && Date.parse(m.locked_until) > now

export const liveDevices = (m: TeamMember) => m.devices.filter((d) => !d.revoked_at)

// ---- Display names (a person is never shown by username) ----
// Usernames appear in the data (who visited, who created a household); the team answer gives
// their display names, kept per signed-in user with the cached answers (deleted with them).

const namesKey = (me: string | undefined) => `khaosat.cache.${me}.names`
const namesVersion = signal(0)

const directory = computed(() => {
  void namesVersion.value
  const me = session.value?.user
  const map = readJson<Record<string, string>>(namesKey(me?.username), {})
  if (me) map[me.username] = me.display_name
  return map
})

function rememberNames(members: { username: string; display_name: string }[]) {
  const known = directory.peek()
  if (members.every((m) => known[m.username] === m.display_name)) return
  const key = namesKey(session.peek()?.user.username)
  const next = { ...readJson<Record<string, string>>(key, {}) }
  for (const m of members) next[m.username] = m.display_name
  writeJson(key, next)
  namesVersion.value++
}

/** The display name of a username seen in the data (visits, households), or "another member". */
export function personName(username: string): string {
  if (!username) return t("person.someone")
  return directory.value[username] || t("person.someone")
}

// ---- Sign-in codes shown on the lead's phone (memory only: never stored, gone on reload) ----

export interface ShownCode extends SignInCode {
  /** local clock (ms) when it stops working */
  until: number
}
export const signInCodes = signal<Record<number, ShownCode>>({})

/** Makes a new sign-in code for a member (replacing their earlier unused one) and keeps it to show. */
export async function makeSignInCode(memberId: number): Promise<ShownCode> {
  const at = Date.now()
  const c = await api<SignInCode>(`/api/v1/users/${memberId}/sign-in-code`, { method: "POST" })
  const shown = { ...c, until: at + c.expires_in * 1000 }
  signInCodes.value = { ...signInCodes.peek(), [memberId]: shown }
  return shown
}

/** The absolute address the QR code carries: the member's camera opens it and signs in. */
export const signInUrl = (c: SignInCode) => new URL(c.url, location.origin).href

/** A message for the member screen after an action on another screen (e.g. adding a member). */
export const memberFlash = signal<{ id: number; error: unknown } | null>(null)

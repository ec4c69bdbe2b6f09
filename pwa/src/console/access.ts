// Who may do what in the officials' console, as the server decides it (docs/API.md); the server
// checks every request again, this only decides what the screens offer.
import type { Role } from "../api/types"

const RANK: Record<Role, number> = { enumerator: 0, team_lead: 1, commune: 2, district: 3, province: 4, admin: 5 }

/** The role is `min` or above. */
export const atLeast = (role: Role, min: Role) => RANK[role] >= RANK[min]

/** Declared indicators: read by the team lead and above (in scope), written by the commune officer (and admin). */
export const readsDeclared = (role: Role) => atLeast(role, "team_lead")
export const writesDeclared = (role: Role) => role === "commune" || role === "admin"
/** Targets: read by the team lead and above; set by the district (its area), the province (its area) and admin. */
export const readsTargets = (role: Role) => atLeast(role, "team_lead")
export const setsTargets = (role: Role) => atLeast(role, "district")
/** Campaigns: everyone signed in reads them; the province and admin create, edit and mark the current one. */
export const editsCampaigns = (role: Role) => atLeast(role, "province")

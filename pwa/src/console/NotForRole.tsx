// The console's screens say "not for your role" with the shared notice, pointing to "Quản lý"
// for the roles that have it.
import { session } from "../api/session"
import { NotForRole as Notice } from "../components/NotForRole"
import { atLeast } from "./access"

/** `hub`: offer the way to "Quản lý" (not on the hub itself, nor for a role without one). */
export function NotForRole({ title, hub = true }: { title: string; hub?: boolean }) {
  const role = session.value!.user.role
  return <Notice title={title} hub={hub && atLeast(role, "team_lead")} />
}

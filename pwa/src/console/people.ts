// Declared values and targets name their author by username; people read display names. The
// users the caller may see (GET /api/v1/users: the team lead and above see their area) and the
// caller themselves give the names; anyone else (an account outside the area, a service account)
// is shown by username.
import { session } from "../api/session"
import type { User } from "../api/types"
import { atLeast } from "./access"
import { useCached } from "../hooks/useCached"

export function useNames(): (username: string | null | undefined) => string {
  const me = session.value!.user
  const users = useCached<User[]>(atLeast(me.role, "team_lead") ? "/api/v1/users" : null)
  return (username) => {
    if (!username) return ""
    if (username === me.username) return me.display_name
    return users.data?.find((u) => u.username === username)?.display_name || username
  }
}

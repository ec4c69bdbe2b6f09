// Bottom navigation, within thumb reach; only the screens the role uses.
import { route } from "../router"
import { num, t } from "../i18n"
import type { Conflict, Role } from "../api/types"
import { session } from "../api/session"
import { conflictsPath, useShared } from "../review/shared"
import { Icon } from "./Icon"

const ITEMS: Record<string, { path: string; icon: string; roles: Role[]; also?: string[] }> = {
  villages: { path: "/", icon: "home", roles: ["enumerator", "team_lead", "commune"] },
  team: { path: "/team", icon: "team", roles: ["team_lead", "commune"] },
  review: { path: "/review", icon: "check", roles: ["team_lead", "commune"] },
  // The commune officer finds "Hộ trùng" in "Quản lý" (six items fit 360 px with readable labels).
  duplicates: { path: "/dup", icon: "copy", roles: ["team_lead"] },
  dashboard: { path: "/dash", icon: "chart", roles: ["commune", "district", "province", "admin"] },
  weekly: { path: "/reports", icon: "report", roles: ["district", "province", "admin"] },
  // The officials' console (issue 14): the management screens the role may use.
  console: {
    path: "/console",
    icon: "grid",
    roles: ["team_lead", "commune", "district", "province", "admin"],
    also: ["/declared", "/targets", "/campaigns", "/problems", "/access-log"],
  },
  // Issue 14, part B: the unit tree, for those who shape it.
  units: { path: "/units", icon: "tree", roles: ["province", "admin"] },
  settings: { path: "/settings", icon: "gear", roles: ["enumerator", "team_lead", "commune", "district", "province", "admin"] },
}

export function Nav({ role }: { role: Role }) {
  const here = route.value.split("?")[0]
  // The lead's open conflicts, as a badge on "Rà soát".
  const conflicts = useShared<Conflict[]>(conflictsPath(session.value?.user)).data?.length ?? 0
  return (
    <nav class="nav">
      {Object.entries(ITEMS)
        .filter(([, i]) => i.roles.includes(role))
        .map(([key, i]) => (
          <a key={key} href={`#${i.path}`} class={here === i.path || (i.path !== "/" && here.startsWith(`${i.path}/`)) || i.also?.some((p) => here === p || here.startsWith(`${p}/`)) ? "on" : ""} data-nav={key}>
            <Icon name={i.icon} />
            {t(`nav.${key}`)}
            {key === "review" && conflicts > 0 && (
              <span class="badge nums" data-testid="nav-conflicts" aria-label={t("review.conflicts_short", { n: num(conflicts) })}>
                {num(conflicts)}
              </span>
            )}
          </a>
        ))}
    </nav>
  )
}

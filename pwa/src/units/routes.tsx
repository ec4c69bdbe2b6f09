// The console routes of this part (issue 14): the unit tree (#/units, #/units/import, #/units/CODE),
// record problems (#/problems) and the access log (#/access-log), each for the roles that may use
// them and "not for your role" for the others; the household's change history section. This file
// is in the app shell and stays small: the screens are a chunk of their own (units/screens.ts),
// loaded on first use and precached like the rest, so a member's phone never parses them.
import { useEffect, useState } from "preact/hooks"
import type { JSX } from "preact"
import type { Role } from "../api/types"
import type { Household } from "../schema"
import { match } from "../router"
import { t } from "../i18n"
import { NotForRole } from "../components/NotForRole"

type UnitScreens = typeof import("./units-screens")
let loaded: UnitScreens | undefined

/** A screen of the units chunk, loaded once on first use. */
export function UnitsScreen({ show }: { show: (s: UnitScreens) => JSX.Element }) {
  const [mod, setMod] = useState(loaded)
  useEffect(() => {
    if (!mod) void import("./units-screens").then((x) => setMod((loaded = x)))
  }, [mod])
  return mod ? show(mod) : <p class="empty">{t("loading")}</p>
}

const TREE: Role[] = ["province", "admin"]
const PROBLEMS: Role[] = ["team_lead", "commune", "district", "province", "admin"]
const ACCESS_LOG: Role[] = ["commune", "district", "province", "admin"]
/** Who reads a household's change history on its screen: the commune's own staff. */
const HISTORY: Role[] = ["team_lead", "commune"]

const only = (roles: Role[], role: Role, title: string, screen: () => JSX.Element) => (roles.includes(role) ? screen() : <NotForRole title={title} />)

/** The screen for `path` when it is one of this part's routes, else null. */
export function unitsRoute(path: string, role: Role): JSX.Element | null {
  const bare = path.split("?")[0]
  if (bare === "/units") return only(TREE, role, t("console.units"), () => <UnitsScreen show={(s) => <s.UnitTree />} />)
  if (bare === "/reform") return only(TREE, role, t("console.reform"), () => <UnitsScreen show={(s) => <s.Reform />} />)
  if (bare === "/units/import") return only(TREE, role, t("console.units"), () => <UnitsScreen show={(s) => <s.UnitImport />} />)
  const m = match("/units/:code", path)
  if (m) return only(TREE, role, t("console.units"), () => <UnitsScreen show={(s) => <s.UnitPage code={m.code} />} />)
  if (bare === "/problems") return only(PROBLEMS, role, t("console.problems"), () => <UnitsScreen show={(s) => <s.Problems />} />)
  if (bare === "/access-log") return only(ACCESS_LOG, role, t("console.access_log"), () => <UnitsScreen show={(s) => <s.AccessLog />} />)
  return null
}

/** Links to this part's screens that the role may use (Settings, "Quản lý"). */
export function UnitsLinks({ role }: { role: Role }) {
  const links = [
    { href: "#/units", label: t("console.units"), roles: TREE, key: "units" },
    { href: "#/problems", label: t("console.problems"), roles: PROBLEMS, key: "problems" },
    { href: "#/access-log", label: t("console.access_log"), roles: ACCESS_LOG, key: "access-log" },
  ].filter((l) => l.roles.includes(role))
  if (!links.length) return null
  return (
    <section class="section">
      <h2>{t("console.manage")}</h2>
      <ul class="rows compact" style="padding:0">
        {links.map((l) => (
          <li key={l.key}>
            <a class="row" href={l.href} data-link={l.key}>
              <span class="row-main">
                <strong style="white-space:normal">{l.label}</strong>
              </span>
              <span class="chev">›</span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  )
}

/**
 * "Lịch sử thay đổi" on the household screen, for the commune's own staff: closed until asked
 * (the history is fetched from the server, never kept on the phone), then the chunk's list.
 */
export function HistorySection({ role, hh, household, all }: { role: Role; hh: string; household: Household; all?: Record<string, Household> }) {
  const [open, setOpen] = useState(false)
  if (!HISTORY.includes(role)) return null
  return (
    <section class="section" data-testid="history">
      <h2>{t("history.title")}</h2>
      {open ? (
        <UnitsScreen show={(s) => <s.HouseholdHistory hh={hh} household={household} all={all} />} />
      ) : (
        <>
          <p class="muted small">{t("history.needs_network")}</p>
          <button type="button" class="btn big" name="history" onClick={() => setOpen(true)}>
            {t("history.open")}
          </button>
        </>
      )}
    </section>
  )
}

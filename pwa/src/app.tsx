import { useEffect, useState } from "preact/hooks"
import type { JSX } from "preact"
import { revokedNotice, session } from "./api/session"
import { match, route } from "./router"
import { lang, t } from "./i18n"
import { SyncBar } from "./components/SyncBar"
import { UpdatePrompt } from "./components/UpdatePrompt"
import { Nav } from "./components/Nav"
import { Login, SignInWithCode } from "./screens/Login"
import { Home } from "./screens/Home"
import { Village } from "./screens/Village"
import { NewHousehold } from "./screens/NewHousehold"
import { Household } from "./screens/Household"
import { Person } from "./screens/Person"
import { Duplicates } from "./screens/Duplicates"
import { Settings } from "./screens/Settings"
import { WeeklyScreen } from "./components/WeeklyScreen"
// The officials' console (issue 14): its own chunk.
import { DashScreen } from "./dash/DashScreen"
import { ConsoleScreen } from "./console/ConsoleScreen"
import { NotFound } from "./components/NotForRole" // issue 14, part B
import { unitsRoute } from "./units/routes" // issue 14, part B
import type { Role } from "./api/types" // issue 14, part B

function screen(path: string, role: string) {
  let m
  if ((m = match("/v/:doc/h/:hh/p/:pid", path))) return <Person doc={m.doc} hh={m.hh} pid={m.pid} />
  if ((m = match("/v/:doc/h/:hh", path))) return <Household doc={m.doc} hh={m.hh} />
  if ((m = match("/v/:doc/new", path))) return <NewHousehold doc={m.doc} />
  if ((m = match("/v/:doc", path))) return <Village doc={m.doc} />
  if ((m = match("/weekly/:unit/:day", path))) {
    const { unit, day } = m
    return <WeeklyScreen show={(s) => <s.WeeklyReport unit={unit} day={day} />} />
  }
  if (match("/weekly", path)) return <WeeklyScreen show={(s) => <s.WeeklyReport />} />
  if (match("/reports", path)) return <WeeklyScreen show={(s) => <s.Reports />} />
  if (match("/paper", path)) return <WeeklyScreen show={(s) => <s.PaperForm />} />
  if ((m = match("/team/m/:id", path))) {
    const id = Number(m.id)
    return <TeamScreen show={(s) => <s.Member id={id} />} />
  }
  const bare = path.split("?")[0]
  if (bare === "/team/new") return <TeamScreen show={(s) => <s.AddMember />} />
  if (bare === "/team/import") return <TeamScreen show={(s) => <s.ImportMembers />} />
  if (bare === "/team") return <TeamScreen show={(s) => <s.Team />} />
  if (bare === "/review") return <TeamScreen show={(s) => <s.Review />} />
  // ---- The officials' console (issue 14): its own chunk (console/console-screens.ts) ----
  if (bare === "/console") return <ConsoleScreen show={(s) => <s.Hub />} />
  if (bare === "/declared") return <ConsoleScreen show={(s) => <s.Declared />} />
  if (bare === "/targets") return <ConsoleScreen show={(s) => <s.Targets />} />
  if (bare === "/campaigns") return <ConsoleScreen show={(s) => <s.Campaigns />} />
  if (bare === "/survey") return <ConsoleScreen show={(s) => <s.Survey />} />
  if (bare === "/raw-data") return <ConsoleScreen show={(s) => <s.RawData />} />
  if (bare === "/indicators") return <ConsoleScreen show={(s) => <s.Indicators />} />
  // ---- end of the console ----
  if (path === "/dup") return <Duplicates />
  // The officials' console (issue 14): a unit's table, drill-down, ranking.
  if ((m = match("/dash/:code", path))) {
    const code = m.code
    return <DashScreen show={(s) => <s.Dashboard code={code} />} />
  }
  if (match("/dash", path)) return <DashScreen show={(s) => <s.Dashboard />} />
  if (path === "/settings") return <Settings />
  // ---- The officials' console, part B (issue 14): the unit tree, record problems and the access
  // log, each "not for your role" to the others (units/routes.tsx); an unknown route says so and
  // offers the way home instead of showing the home screen ----
  const units = unitsRoute(path, role as Role)
  if (units) return units
  if (bare !== "/") return <NotFound />
  // ---- end of part B ----
  return ["district", "province", "admin"].includes(role) ? <DashScreen show={(s) => <s.Dashboard />} /> : <Home />
}

type TeamScreens = typeof import("./screens/team-screens")
let teamScreens: TeamScreens | undefined

/** A team screen, from its chunk (loaded once, on first use). */
function TeamScreen({ show }: { show: (s: TeamScreens) => JSX.Element }) {
  const [mod, setMod] = useState(teamScreens)
  useEffect(() => {
    if (!mod) void import("./screens/team-screens").then((x) => setMod((teamScreens = x)))
  }, [mod])
  return mod ? show(mod) : <p class="empty">{t("loading")}</p>
}

export function App() {
  void lang.value // re-render everything when the language changes
  const s = session.value
  const path = route.value
  // The QR code of a sign-in code opens #/signin/CODE: sign in with it, whoever was signed in.
  const signin = match("/signin/:code", path)
  if (signin) return <SignInWithCode code={signin.code} />
  // While a revoked device deletes its copy, nothing else is shown.
  if (!s || path === "/login" || revokedNotice.value?.done === false) return <Login />
  return (
    <div class="app">
      <SyncBar />
      <UpdatePrompt />
      <main class="screen">{screen(path, s.user.role)}</main>
      <Nav role={s.user.role} />
    </div>
  )
}

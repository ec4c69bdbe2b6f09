import { session } from "./api/session"
import { match, route } from "./router"
import { lang } from "./i18n"
import { SyncBar } from "./components/SyncBar"
import { UpdatePrompt } from "./components/UpdatePrompt"
import { Nav } from "./components/Nav"
import { Login } from "./screens/Login"
import { Home } from "./screens/Home"
import { Village } from "./screens/Village"
import { NewHousehold } from "./screens/NewHousehold"
import { Household } from "./screens/Household"
import { Person } from "./screens/Person"
import { Duplicates } from "./screens/Duplicates"
import { Team } from "./screens/Team"
import { Dashboard } from "./screens/Dashboard"
import { Settings } from "./screens/Settings"

function screen(path: string, role: string) {
  let m
  if ((m = match("/v/:doc/h/:hh/p/:pid", path))) return <Person doc={m.doc} hh={m.hh} pid={m.pid} />
  if ((m = match("/v/:doc/h/:hh", path))) return <Household doc={m.doc} hh={m.hh} />
  if ((m = match("/v/:doc/new", path))) return <NewHousehold doc={m.doc} />
  if ((m = match("/v/:doc", path))) return <Village doc={m.doc} />
  if (path === "/team") return <Team />
  if (path === "/dup") return <Duplicates />
  if (path === "/dash") return <Dashboard />
  if (path === "/settings") return <Settings />
  return ["district", "province", "admin"].includes(role) ? <Dashboard /> : <Home />
}

export function App() {
  void lang.value // re-render everything when the language changes
  const s = session.value
  const path = route.value
  if (!s || path === "/login") return <Login />
  return (
    <div class="app">
      <SyncBar />
      <UpdatePrompt />
      <main class="screen">{screen(path, s.user.role)}</main>
      <Nav role={s.user.role} />
    </div>
  )
}

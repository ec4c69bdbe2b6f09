import { revokedNotice, session } from "./api/session"
import { match, route } from "./router"
import { lang } from "./i18n"
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
import { Team } from "./screens/Team"
import { Member } from "./screens/Member"
import { AddMember } from "./screens/AddMember"
import { ImportMembers } from "./screens/ImportMembers"
import { Dashboard } from "./screens/Dashboard"
import { Settings } from "./screens/Settings"

function screen(path: string, role: string) {
  let m
  if ((m = match("/v/:doc/h/:hh/p/:pid", path))) return <Person doc={m.doc} hh={m.hh} pid={m.pid} />
  if ((m = match("/v/:doc/h/:hh", path))) return <Household doc={m.doc} hh={m.hh} />
  if ((m = match("/v/:doc/new", path))) return <NewHousehold doc={m.doc} />
  if ((m = match("/v/:doc", path))) return <Village doc={m.doc} />
  if ((m = match("/team/m/:id", path))) return <Member id={Number(m.id)} />
  if (path.split("?")[0] === "/team/new") return <AddMember />
  if (path.split("?")[0] === "/team/import") return <ImportMembers />
  if (path.split("?")[0] === "/team") return <Team />
  if (path === "/dup") return <Duplicates />
  if (path === "/dash") return <Dashboard />
  if (path === "/settings") return <Settings />
  return ["district", "province", "admin"].includes(role) ? <Dashboard /> : <Home />
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

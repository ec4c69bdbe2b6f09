import { render } from "preact"
import { effect } from "@preact/signals"
import { App } from "./app"
import { finishRevocation, onDeviceRevoked, session } from "./api/session"
import { startTokenKeeper } from "./api/keeper"
import { engine, startEngine, stopEngine, wipeUser } from "./sync/engine"
import { automergeReady } from "./sync/wasm"
import { startServiceWorker } from "./sw"
import { watchSync } from "./review/shared"
import { lang } from "./i18n"
import "./styles.css"

document.documentElement.lang = lang.value
// A revoked device deletes its copy (api/session.ts); one closed mid-deletion finishes it first.
onDeviceRevoked(wipeUser)
finishRevocation()
const root = document.getElementById("app")!
root.textContent = "" // the static "opening…" text shown while the script loads
render(<App />, root)
startServiceWorker()
startTokenKeeper()
// Send-backs and conflicts are fetched again when the server has acknowledged this phone's changes.
watchSync()
// Start compiling the wasm while the first screen paints.
void automergeReady()

// One engine (Repo + sync) for whoever is signed in; a different user gets their own. The previous
// user's copy is deleted then if the server has all of it (stopEngine checks), as on sign-out.
let starting: string | undefined
effect(() => {
  const user = session.value?.user
  const running = engine.peek()?.user.username ?? starting
  if (user?.username === running) return
  starting = user?.username
  void (async () => {
    if (engine.peek()) await stopEngine(true)
    if (user) await startEngine(user)
  })()
})

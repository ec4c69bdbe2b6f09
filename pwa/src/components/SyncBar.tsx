// Always on screen: are my changes on the server, when did the last sync succeed, is it syncing now.
import { engine } from "../sync/engine"
import { session } from "../api/session"
import { t, when } from "../i18n"
import { go } from "../router"

export function SyncBar() {
  const e = engine.value
  const s = session.value
  // Until the documents are read from IndexedDB, "nothing unsent" would be a guess.
  if (!e || !e.loaded.value) return <div class="syncbar" data-state="starting">{t("sync.starting")}</div>
  const unsent = e.unsent.value
  const last = e.lastSyncAt.value
  const connected = !!e.link.server.value
  const { done, total } = e.progress.value
  const lastText = last ? t("sync.last", { when: when(last) }) : t("sync.never")
  const unsentText = unsent ? t("sync.unsent", { n: unsent }) : t("sync.all_sent")
  let state: string
  let main: string
  if (s?.expired) {
    state = "expired"
    main = t("sync.expired")
  } else if (!connected) {
    state = "offline"
    main = t("sync.offline")
  } else if (done < total) {
    state = "syncing"
    main = t("sync.syncing", { done, total })
  } else {
    state = "synced"
    main = t("sync.synced")
  }
  return (
    <div class={`syncbar ${state}${unsent ? " has-unsent" : ""}`} data-state={state} data-unsent={unsent} role="status" aria-live="polite">
      <span class="dot" aria-hidden="true" />
      <span class="sync-main">{main}</span>
      <span class="sync-detail">
        {unsentText} · {lastText}
      </span>
      {state === "syncing" && total > 0 && <progress max={total} value={done} />}
      {s?.expired && (
        <button type="button" class="btn small" onClick={() => go("/login")}>
          {t("login.again")}
        </button>
      )}
    </div>
  )
}

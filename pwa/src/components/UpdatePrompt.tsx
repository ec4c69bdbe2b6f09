// "A new version is ready": installs it only when the user says so, after committing the field
// being edited and writing every pending change to IndexedDB. Unsynced changes are safe on the
// phone across the update, and the dialog says so, with the count.
import { useState } from "preact/hooks"
import { applyUpdate, updateWaiting } from "../sw"
import { engine } from "../sync/engine"
import { t } from "../i18n"
import { Dialog } from "./Dialog"

export function UpdatePrompt() {
  const [asking, setAsking] = useState(false)
  if (!updateWaiting.value) return null
  const unsent = engine.value?.unsent.value ?? 0
  const install = async () => {
    ;(document.activeElement as HTMLElement | null)?.blur()
    await new Promise((r) => setTimeout(r, 50))
    await engine.peek()?.repo.flush().catch(() => {})
    await applyUpdate()
  }
  return (
    <div class="banner update" role="alert">
      <span>{t("update.ready")}</span>
      <button type="button" class="btn small primary" onClick={() => setAsking(true)}>
        {t("update.install")}
      </button>
      {asking && (
        <Dialog title={t("update.title")} confirm={t("update.install")} cancel={t("update.later")} onCancel={() => setAsking(false)} onConfirm={install}>
          <p>{t("update.body")}</p>
          {unsent > 0 && <p class="warn">{t("update.unsent", { n: unsent })}</p>}
        </Dialog>
      )}
    </div>
  )
}

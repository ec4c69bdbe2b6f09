// Language, who is signed in, storage, and signing out: never without saying what would be lost.
import { useEffect, useState } from "preact/hooks"
import { logout, session } from "../api/session"
import { engine, stopEngine } from "../sync/engine"
import { go } from "../router"
import { lang, setLang, t } from "../i18n"
import { Header } from "../components/Header"
import { Dialog } from "../components/Dialog"
import { offlineReady } from "../sw"
import { UnitsLinks } from "../units/routes" // issue 14, part B: links to the unit tree, record problems, access log

export function Settings() {
  const user = session.value!.user
  const unsent = engine.value?.unsent.value ?? 0
  const [confirming, setConfirming] = useState(false)
  const [persisted, setPersisted] = useState<boolean | null>(null)
  useEffect(() => {
    void navigator.storage?.persisted?.().then(setPersisted)
  }, [])
  const signOut = async () => {
    // Unsent changes stay on this phone (in this user's own database) for the next sign-in;
    // with nothing unsent, the user's copy is removed so the next person does not see it.
    // (stopEngine checks that itself, also that every document was read, not from this count.)
    await stopEngine(true)
    await logout()
    go("/login", true)
  }
  return (
    <>
      <Header title={t("settings.title")} />
      <section class="section">
        <h2>{t("settings.language")}</h2>
        <div class="seg">
          <button type="button" class={lang.value === "vi" ? "on" : ""} onClick={() => setLang("vi")}>
            Tiếng Việt
          </button>
          <button type="button" class={lang.value === "en" ? "on" : ""} onClick={() => setLang("en")}>
            English
          </button>
        </div>
      </section>
      <UnitsLinks role={user.role} />
      <section class="section">
        <h2>{t("paper.title")}</h2>
        <p class="muted small">{t("paper.settings_intro")}</p>
        <a class="btn big" href="#/paper" data-action="paper-form">
          {t("paper.open")}
        </a>
      </section>
      <section class="section">
        <h2>{t("settings.account")}</h2>
        <p>
          <strong>{user.display_name}</strong> · {t(`role.${user.role}`)}
        </p>
        <p class="small muted">
          {t("login.username")}: <code>{user.username}</code>
        </p>
        <p class="muted small">{persisted === null ? "" : persisted ? t("settings.persisted") : t("settings.not_persisted")}</p>
        <p class="muted small">{offlineReady.value ? t("settings.offline_ready") : ""}</p>
        <button type="button" class="btn danger-outline big" name="logout" onClick={() => (unsent ? setConfirming(true) : void signOut())}>
          {t("settings.logout")}
        </button>
      </section>
      {confirming && (
        <Dialog title={t("logout.title")} confirm={t("logout.anyway")} cancel={t("logout.stay")} danger onCancel={() => setConfirming(false)} onConfirm={signOut}>
          <p class="warn">{t("logout.unsent", { n: unsent })}</p>
          <p>{t("logout.body")}</p>
        </Dialog>
      )}
    </>
  )
}

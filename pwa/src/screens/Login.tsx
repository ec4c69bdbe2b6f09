import { useState } from "preact/hooks"
import { login, LoginError, session } from "../api/session"
import { go } from "../router"
import { t, lang, setLang } from "../i18n"

export function Login() {
  const previous = session.value
  const [username, setUsername] = useState(previous?.user.username ?? "")
  const [password, setPassword] = useState("")
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await login(username.trim(), password)
      go("/", true)
    } catch (err) {
      const kind = err instanceof LoginError ? err.kind : "server"
      const minutes = err instanceof LoginError ? Math.max(1, Math.ceil(err.retryAfter / 60)) : 1
      setError(t(`login.error_${kind}`, { minutes }))
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="login">
      <img src="/icon.svg" alt="" width="72" height="72" />
      <h1>{t("app.name")}</h1>
      <p class="muted">{t("login.intro")}</p>
      {previous?.expired && <p class="banner warn">{t("login.expired")}</p>}
      <form onSubmit={submit}>
        <label class="field">
          <span class="field-label">{t("login.username")}</span>
          <input name="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoComplete="username" autoCapitalize="none" required />
        </label>
        <label class="field">
          <span class="field-label">{t("login.password")}</span>
          <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autoComplete="current-password" required />
        </label>
        {error && <p class="error" role="alert">{error}</p>}
        <button class="btn primary big" type="submit" disabled={busy}>
          {busy ? t("login.busy") : t("login.submit")}
        </button>
      </form>
      <button type="button" class="link" onClick={() => setLang(lang.value === "vi" ? "en" : "vi")}>
        {lang.value === "vi" ? "English" : "Tiếng Việt"}
      </button>
    </main>
  )
}

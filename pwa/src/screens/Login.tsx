// Sign-in: with a username and password, or with the one-time code a team lead shows on their
// phone (typed here, or opened from its QR code as #/signin/CODE: SignInWithCode below).
import { useEffect, useRef, useState } from "preact/hooks"
import { login, loginWithCode, LoginError, revokedNotice, session } from "../api/session"
import { go } from "../router"
import { t, lang, setLang } from "../i18n"

type Mode = "password" | "code"

function errorText(err: unknown): string {
  const kind = err instanceof LoginError ? err.kind : "server"
  const minutes = err instanceof LoginError ? Math.max(1, Math.ceil(err.retryAfter / 60)) : 1
  return t(`login.error_${kind}`, { minutes })
}

export function Login({ code: initialCode, initialError }: { code?: string; initialError?: string } = {}) {
  const previous = session.value
  const notice = revokedNotice.value
  const [mode, setMode] = useState<Mode>(initialCode ? "code" : "password")
  const [username, setUsername] = useState(previous?.user.username ?? "")
  const [password, setPassword] = useState("")
  const [code, setCode] = useState(initialCode ?? "")
  const [error, setError] = useState<string | null>(initialError ?? null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      if (mode === "code") await loginWithCode(code)
      else await login(username.trim(), password)
      go("/", true)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  const switchTo = (m: Mode) => {
    setMode(m)
    setError(null)
  }
  return (
    <main class="login">
      <img src="/icon.svg" alt="" width="72" height="72" />
      <h1>{t("app.name")}</h1>
      <p class="muted">{t("login.intro")}</p>
      {notice && (
        <p class="banner danger" role="alert" data-testid="revoked">
          {notice.done ? t("login.revoked") : t("login.revoking")}
        </p>
      )}
      {!notice && previous?.expired && <p class="banner warn">{t("login.expired")}</p>}
      <form onSubmit={submit} name={mode === "code" ? "code-login" : "login"}>
        {mode === "password" ? (
          <>
            <label class="field">
              <span class="field-label">{t("login.username")}</span>
              <input name="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoComplete="username" autoCapitalize="none" required />
            </label>
            <label class="field">
              <span class="field-label">{t("login.password")}</span>
              <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autoComplete="current-password" required />
            </label>
          </>
        ) : (
          <label class="field">
            <span class="field-label">{t("login.code")}</span>
            <input
              name="code"
              class="code-input"
              value={code}
              onInput={(e) => setCode(e.currentTarget.value.toUpperCase())}
              placeholder="ABCD-2345"
              autoComplete="one-time-code"
              autoCapitalize="characters"
              spellcheck={false}
              required
            />
            <span class="muted small">{t("login.code_hint")}</span>
          </label>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button class="btn primary big" type="submit" disabled={busy}>
          {busy ? t("login.busy") : t("login.submit")}
        </button>
      </form>
      <button type="button" class="btn big" name="switch-mode" onClick={() => switchTo(mode === "code" ? "password" : "code")}>
        {mode === "code" ? t("login.with_password") : t("login.with_code")}
      </button>
      <button type="button" class="link" onClick={() => setLang(lang.value === "vi" ? "en" : "vi")}>
        {lang.value === "vi" ? "English" : "Tiếng Việt"}
      </button>
    </main>
  )
}

/**
 * #/signin/CODE (the QR code a team lead shows): signs in with the code at once and goes home; the
 * code leaves the address bar and history either way. If it fails, the code form says why.
 */
export function SignInWithCode({ code }: { code: string }) {
  const [failed, setFailed] = useState<string | null>(null)
  const started = useRef(false)
  useEffect(() => {
    if (started.current) return
    started.current = true
    loginWithCode(code).then(
      () => go("/", true),
      (err) => {
        setFailed(errorText(err))
        history.replaceState(null, "", "#/login")
      },
    )
  }, [code])
  if (failed !== null) return <Login code={code} initialError={failed} />
  return (
    <main class="login">
      <img src="/icon.svg" alt="" width="72" height="72" />
      <h1>{t("app.name")}</h1>
      <p class="muted" role="status">
        {t("login.busy")}
      </p>
    </main>
  )
}

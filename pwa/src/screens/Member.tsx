// One team member, for their team lead or commune officer: a sign-in code with its QR code for a
// new phone, a new password (shown once), unlocking after wrong passwords, the villages given to
// them, their phones (revoke one or all: the phone deletes its copy of the data), and disabling
// the account. Each action that loses something asks first and says what happens.
import { useEffect, useState } from "preact/hooks"
import type { ComponentChildren } from "preact"
import { api } from "../api/http"
import { session } from "../api/session"
import type { TeamAssignment, TeamDevice, TeamMember } from "../api/types"
import { Header } from "../components/Header"
import { Dialog } from "../components/Dialog"
import { ErrorNote } from "../components/ErrorNote"
import { QrCode } from "../components/QrCode"
import { canManage, isLocked, liveDevices, makeSignInCode, memberFlash, personName, signInCodes, signInUrl, useTeam } from "../team/team"
import { Badges } from "./Team"
import { t, time, when } from "../i18n"

type Ask =
  | { kind: "reset" }
  | { kind: "disable" }
  | { kind: "enable" }
  | { kind: "revoke"; device: TeamDevice }
  | { kind: "revoke_all" }
  | { kind: "unassign"; assignment: TeamAssignment }

/** Re-renders every few seconds (a code's remaining minutes, a lock running out). */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(id)
  }, [everyMs])
  return now
}

export function Member({ id }: { id: number }) {
  const me = session.value!.user
  const { team } = useTeam()
  const now = useNow(10_000)
  const [ask, setAsk] = useState<Ask | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState<string | null>(null)
  const [password, setPassword] = useState<string | null>(null)
  const m = team.data?.members.find((x) => x.id === id)
  const flash = memberFlash.value?.id === id ? memberFlash.value : null
  if (!m)
    return (
      <>
        <Header title={t("member.title")} back />
        {team.failure ? <ErrorNote error={team.failure} /> : <p class="empty">{team.data ? t("member.not_found") : t("loading")}</p>}
      </>
    )
  const manage = canManage(me, m.role) && m.id !== me.id
  const code = signInCodes.value[m.id]
  const codeLive = code && code.until > now

  /** Runs an action, then reloads the team (and says what happened). */
  const act = async (fn: () => Promise<unknown>, success?: string) => {
    setBusy(true)
    setError(null)
    setDone(null)
    memberFlash.value = null
    try {
      await fn()
      if (success) setDone(success)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
      setAsk(null)
      void team.reload()
    }
  }
  const base = `/api/v1/users/${m.id}`
  const confirmAsk = () => {
    if (!ask) return
    switch (ask.kind) {
      case "reset":
        return act(async () => {
          const r = await api<{ password: string }>(`${base}/reset-password`, { method: "POST" })
          setPassword(r.password)
        })
      case "disable":
        return act(() => api(base, { method: "PATCH", body: { disabled: true } }), t("member.disabled_done"))
      case "enable":
        return act(() => api(base, { method: "PATCH", body: { disabled: false } }), t("member.enabled_done"))
      case "revoke":
        return act(() => api(`${base}/sessions/${encodeURIComponent(ask.device.session_id)}`, { method: "DELETE" }), t("member.revoked_done", { n: 1 }))
      case "revoke_all":
        return act(async () => {
          const r = await api<{ revoked: number }>(`${base}/sessions`, { method: "DELETE" })
          setDone(t("member.revoked_done", { n: r?.revoked ?? 0 }))
        })
      case "unassign":
        return act(() => api(`/api/v1/assignments/${ask.assignment.id}`, { method: "DELETE" }), t("member.unassigned_done", { village: ask.assignment.village_name }))
    }
  }
  const live = liveDevices(m)
  return (
    <>
      <Header title={m.display_name} back />
      {team.offline && <p class="muted pad small">{t("cache.offline")}</p>}
      <section class="section" data-testid="member-info">
        <p class="name-line">
          <strong>{t(`role.${m.role}`)}</strong>
          <Badges m={m} />
        </p>
        <p class="small">
          {t("login.username")}: <code data-testid="username">{m.username}</code>
        </p>
        {m.phone && (
          <p class="small">
            {t("member.phone")}: <a href={`tel:${m.phone}`}>{m.phone}</a>
          </p>
        )}
        {!m.has_password && <p class="muted small">{t("member.no_password")}</p>}
        {isLocked(m) && (
          <div class="banner warn" data-testid="locked">
            {t("member.locked_until", { time: time(m.locked_until!) })}
            {manage && (
              <button type="button" class="btn" name="unlock" disabled={busy} onClick={() => act(() => api(`${base}/unlock`, { method: "POST" }), t("member.unlocked_done"))}>
                {t("member.unlock")}
              </button>
            )}
          </div>
        )}
      </section>

      {(done || error || flash) && (
        <div class="pad" aria-live="polite">
          {done && (
            <p class="banner ok" role="status">
              {done}
            </p>
          )}
          <ErrorNote error={error ?? flash?.error} />
        </div>
      )}

      {manage && !m.disabled && (
        <section class="section" data-testid="sign-in-code">
          <h2>{t("code.title")}</h2>
          {codeLive ? (
            <div class="code-box">
              <p class="code" data-code={code.code}>
                {code.code}
              </p>
              <QrCode text={signInUrl(code)} label={t("code.qr_label")} />
              <p class="small">{t("code.expires", { minutes: Math.max(1, Math.ceil((code.until - now) / 60_000)), time: time(code.until) })}</p>
              <p class="muted small">{t("code.how")}</p>
              <p class="muted small url" data-testid="code-url">
                {signInUrl(code)}
              </p>
            </div>
          ) : (
            <p class="muted small">{code ? t("code.expired") : t("code.intro")}</p>
          )}
          <button type="button" class={codeLive ? "btn big" : "btn primary big"} name="make-code" disabled={busy} onClick={() => act(() => makeSignInCode(m.id))}>
            {codeLive ? t("code.new") : t("code.make")}
          </button>
        </section>
      )}

      {manage && (
        <section class="section">
          <h2>{t("member.password")}</h2>
          {password ? (
            <div class="once" data-testid="new-password">
              <p class="small">{t("member.password_once")}</p>
              <p class="secret">
                <code>{password}</code>
                <CopyButton text={password} />
              </p>
              <button type="button" class="btn small" onClick={() => setPassword(null)}>
                {t("member.password_hide")}
              </button>
            </div>
          ) : (
            <>
              <p class="muted small">{t("member.reset_intro")}</p>
              <button type="button" class="btn big" name="reset-password" disabled={busy || m.disabled} onClick={() => setAsk({ kind: "reset" })}>
                {t("member.reset")}
              </button>
            </>
          )}
        </section>
      )}

      <section class="section">
        <h2>{t("member.assignments")}</h2>
        {!m.assignments.length && <p class="muted">{t("team.nothing_assigned")}</p>}
        <ul class="rows compact">
          {m.assignments.map((a) => (
            <li key={a.id} class="row" data-assignment={a.village_code}>
              <span class="row-main">
                <strong>{a.village_name}</strong>
                <span class="muted small">{a.household_count === null ? t("team.whole") : t("team.households_n", { n: a.household_count })}</span>
              </span>
              {canManage(me, "enumerator") && (
                <button type="button" class="btn small-touch" name="unassign" disabled={busy} onClick={() => setAsk({ kind: "unassign", assignment: a })}>
                  {t("team.unassign")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section class="section">
        <h2>{t("member.devices", { n: live.length })}</h2>
        {!m.devices.length && <p class="muted">{t("member.no_devices")}</p>}
        <ul class="rows devices">
          {m.devices.map((d) => (
            <DeviceRow key={d.session_id} d={d} manage={manage} busy={busy} onRevoke={() => setAsk({ kind: "revoke", device: d })} />
          ))}
        </ul>
        {manage && live.length > 0 && (
          <button type="button" class="btn danger-outline big" name="revoke-all" disabled={busy} onClick={() => setAsk({ kind: "revoke_all" })}>
            {t("member.revoke_all")}
          </button>
        )}
      </section>

      {manage && (
        <section class="section">
          <h2>{t("member.account")}</h2>
          {m.disabled ? (
            <button type="button" class="btn big" name="enable" disabled={busy} onClick={() => setAsk({ kind: "enable" })}>
              {t("member.enable")}
            </button>
          ) : (
            <button type="button" class="btn danger-outline big" name="disable" disabled={busy} onClick={() => setAsk({ kind: "disable" })}>
              {t("member.disable")}
            </button>
          )}
        </section>
      )}

      {ask && <Confirm ask={ask} m={m} onCancel={() => setAsk(null)} onConfirm={confirmAsk} />}
    </>
  )
}

function DeviceRow({ d, manage, busy, onRevoke }: { d: TeamDevice; manage: boolean; busy: boolean; onRevoke: () => void }) {
  return (
    <li class={`device${d.revoked_at ? " off" : ""}`} data-session={d.session_id}>
      <div class="row">
        <span class="row-main">
          <strong>{t("member.device", { id: d.device_id.slice(0, 8) })}</strong>
          <span class="muted small">{t("member.signed_in", { when: when(d.signed_in_at) })}</span>
          <span class="small">{d.last_sync_at ? t("sync.last", { when: when(d.last_sync_at) }) : <span class="warn">{t("team.never_synced")}</span>}</span>
          {d.revoked_at && (
            <span class="small danger-text" data-badge={d.wiped === false ? "signed-out" : "revoked"}>
              {t(d.wiped === false ? "member.signed_out_at" : "member.revoked_at", { when: when(d.revoked_at) })}
              {d.revoked_reason ? ` (${reasonText(d.revoked_reason)})` : ""}
            </span>
          )}
        </span>
        {manage && !d.revoked_at && (
          <button type="button" class="btn danger-outline small-touch" name="revoke" disabled={busy} onClick={onRevoke}>
            {t("member.revoke")}
          </button>
        )}
      </div>
    </li>
  )
}

/** The server's reason for ending a session (English words, a username inside), in our words. */
function reasonText(reason: string): string {
  const by = /^revoked by (.+)$/.exec(reason)
  if (by) return t("member.reason_by", { name: personName(by[1]) })
  const key = `member.reason.${reason}`
  const own = t(key)
  return own === key ? reason : own
}

function Confirm({ ask, m, onCancel, onConfirm }: { ask: Ask; m: TeamMember; onCancel: () => void; onConfirm: () => void }) {
  const name = m.display_name
  const dialog = (title: string, confirm: string, body: ComponentChildren, danger = true) => (
    <Dialog title={title} confirm={confirm} cancel={t("cancel")} danger={danger} onCancel={onCancel} onConfirm={onConfirm}>
      {body}
    </Dialog>
  )
  const wipe = (
    <>
      <p>{t("member.revoke_body")}</p>
      <p class="warn">{t("member.revoke_unsent")}</p>
    </>
  )
  switch (ask.kind) {
    case "reset":
      return dialog(t("member.reset_title", { name }), t("member.reset"), <p>{t("member.reset_body")}</p>, false)
    case "disable":
      return dialog(t("member.disable_title", { name }), t("member.disable"), (
        <>
          <p>{t("member.disable_body")}</p>
          {wipe}
        </>
      ))
    case "enable":
      return dialog(t("member.enable_title", { name }), t("member.enable"), <p>{t("member.enable_body")}</p>, false)
    case "revoke":
      return dialog(t("member.revoke_title", { device: ask.device.device_id.slice(0, 8) }), t("member.revoke"), wipe)
    case "revoke_all":
      return dialog(t("member.revoke_all_title", { name, n: liveDevices(m).length }), t("member.revoke_all"), wipe)
    case "unassign":
      return dialog(t("member.unassign_title", { village: ask.assignment.village_name, name }), t("team.unassign"), <p>{t("member.unassign_body")}</p>)
  }
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied(true)
    } catch {
      // No clipboard (an insecure page, an old browser): select the text for a long-press copy.
      const el = document.querySelector(".secret code")
      if (el) getSelection()?.selectAllChildren(el)
    }
  }
  return (
    <button type="button" class="btn small-touch" name="copy" onClick={copy}>
      {copied ? t("member.copied") : t("member.copy")}
    </button>
  )
}

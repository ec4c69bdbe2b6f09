// Adding one member: name, phone, role, a username proposed from the name as it is typed (the
// server's suggestion, unused; editable), and optionally a village to give them. Then the
// member's screen opens with a sign-in code ready for their phone.
import { useEffect, useRef, useState } from "preact/hooks"
import { api } from "../api/http"
import { session } from "../api/session"
import type { Assignment, TeamMember, Unit, User } from "../api/types"
import { useCached } from "../hooks/useCached"
import { go } from "../router"
import { Header } from "../components/Header"
import { Choice } from "../components/Choice"
import { ErrorNote } from "../components/ErrorNote"
import { checkPhone, normalizePhone } from "../survey/validate"
import { Hints } from "../components/Hints"
import { makeSignInCode, memberFlash, rolesFor, teamHref, teamUnit } from "../team/team"
import { t } from "../i18n"

export function AddMember() {
  const me = session.value!.user
  const unit = teamUnit()
  const units = useCached<Unit & { children: Unit[] }>(unit ? `/api/v1/units/${encodeURIComponent(unit)}` : null)
  const villages = (units.data?.children ?? []).filter((u) => u.level === "village" && u.status === "active")
  const roles = rolesFor(me)
  const [name, setName] = useState("")
  const [phone, setPhone] = useState("")
  const [role, setRole] = useState<TeamMember["role"]>("enumerator")
  const [username, setUsername] = useState("")
  const [village, setVillage] = useState("")
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  // Once the lead types a username themselves, the proposal stops overwriting it.
  const typed = useRef(false)
  useEffect(() => {
    const n = name.trim()
    if (typed.current || !n) return
    let live = true
    const timer = setTimeout(() => {
      api<{ username: string }>(`/api/v1/users/username-suggestion?name=${encodeURIComponent(n)}`)
        .then((r) => live && !typed.current && setUsername(r.username))
        .catch(() => {}) // offline: the lead types one
    }, 300)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [name])

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const user = await api<User>("/api/v1/users", {
        method: "POST",
        body: {
          display_name: name.trim(),
          role,
          scope_unit: unit,
          ...(phone.trim() ? { phone: normalizePhone(phone.trim()) } : {}),
          ...(username.trim() ? { username: username.trim() } : {}),
        },
      })
      // The member exists now: whatever fails next is said on their screen, not here.
      let later: unknown = null
      try {
        if (village) await api<Assignment>("/api/v1/assignments", { method: "POST", body: { village_code: village, assignee: user.username } })
        await makeSignInCode(user.id)
      } catch (err) {
        later = err
      }
      memberFlash.value = later ? { id: user.id, error: later } : null
      go(teamHref(`/team/m/${user.id}`, unit).slice(1), true)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Header title={t("add.title")} back />
      <form class="section form" name="add-member" onSubmit={submit}>
        <label class="field">
          <span class="field-label">{t("add.name")}</span>
          <input name="display_name" value={name} onInput={(e) => setName(e.currentTarget.value)} autoComplete="off" required />
        </label>
        <label class="field">
          <span class="field-label">{t("add.phone")}</span>
          <input name="phone" type="tel" inputMode="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} autoComplete="off" />
          {phone.trim() && <Hints hints={checkPhone(phone)} />}
        </label>
        {roles.length > 1 && (
          <Choice<TeamMember["role"]> label={t("add.role")} name="role" value={role} options={roles.map((r) => [r, t(`role.${r}`)])} onChange={(r) => r && setRole(r)} clearable={false} />
        )}
        <label class="field">
          <span class="field-label">{t("login.username")}</span>
          <input
            name="username"
            value={username}
            autoCapitalize="none"
            autoComplete="off"
            spellcheck={false}
            onInput={(e) => {
              typed.current = e.currentTarget.value !== ""
              setUsername(e.currentTarget.value)
            }}
          />
          <span class="muted small">{t("add.username_hint")}</span>
        </label>
        <label class="field">
          <span class="field-label">{t("add.village")}</span>
          <select name="village" value={village} onChange={(e) => setVillage(e.currentTarget.value)}>
            <option value="">{t("add.no_village")}</option>
            {villages.map((u) => (
              <option value={u.code} key={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <p class="muted small">{t("add.after")}</p>
        <ErrorNote error={error} context="add" />
        <button type="submit" class="btn primary big" disabled={busy || !name.trim()}>
          {busy ? t("add.busy") : t("add.submit")}
        </button>
      </form>
    </>
  )
}

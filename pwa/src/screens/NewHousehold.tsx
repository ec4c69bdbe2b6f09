// A new household: the three fields that identify it, saved in one change; the rest is filled in
// on the household screen. Warns (never blocks) when the village already has the same head and address.
import { useState } from "preact/hooks"
import { engine } from "../sync/engine"
import { session } from "../api/session"
import { createHousehold } from "../survey/write"
import { householdRows } from "../survey/read"
import { checkPhone, normalizePhone } from "../survey/validate"
import { fold } from "../util/fold"
import { go } from "../router"
import { Header } from "../components/Header"
import { Hints } from "../components/Hints"
import { t } from "../i18n"

export function NewHousehold({ doc }: { doc: string }) {
  const v = engine.value?.village(doc)
  const [head, setHead] = useState("")
  const [address, setAddress] = useState("")
  const [phone, setPhone] = useState("")
  if (!v || v.state !== "ready") return <Header title={t("household.add")} back />
  const same = head.trim()
    ? householdRows(v.handle.doc()).find((r) => fold(r.head) === fold(head) && fold(r.address) === fold(address))
    : undefined
  const save = (e: Event) => {
    e.preventDefault()
    const id = createHousehold(v.handle, { head_name: head, address, phone: phone ? normalizePhone(phone) : "" }, session.peek()!.user.username)
    go(`/v/${doc}/h/${id}`, true)
  }
  return (
    <>
      <Header title={t("household.add")} back />
      <form class="form" onSubmit={save}>
        <label class="field">
          <span class="field-label">{t("household.head_name")}</span>
          <input name="head_name" value={head} onInput={(e) => setHead(e.currentTarget.value)} autoFocus autoComplete="off" />
        </label>
        <label class="field">
          <span class="field-label">{t("household.address")}</span>
          <input name="address" value={address} onInput={(e) => setAddress(e.currentTarget.value)} autoComplete="off" />
        </label>
        <label class="field">
          <span class="field-label">{t("household.phone")}</span>
          <input name="phone" type="tel" inputMode="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} autoComplete="off" />
          <Hints hints={checkPhone(phone)} />
        </label>
        {same && (
          <p class="hint hint-warn">
            ⚠ {t("household.maybe_duplicate")} <a href={`#/v/${doc}/h/${same.id}`}>{same.head}</a>
          </p>
        )}
        <button class="btn primary big" type="submit" name="save">
          {t("save")}
        </button>
      </form>
    </>
  )
}

// One person aged 15+: identity (with CCCD and phone hints), VNeID level and the checklist.
import { useState } from "preact/hooks"
import { engine } from "../sync/engine"
import { PERSON_FLAGS, type Person as P, type Sex } from "../schema"
import { str } from "../survey/read"
import { setPerson } from "../survey/write"
import { checkBirthYear, checkCccd, checkPhone, digitsOnly, normalizePhone } from "../survey/validate"
import { Header } from "../components/Header"
import { TextField } from "../components/TextField"
import { TriState } from "../components/TriState"
import { Choice } from "../components/Choice"
import { Dialog } from "../components/Dialog"
import { reviews, SendBackBanners, SendBackSection } from "../components/SendBacks"
import { t } from "../i18n"

export function Person({ doc, hh, pid }: { doc: string; hh: string; pid: string }) {
  const e = engine.value
  void e?.docTick.value
  const v = e?.village(doc)
  const [removing, setRemoving] = useState(false)
  if (!v || v.state !== "ready") return <Header title={t("person.title")} back />
  const p: P | undefined = v.handle.doc().households?.[hh]?.persons?.[pid]
  if (!p) return <Header title={t("person.not_found")} back />
  const ro = v.entry.access !== "read_write"
  const set = (key: keyof P, value: string | number | boolean | null) => setPerson(v.handle, hh, pid, key, value)
  const sex = str(p.sex) as Sex | ""
  const reviewer = reviews()
  return (
    <>
      <Header title={str(p.full_name) || t("person.no_name")} back />
      {!reviewer && <SendBackBanners hh={hh} pid={pid} />}
      <section class="section">
        <TextField label={t("person.full_name")} name="full_name" value={str(p.full_name)} onCommit={(x) => set("full_name", x)} readOnly={ro} />
        <TextField
          label={t("person.birth_year")}
          name="birth_year"
          type="number"
          value={p.birth_year ? String(p.birth_year) : ""}
          onCommit={(x) => set("birth_year", x && Number.isInteger(Number(x)) ? Number(x) : null)}
          hints={(x) => checkBirthYear(x && Number.isInteger(Number(x)) ? Number(x) : undefined)}
          readOnly={ro}
        />
        <Choice<Sex>
          label={t("person.sex")}
          name="sex"
          value={sex || null}
          options={[
            ["male", t("sex.male")],
            ["female", t("sex.female")],
            ["other", t("sex.other")],
          ]}
          onChange={(x) => set("sex", x ?? "")}
          readOnly={ro}
        />
        <TextField
          label={t("person.cccd")}
          name="cccd"
          type="number"
          value={str(p.cccd)}
          onCommit={(x) => set("cccd", digitsOnly(x))}
          hints={(x) => checkCccd(x, p.birth_year, sex || undefined)}
          readOnly={ro}
        />
        <TextField label={t("person.phone")} name="phone" type="tel" value={str(p.phone)} onCommit={(x) => set("phone", x ? normalizePhone(x) : "")} hints={checkPhone} readOnly={ro} />
      </section>
      <section class="section">
        <h2>{t("person.checklist")}</h2>
        <Choice<number>
          label={t("person.vneid")}
          name="vneid_level"
          value={p.vneid_level ?? null}
          options={[
            [0, t("vneid.0")],
            [1, t("vneid.1")],
            [2, t("vneid.2")],
          ]}
          onChange={(x) => set("vneid_level", x)}
          readOnly={ro}
        />
        {PERSON_FLAGS.map((f) => (
          <TriState key={f} name={f} label={t(`flag.${f}`)} value={p[f]} onChange={(x) => set(f, x)} readOnly={ro} />
        ))}
      </section>
      {reviewer && <SendBackSection hh={hh} pid={pid} />}
      {!ro && (
        <section class="section">
          <button type="button" class="btn danger-outline" onClick={() => setRemoving(true)}>
            {t("person.remove")}
          </button>
        </section>
      )}
      {removing && (
        <Dialog
          title={t("person.remove")}
          confirm={t("person.remove")}
          cancel={t("cancel")}
          danger
          onCancel={() => setRemoving(false)}
          onConfirm={() => {
            set("deleted", true)
            history.back()
          }}
        >
          <p>{t("person.remove_body")}</p>
        </Dialog>
      )}
    </>
  )
}

// One person aged 15+: the details and the checklist of the survey definition (the version this
// phone has), each question drawn by its type and shown only when its rule holds.
import { useState } from "preact/hooks"
import { engine } from "../sync/engine"
import type { Person as P } from "../schema"
import { str } from "../survey/read"
import { setPerson, setPersonTick } from "../survey/write"
import { asked, isRelevant, survey } from "../survey/definition"
import { Header } from "../components/Header"
import { FieldInput } from "../components/FieldInput"
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
  const set = (key: string, value: string | number | boolean | null) => setPerson(v.handle, hh, pid, key, value)
  const tick = (key: string, choice: string, on: boolean) => setPersonTick(v.handle, hh, pid, key, choice, on)
  const record = p as unknown as Record<string, unknown>
  const def = survey.value
  const reviewer = reviews()
  return (
    <>
      <Header title={str(p.full_name) || t("person.no_name")} back />
      {!reviewer && <SendBackBanners hh={hh} pid={pid} />}
      <section class="section">
        {asked(def, "person", "details").map((f) => (
          <FieldInput key={f.key} field={f} record={record} onChange={set} readOnly={ro} />
        ))}
      </section>
      <section class="section">
        <h2>{t("person.checklist")}</h2>
        {asked(def, "person", "checklist")
          .filter((f) => isRelevant(f, record))
          .map((f) => (
            <FieldInput key={f.key} field={f} record={record} onChange={set} onTick={tick} readOnly={ro} />
          ))}
        {!asked(def, "person", "checklist").some((f) => isRelevant(f, record)) && <p class="muted">{t("person.not_asked")}</p>}
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

// Possible duplicates for the team lead to settle: marking one household as a duplicate of the
// first of its group sets its duplicate_of (nothing is deleted; the server projects it).
import { engine } from "../sync/engine"
import { findDuplicates, type DuplicateMember } from "../survey/duplicates"
import { setHousehold } from "../survey/write"
import { Header } from "../components/Header"
import { t } from "../i18n"

export function Duplicates() {
  const e = engine.value
  void e?.docTick.value
  const villages = Object.values(e?.villages.value ?? {}).filter((v) => v.state === "ready")
  const groups = findDuplicates(villages.map((v) => ({ documentId: v.entry.document_id, name: v.entry.unit_name, doc: v.handle.doc() })))
  const writable = (m: DuplicateMember) => e?.village(m.documentId)?.entry.access === "read_write"
  const mark = (m: DuplicateMember, of: DuplicateMember) => {
    const v = e?.village(m.documentId)
    if (v) setHousehold(v.handle, m.householdId, "duplicate_of", of.householdId)
  }
  return (
    <>
      <Header title={t("dup.title")} />
      <p class="muted pad">{t("dup.intro")}</p>
      {!groups.length && <p class="empty">{t("dup.none")}</p>}
      <div class="cards">
        {groups.map((g) => (
          <div class="card" key={`${g.reason}:${g.key}`} data-reason={g.reason}>
            <div class="card-title">
              <strong>{g.reason === "cccd" ? t("dup.same_cccd", { cccd: g.key }) : t("dup.same_name_address")}</strong>
            </div>
            <ul class="rows compact">
              {g.members.map((m, i) => (
                <li key={m.householdId}>
                  <div class="row">
                    <a class="row-main" href={`#/v/${m.documentId}/h/${m.householdId}`}>
                      <strong>{m.head || t("household.no_name")}</strong>
                      <span class="muted">
                        {m.address} · {m.village}
                        {m.person ? ` · ${m.person}` : ""}
                      </span>
                    </a>
                    {i > 0 && writable(m) && (
                      <button type="button" class="btn small" onClick={() => mark(m, g.members[0])}>
                        {t("dup.mark")}
                      </button>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </div>
    </>
  )
}

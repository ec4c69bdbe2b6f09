// "Quản lý": the management screens the role may use, each saying whether it can edit there.
// Some are built beside this one (the unit tree, record problems, the access log); the commune's
// "Hộ trùng" lives here so its navigation keeps six readable items.
import { session } from "../api/session"
import type { Role, Unit } from "../api/types"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { t } from "../i18n"
import { NotForRole } from "./NotForRole"
import { readsDeclared, readsTargets, setsTargets, writesDeclared, editsCampaigns, atLeast } from "./access"

interface Item {
  key: string
  href: string
  shows: (r: Role) => boolean
  /** undefined: the screen says itself what the role may do there */
  edits?: (r: Role) => boolean
}

const ITEMS: Item[] = [
  { key: "declared", href: "#/declared", shows: readsDeclared, edits: writesDeclared },
  { key: "targets", href: "#/targets", shows: readsTargets, edits: setsTargets },
  { key: "campaigns", href: "#/campaigns", shows: (r) => atLeast(r, "team_lead"), edits: editsCampaigns },
  { key: "units", href: "#/units", shows: (r) => r === "province" || r === "admin" },
  { key: "reform", href: "#/reform", shows: (r) => r === "province" || r === "admin" },
  { key: "survey", href: "#/survey", shows: (r) => r === "province" || r === "admin" },
  { key: "indicators", href: "#/indicators", shows: (r) => r === "province" || r === "admin" },
  { key: "raw_data", href: "#/raw-data", shows: (r) => r === "team_lead" || r === "commune" || r === "admin" },
  { key: "problems", href: "#/problems", shows: (r) => atLeast(r, "team_lead") },
  { key: "access_log", href: "#/access-log", shows: (r) => atLeast(r, "commune") },
  // The lead keeps "Hộ trùng" in the navigation; the commune officer finds it here.
  { key: "duplicates", href: "#/dup", shows: (r) => r === "commune" },
]

export function Hub() {
  const me = session.value!.user
  const unit = useCached<Unit>(me.scope_unit ? `/api/v1/units/${encodeURIComponent(me.scope_unit)}` : null)
  const role = t(`role.${me.role}`).toLocaleLowerCase("vi")
  const items = ITEMS.filter((i) => i.shows(me.role))
  if (items.length === 0) return <NotForRole title={t("console.title")} hub={false} />
  return (
    <>
      <Header title={t("console.title")} />
      <p class="pad muted small">
        {me.scope_unit ? t("console.intro", { role, unit: unit.data?.name ?? me.scope_unit }) : t("console.intro_all", { role })}
      </p>
      <ul class="rows console-hub">
        {items.map((i) => (
          <li key={i.key}>
            <a class="row" href={i.href} data-console={i.key}>
              <span class="row-main">
                <strong>{t(`console.item.${i.key}`)}</strong>
                <span class="small muted wrap">{t(`console.item.${i.key}.desc`)}</span>
              </span>
              {i.edits && (
                <span class={`tag ${i.edits(me.role) ? "can-edit" : ""}`} data-edits={String(i.edits(me.role))}>
                  {i.edits(me.role) ? t("console.can_edit") : t("console.read_only")}
                </span>
              )}
              <span class="chev" aria-hidden="true">
                ›
              </span>
            </a>
          </li>
        ))}
      </ul>
    </>
  )
}

// What a screen shows instead of itself: to a role that may not use it ("not for your role"), and
// for an address the app does not have ("not found"). Never a blank page, never a silent redirect.
// Shared by the officials' console screens: `allows(roles)` says whether the signed-in role may.
import type { Role } from "../api/types"
import { session } from "../api/session"
import { t } from "../i18n"
import { Header } from "./Header"

/** Whether the signed-in user's role is one of `roles`. */
export const allows = (roles: readonly Role[]) => {
  const role = session.value?.user.role
  return !!role && roles.includes(role)
}

/** `hub`: point to "Quản lý" (#/console), where the screens the role may use are listed. */
export function NotForRole({ title, hub = false }: { title?: string; hub?: boolean }) {
  const role = session.value?.user.role
  return (
    <>
      <Header title={title ?? t("console.not_for_role")} back />
      <section class="section" data-testid="not-for-role" role="alert">
        <h2>{t("console.not_for_role")}</h2>
        <p class="muted">{t("console.not_for_role_body", { role: role ? t(`role.${role}`) : "" })}</p>
        {hub && (
          <>
            <p class="muted small">{t("console.not_for_role_hint")}</p>
            <a class="btn big" href="#/console">
              {t("console.open_hub")}
            </a>
          </>
        )}
        <a class="btn big" href="#/">
          {t("console.home")}
        </a>
      </section>
    </>
  )
}

export function NotFound() {
  return (
    <>
      <Header title={t("console.not_found")} back />
      <section class="section" data-testid="not-found" role="alert">
        <h2>{t("console.not_found")}</h2>
        <p class="muted">{t("console.not_found_body")}</p>
        <a class="btn big primary" href="#/">
          {t("console.home")}
        </a>
      </section>
    </>
  )
}

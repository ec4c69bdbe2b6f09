// The unit tree (province, admin): search by name (without diacritics) or code; without a search,
// the caller's top units (the provinces for an admin, else the scope unit and the units under it),
// each opening its page. The list of the last answer stays readable offline (useCached).
import { session } from "../api/session"
import { useCached } from "../hooks/useCached"
import { Header } from "../components/Header"
import { num, t } from "../i18n"
import { rememberUnits, unitPath, type UnitDetail, type UnitInfo } from "./data"
import { SearchBox, SearchNote, UnitRow, useUnitSearch } from "./parts"

export function UnitTree() {
  const me = session.value!.user
  const s = useUnitSearch()
  // An admin starts from the provinces; anyone else from their own unit and what lies under it.
  const provinces = useCached<UnitInfo[]>(me.scope_unit ? null : "/api/v1/units?level=province&include_inactive=true")
  const own = useCached<UnitDetail>(me.scope_unit ? unitPath(me.scope_unit) : null)
  const offline = provinces.offline || own.offline
  if (provinces.data) rememberUnits(provinces.data)
  if (own.data) rememberUnits([own.data, ...own.data.children])
  return (
    <>
      <Header title={t("units.title")} />
      <SearchBox s={s} label={t("units.search")} />
      {offline && <p class="banner">{t("cache.offline")}</p>}
      {s.text.trim() ? (
        <>
          <SearchNote s={s} />
          {s.results && s.results.length > 0 && (
            <>
              <p class="pad muted small" data-testid="found">
                {t("units.found", { n: s.results.length })}
              </p>
              <ul class="rows" data-testid="search-results">
                {s.results.map((u) => (
                  <UnitRow key={u.code} u={u} />
                ))}
              </ul>
            </>
          )}
        </>
      ) : (
        <>
          <p class="pad muted small">{t("units.search_hint")}</p>
          {provinces.data && (
            <section class="section" data-testid="roots">
              <h2>{t("units.provinces", { n: num(provinces.data.length) })}</h2>
              <ul class="rows flush">
                {provinces.data.map((u) => (
                  <UnitRow key={u.code} u={u} />
                ))}
              </ul>
            </section>
          )}
          {own.data && (
            <section class="section" data-testid="roots">
              <ul class="rows flush">
                <UnitRow u={own.data} />
              </ul>
              <h2 class="gap">{t("units.children", { n: num(own.data.children.length) })}</h2>
              <ul class="rows flush">
                {own.data.children.map((u) => (
                  <UnitRow key={u.code} u={u} />
                ))}
              </ul>
            </section>
          )}
          {!provinces.data && !own.data && !offline && <p class="empty">{t("loading")}</p>}
          <section class="section">
            <a class="btn big" href="#/units/import" data-action="import-units">
              {t("units.import_open")}
            </a>
          </section>
        </>
      )}
    </>
  )
}

// Where the table on screen sits: province › district › commune, from the user's own unit down
// to the unit shown (whose name is the screen's title); every level above it opens its table.
import { useEffect, useState } from "preact/hooks"
import { api } from "../api/http"
import { session } from "../api/session"
import type { Unit } from "../api/types"
import { t } from "../i18n"
import { readJson, writeJson } from "../util/storage"
import { unitHref, type View } from "./format"

type Link = Pick<Unit, "code" | "name" | "level" | "parent_code">

const known = new Map<string, Link>()
const storeKey = (code: string) => `khaosat.cache.${session.peek()?.user.username}.unit-link.${code}`

/** A unit's name and parent: remembered (also offline), else asked of the server. */
async function unitLink(code: string): Promise<Link | null> {
  const mem = known.get(code) ?? readJson<Link | null>(storeKey(code), null)
  if (mem) return mem
  try {
    const u = await api<Unit>(`/api/v1/units/${encodeURIComponent(code)}`)
    const link = { code: u.code, name: u.name, level: u.level, parent_code: u.parent_code }
    known.set(code, link)
    writeJson(storeKey(code), link)
    return link
  } catch {
    return null
  }
}

/** The units from `top` (the user's own unit; null: the root) down to `unit`. */
export function useChain(unit: Link | undefined, top: string | null): Link[] {
  const [chain, setChain] = useState<Link[]>([])
  const code = unit?.code
  const parent = unit?.parent_code
  useEffect(() => {
    if (!unit) return setChain([])
    let live = true
    setChain([unit])
    void (async () => {
      const up: Link[] = []
      let cur: Link = unit
      while (cur.code !== top && cur.parent_code) {
        const next = await unitLink(cur.parent_code)
        if (!next) break
        up.unshift(next)
        cur = next
      }
      if (live) setChain([...up, unit])
    })()
    return () => {
      live = false
    }
  }, [code, parent, top])
  return chain
}

/**
 * The units above the one shown, each a link, in the screen's header above its name (the name is
 * the last step: "Tỉnh Thanh Hóa › Huyện Nga Sơn ›" over "Xã Nga Liên").
 */
export function Breadcrumb({ chain, view }: { chain: Link[]; view: Partial<View> }) {
  if (chain.length < 2) return null
  return (
    <nav class="crumbs" aria-label={t("drill.breadcrumb")} data-testid="breadcrumb">
      <ol>
        {chain.slice(0, -1).map((u) => (
          <li key={u.code}>
            <a href={unitHref(u.code, view)} data-crumb={u.code}>
              {u.name}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  )
}

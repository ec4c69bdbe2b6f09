// Hash routes (#/v/<doc>/h/<household>…): work offline with any server path and survive reloads.
import { signal } from "@preact/signals"

const current = () => location.hash.replace(/^#/, "") || "/"
export const route = signal(current())
addEventListener("hashchange", () => {
  route.value = current()
  scrollTo(0, 0)
})

export function go(path: string, replace = false): void {
  if (replace) {
    history.replaceState(null, "", `#${path}`)
    route.value = path
  } else location.hash = path
}

/** Matches "/v/:doc/h/:hh" against a path; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/")
  const s = path.split("?")[0].split("/")
  if (p.length !== s.length) return null
  const out: Record<string, string> = {}
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) out[p[i].slice(1)] = decodeURIComponent(s[i])
    else if (p[i] !== s[i]) return null
  }
  return out
}

// Automerge's wasm is fetched as its own hashed file (precached by the service worker) and
// compiled once. Everything Automerge-related imports the "slim" entry points, which do not try to
// load the wasm themselves, so the app shell can render before this finishes.
import { initializeWasm } from "@automerge/automerge/slim"
import wasmUrl from "@automerge/automerge/automerge.wasm?url"

let ready: Promise<void> | undefined

export function automergeReady(): Promise<void> {
  ready ??= initializeWasm(wasmUrl).then(() => void performance.mark("khaosat:wasm-ready"))
  return ready
}

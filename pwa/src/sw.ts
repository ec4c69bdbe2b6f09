// Service worker registration (vite-plugin-pwa, "prompt" mode): a new version waits until the user
// agrees (components/UpdatePrompt.tsx), so the page is never reloaded over unsaved work.
import { signal } from "@preact/signals"
import { registerSW } from "virtual:pwa-register"

export const updateWaiting = signal(false)
export const offlineReady = signal(false)
let update: ((reload?: boolean) => Promise<void>) | undefined

export function startServiceWorker(): void {
  if (!("serviceWorker" in navigator)) return
  update = registerSW({
    onNeedRefresh: () => (updateWaiting.value = true),
    onOfflineReady: () => (offlineReady.value = true),
    // Phones keep the app open for days: look for a new version every hour.
    onRegisteredSW: (_url, reg) => reg && setInterval(() => void reg.update().catch(() => {}), 60 * 60 * 1000),
  })
}

export async function applyUpdate(): Promise<void> {
  // A page opened before the app was installed is not controlled by a service worker: a new
  // version then activates at once, nobody waits for the "skip waiting" message and no
  // "controlling" event comes to reload the page, so reload it here.
  if (!navigator.serviceWorker?.controller) return location.reload()
  await update?.(true)
}

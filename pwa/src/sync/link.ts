// The WebSocket link to the server, following the access token.
//
// The stock WebSocketClientAdapter keeps the URL it was made with and retries it every 5 s for
// ever, and our URL carries a 15-minute access token (browsers cannot set headers on a
// WebSocket). The server checks the token only at the upgrade, so a connected socket stays good
// after the token expires, but an adapter whose token has expired can never connect again.
// So the link owns the adapter: whenever the socket is down and the current fresh token differs
// from the adapter's, it swaps in a new stock adapter for the new URL through the repo's
// NetworkSubsystem (addNetworkAdapter/removeNetworkAdapter); with no fresh token it keeps no
// adapter at all (no futile 401s) until the token keeper (api/keeper.ts) has renewed it.
//
// A browser never sees why a WebSocket upgrade failed, nor why the server closed a socket. So
// when the socket drops, and every 30 s while it cannot join, the link asks the HTTP API once
// (`probe`): a device the team lead has revoked is answered 401 `device_revoked` there, and the
// phone deletes its copy at this next contact (api/session.ts: deviceRevoked).
import { effect, signal } from "@preact/signals"
import type { PeerId, Repo } from "@automerge/automerge-repo/slim"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { accessFresh, session } from "../api/session"

export function syncUrl(token: string): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:"
  return `${scheme}//${location.host}/api/v1/sync?token=${encodeURIComponent(token)}`
}

export class SyncLink {
  /** the server's peer id while a socket is joined */
  readonly server = signal<PeerId | null>(null)
  /** when the current socket joined (ms) */
  readonly connectedAt = signal<number | null>(null)
  private adapter: WebSocketClientAdapter | undefined
  private adapterToken: string | null = null
  private stopEffect: () => void
  private timer: ReturnType<typeof setInterval>
  private lastProbe = 0

  constructor(
    private readonly repo: Repo,
    private readonly probe: () => void = () => {},
  ) {
    const net = repo.networkSubsystem
    net.on("peer", ({ peerId }) => {
      this.server.value = peerId
      this.connectedAt.value = Date.now()
    })
    net.on("peer-disconnected", () => {
      this.server.value = null
      this.connectedAt.value = null
      this.reconcile()
      this.check(true)
    })
    this.stopEffect = effect(() => {
      void session.value // a new token: maybe swap
      this.reconcile()
    })
    // A token can expire while we wait for a network: stop retrying it.
    this.timer = setInterval(() => {
      this.reconcile()
      this.check(false)
    }, 10_000)
  }

  /** Asks the API whether this device may still sync (see the top of this file). */
  private check(dropped: boolean) {
    if (this.server.value || !this.adapter || !navigator.onLine) return
    if (!dropped && Date.now() - this.lastProbe < 30_000) return
    this.lastProbe = Date.now()
    this.probe()
  }

  private reconcile() {
    if (this.server.value) return // a joined socket outlives its token
    const s = session.value
    const token = accessFresh(s, 0.1) ? s.access : null
    if (token === this.adapterToken) return
    // Update our state before touching the network subsystem: removing an adapter emits
    // peer-disconnected synchronously, which calls back into reconcile().
    const old = this.adapter
    this.adapterToken = token
    this.adapter = token ? new WebSocketClientAdapter(syncUrl(token)) : undefined
    if (old) {
      try {
        this.repo.networkSubsystem.removeNetworkAdapter(old)
      } catch {
        // an adapter that never connected has no socket to close
      }
    }
    if (this.adapter) this.repo.networkSubsystem.addNetworkAdapter(this.adapter)
  }

  close() {
    this.stopEffect()
    clearInterval(this.timer)
    this.adapterToken = null
    const old = this.adapter
    this.adapter = undefined
    if (old) {
      try {
        this.repo.networkSubsystem.removeNetworkAdapter(old)
      } catch {
        // see reconcile()
      }
    }
  }
}

// The signed-in user's village documents: an automerge-repo Repo stored in IndexedDB (one
// database per user, so a shared phone does not mix teams), the server link, and what the sync
// bar shows (changes not yet on the server, last successful sync, progress).
import { batch, computed, effect, signal } from "@preact/signals"
import { refreshSurvey } from "../survey/definition"
import { Repo, type DocHandle, type DocumentId, type PeerId } from "@automerge/automerge-repo/slim"
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb"
import * as A from "@automerge/automerge/slim"
import type { VillageDocument } from "../schema"
import type { DocumentEntry, User } from "../api/types"
import { api } from "../api/http"
import { readJson, writeJson } from "../util/storage"
import { automergeReady } from "./wasm"
import { SyncLink } from "./link"
import { holdsExactly, unsentChanges, unsentHouseholds } from "./heads"

export interface Village {
  entry: DocumentEntry
  handle: DocHandle<VillageDocument>
  state: "loading" | "ready" | "unavailable"
  /** our changes the server has not confirmed */
  unsent: number
  /** the server has confirmed exactly our heads */
  inSync: boolean
  lastSyncAt: number | null
}

interface ServerView {
  heads: string[]
  /** when the server last confirmed it holds all our changes of this document */
  syncedAt: number | null
}

/** Roles that record households (and so have village documents on the phone). */
const hasDocuments = (user: User) => ["enumerator", "team_lead", "commune"].includes(user.role)

export const dbName = (username: string) => `khaosat-${username}`

export class Engine {
  readonly link: SyncLink
  readonly villages = signal<Record<string, Village>>({})
  /** bumped (at most once a frame) when any document's content changes: screens re-read */
  readonly docTick = signal(0)
  readonly docsError = signal<string | null>(null)
  private serverView: Record<string, ServerView>
  /** counts the server's sync messages; per document, the count at the last one heard */
  private heard = 0
  private heardAt: Record<string, number> = {}
  private pendingTick = false
  /** the list of this user's documents is known (kept from an earlier run, or fetched) */
  private listKnown: boolean
  private disposers: (() => void)[] = []

  readonly unsent = computed(() => Object.values(this.villages.value).reduce((n, v) => n + v.unsent, 0))
  readonly lastSyncAt = computed(() =>
    Object.values(this.villages.value).reduce<number | null>((t, v) => (v.lastSyncAt && (!t || v.lastSyncAt > t) ? v.lastSyncAt : t), null),
  )
  /** every document has been read from IndexedDB (or found missing): the counts mean something */
  readonly loaded = computed(() => Object.values(this.villages.value).every((v) => v.state !== "loading" || !!this.link.server.value))
  /** while connected: documents the server has confirmed / all documents it still serves us */
  readonly progress = computed(() => {
    const all = Object.values(this.villages.value).filter((v) => !v.entry.removed)
    return { done: all.filter((v) => v.inSync).length, total: all.length }
  })

  constructor(
    readonly repo: Repo,
    readonly user: User,
    private readonly storage?: IndexedDBStorageAdapter,
  ) {
    this.serverView = readJson(this.key("server"), {})
    // When the socket drops or cannot join: one cheap API call tells whether this device was
    // revoked (api() then deletes this copy) or the session ended (sign in again, data kept).
    this.link = new SyncLink(repo, () => void api("/api/v1/me").catch(() => {}))
    // Every sync message the server answers tells us its heads (theirHeads).
    const onSyncState = ({ peerId, documentId, syncState }: { peerId: PeerId; documentId: DocumentId; syncState: A.SyncState }) => {
      if (peerId !== this.link.server.value) return
      const theirs = (syncState as unknown as { theirHeads: string[] | null }).theirHeads
      if (!theirs) return
      this.heardAt[documentId] = ++this.heard
      this.noteServerHeads(documentId, theirs)
    }
    repo.synchronizer.on("sync-state", onSyncState)
    this.disposers.push(() => repo.synchronizer.off("sync-state", onSyncState))
    // Each (re)connection: refresh the list of documents (new assignments), the server's heads and
    // the survey definition (a version published while this phone was offline).
    this.disposers.push(
      effect(() => {
        if (this.link.server.value) {
          void this.refreshDocuments()
          void refreshSurvey()
        }
      }),
    )
    const flush = () => void this.repo.flush().catch(() => {})
    addEventListener("pagehide", flush)
    const onHidden = () => document.visibilityState === "hidden" && flush()
    document.addEventListener("visibilitychange", onHidden)
    this.disposers.push(() => {
      removeEventListener("pagehide", flush)
      document.removeEventListener("visibilitychange", onHidden)
    })
    this.listKnown = !hasDocuments(user) || localStorage.getItem(this.key("docs")) !== null
    this.open(readJson<DocumentEntry[]>(this.key("docs"), []))
  }

  private key(what: string) {
    return `khaosat.${what}.${this.user.username}`
  }

  /** Fetches GET /me/documents (online) and opens every document in it. */
  async refreshDocuments(): Promise<void> {
    if (!hasDocuments(this.user)) return
    try {
      const asked = this.heard
      const listed = await api<DocumentEntry[]>("/api/v1/me/documents")
      // A village taken off this user's list (assignment removed) keeps its place while it holds
      // changes the server has not confirmed: they stay counted as unsent, so sign-out keeps them,
      // until the server has them (e.g. once the village is assigned again).
      const ids = new Set(listed.map((e) => e.document_id))
      const kept = Object.values(this.villages.peek())
        .filter((v) => !ids.has(v.entry.document_id) && (v.state === "loading" || v.unsent > 0))
        .map((v) => ({ ...v.entry, removed: true }))
      const entries = [...listed, ...kept]
      writeJson(this.key("docs"), entries)
      this.listKnown = true
      this.docsError.value = null
      this.open(entries)
      // The list's heads were read when the server got the request. A sync message heard since
      // may be newer (it confirmed a change stored meanwhile) or older: the server held both, so
      // it holds what either names, and the two are kept together until the next message.
      for (const e of listed) {
        const since = (this.heardAt[e.document_id] ?? 0) > asked
        const known = this.serverView[e.document_id]?.heads ?? []
        this.noteServerHeads(e.document_id, since ? [...new Set([...known, ...e.heads])] : e.heads)
      }
    } catch (e) {
      this.docsError.value = String(e)
    }
  }

  private open(entries: DocumentEntry[]) {
    const next: Record<string, Village> = {}
    for (const entry of entries) {
      const existing = this.villages.peek()[entry.document_id]
      if (existing) {
        next[entry.document_id] = { ...existing, entry }
        continue
      }
      const { handle } = this.repo.findWithProgress<VillageDocument>(`automerge:${entry.document_id}` as never)
      handle.on("change", () => this.bump())
      handle.on("heads-changed", () => this.recompute(entry.document_id))
      void handle.whenReady(["ready", "unavailable"]).then(() => this.recompute(entry.document_id))
      next[entry.document_id] = { entry, handle, state: "loading", unsent: 0, inSync: false, lastSyncAt: this.serverView[entry.document_id]?.syncedAt ?? null }
    }
    this.villages.value = next
    for (const id of Object.keys(next)) this.recompute(id)
    void Promise.all(Object.values(next).map((v) => v.handle.whenReady(["ready", "unavailable"]))).then(() => {
      if (!performance.getEntriesByName("khaosat:docs-loaded").length) performance.mark("khaosat:docs-loaded")
    })
  }

  private noteServerHeads(documentId: string, heads: string[]) {
    const v = this.villages.peek()[documentId]
    const prev = this.serverView[documentId]
    let syncedAt = prev?.syncedAt ?? null
    if (v?.handle.isReady() && holdsExactly(v.handle.doc(), heads)) syncedAt = Date.now()
    this.serverView[documentId] = { heads, syncedAt }
    writeJson(this.key("server"), this.serverView)
    this.recompute(documentId)
  }

  private recompute(documentId: string) {
    const v = this.villages.peek()[documentId]
    if (!v) return
    const h = v.handle
    const state: Village["state"] = h.isReady() ? "ready" : h.state === "unavailable" ? "unavailable" : "loading"
    const server = this.serverView[documentId]
    let unsent = 0
    let inSync = false
    if (state === "ready") {
      const doc = h.doc()
      unsent = unsentChanges(doc, server?.heads ?? [])
      inSync = !!server && holdsExactly(doc, server.heads)
    }
    const updated: Village = { ...v, state, unsent, inSync, lastSyncAt: server?.syncedAt ?? null }
    if (updated.state === v.state && updated.unsent === v.unsent && updated.inSync === v.inSync && updated.lastSyncAt === v.lastSyncAt) return
    batch(() => {
      this.villages.value = { ...this.villages.peek(), [documentId]: updated }
      this.bump()
    })
  }

  private bump() {
    if (this.pendingTick) return
    this.pendingTick = true
    requestAnimationFrame(() => {
      this.pendingTick = false
      this.docTick.value++
    })
  }

  /** Households with changes the server has not confirmed yet (for a mark in the list). */
  unsentHouseholds(documentId: string): Set<string> {
    const v = this.villages.peek()[documentId]
    if (!v || v.state !== "ready" || !v.unsent) return new Set()
    return unsentHouseholds(v.handle.doc(), this.serverView[documentId]?.heads ?? [])
  }

  /**
   * The server has confirmed every change on this phone: the list of documents is known, every
   * document has been read from IndexedDB and none has unsent changes. Only then may the user's
   * copy be deleted.
   */
  allSent(): boolean {
    return this.listKnown && Object.values(this.villages.peek()).every((v) => v.state !== "loading" && v.unsent === 0)
  }

  village(documentId: string): Village | undefined {
    return this.villages.value[documentId]
  }

  /**
   * Closes the IndexedDB connection, which the stock adapter keeps open for ever (and an open
   * connection blocks deleting the database until the page goes away). Call after stop().
   */
  async closeStorage(): Promise<void> {
    // The adapter has no close(); its connection is the private `dbPromise` (checked at run time).
    const db = await (this.storage as unknown as { dbPromise?: Promise<IDBDatabase> } | undefined)?.dbPromise?.catch(() => undefined)
    if (db && typeof db.close === "function") db.close()
  }

  async stop(): Promise<void> {
    this.disposers.forEach((d) => d())
    this.link.close()
    await this.repo.flush().catch(() => {})
    await this.repo.shutdown().catch(() => {})
  }
}

export const engine = signal<Engine | null>(null)

export async function startEngine(user: User): Promise<Engine> {
  await automergeReady()
  const storage = new IndexedDBStorageAdapter(dbName(user.username))
  // Every change is written to IndexedDB as soon as the previous write is done, not up to 100 ms
  // later (the stock rate): an edit made just before the browser is closed or killed survives.
  const repo = new Repo({ storage, network: [], saveDebounceRate: 0 })
  const e = new Engine(repo, user, storage)
  engine.value = e
  return e
}

/**
 * Stops syncing. With `forget`, and only if the server has confirmed every change of this user's
 * (checked here, see allSent), also deletes their documents and cached lists from the phone;
 * returns whether it did.
 */
export async function stopEngine(forget: boolean): Promise<boolean> {
  const e = engine.peek()
  engine.value = null
  if (!e) return false
  const sent = e.allSent()
  await e.stop()
  if (!forget || !sent) return false
  await e.closeStorage()
  await forgetLocalCopy(e.user.username)
  return true
}

/**
 * Deletes a user's copy of the survey data from this phone: their automerge-repo database and
 * the lists and API answers cached for them. Used on sign-out once everything is sent, and at
 * once, unsent changes or not, when the server says this device was revoked.
 */
async function forgetLocalCopy(user: string): Promise<void> {
  for (const key of Object.keys(localStorage)) {
    if (key === `khaosat.docs.${user}` || key === `khaosat.server.${user}` || key.startsWith(`khaosat.cache.${user}.`)) localStorage.removeItem(key)
  }
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(dbName(user))
    req.onsuccess = req.onerror = req.onblocked = () => resolve()
  })
}

/**
 * This device was revoked (server: 401 `device_revoked`): stop syncing without sending anything
 * more and delete the user's copy, whatever it holds (api/session.ts: deviceRevoked).
 */
export async function wipeUser(username: string): Promise<void> {
  const e = engine.peek()
  if (e && e.user.username === username) {
    engine.value = null
    await e.stop()
    await e.closeStorage()
  }
  await forgetLocalCopy(username)
}

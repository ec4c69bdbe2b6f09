// "Cần sửa" on a household or person screen. A member sees what the lead sent back, with the
// lead's comment and name, until their fix reaches the server (it clears itself there). A team
// lead or commune officer sees the open send-backs of the record, withdraws one ("Rút lại"), or
// sends the record back with a comment (1–500 characters; needs the network).
import { useState } from "preact/hooks"
import { api } from "../api/http"
import { session } from "../api/session"
import type { SendBack } from "../api/types"
import { isReviewer, SEND_BACKS, useShared } from "../review/shared"
import { ErrorNote } from "./ErrorNote"
import { t, when } from "../i18n"

const MAX = 500
/** Characters as the server counts them (Unicode scalar values), after trimming. */
export const commentLength = (s: string) => [...s.trim()].length

/** The open send-backs of one household (of one person in it, with `pid`; all of them with `pid` "*"). */
export function useSendBacks(hh: string, pid?: string) {
  const list = useShared<SendBack[]>(SEND_BACKS)
  const mine = (list.data ?? []).filter((s) => s.household_id === hh && (pid === "*" || (s.person_id ?? undefined) === pid))
  return { list, mine }
}

interface Props {
  hh: string
  /** the person screen: that person's send-backs; the household screen: the household's */
  pid?: string
  /** the names of the household's persons, to say whose a person's send-back is */
  names?: Record<string, string>
  /** whether this record has changes on the phone the server has not confirmed yet (asked only when there is a banner) */
  unsent?: () => boolean
}

/** The member's banners (on the household and person screens). */
export function SendBackBanners({ hh, pid, unsent }: Props) {
  const { mine } = useSendBacks(hh, pid)
  if (!mine.length) return null
  const fixed = unsent?.() ?? false
  return (
    <div class="send-backs" data-testid="send-back-banners">
      {mine.map((s) => (
        <div key={s.id} class="banner sendback" data-send-back={s.id} role="note">
          <strong>{t("sendback.banner")}</strong>
          <p class="comment">{s.comment}</p>
          <p class="small muted">{t("sendback.from", { name: s.created_by_name, when: when(s.created_at) })}</p>
          {fixed && <p class="small">{t("sendback.fix_pending")}</p>}
        </div>
      ))}
    </div>
  )
}

/** The reviewer's section: open send-backs of this record, withdraw, send back. */
export function SendBackSection({ hh, pid, names = {} }: Props) {
  const { list, mine } = useSendBacks(hh, pid ?? "*")
  const [open, setOpen] = useState(false)
  const [comment, setComment] = useState("")
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState<string | null>(null)
  const n = commentLength(comment)
  const act = async (fn: () => Promise<unknown>, success: string) => {
    setBusy(true)
    setError(null)
    setDone(null)
    try {
      await fn()
      setDone(success)
      return true
    } catch (e) {
      setError(e)
      return false
    } finally {
      setBusy(false)
      void list.reload()
    }
  }
  const submit = async (ev: Event) => {
    ev.preventDefault()
    if (n < 1 || n > MAX) return
    const body = { ...(pid ? { person_id: pid } : {}), comment: comment.trim() }
    if (await act(() => api<SendBack>(`/api/v1/households/${encodeURIComponent(hh)}/send-back`, { method: "POST", body }), t("sendback.sent"))) {
      setComment("")
      setOpen(false)
    }
  }
  return (
    <section class="section" data-testid="send-back">
      <h2>{t("sendback.title")}</h2>
      {list.offline && <p class="muted small">{t("cache.offline")}</p>}
      {mine.length > 0 && (
        <ul class="rows compact send-back-list">
          {mine.map((s) => (
            <li key={s.id} class="row" data-send-back={s.id}>
              <span class="row-main">
                {s.person_id && !pid && <span class="small wrap">{t("sendback.person", { name: names[s.person_id] || t("person.no_name") })}</span>}
                <span class="comment">{s.comment}</span>
                <span class="small muted wrap">{t("sendback.from", { name: s.created_by_name, when: when(s.created_at) })}</span>
              </span>
              <button type="button" class="btn small-touch" name="withdraw" disabled={busy} onClick={() => act(() => api(`/api/v1/send-backs/${s.id}`, { method: "DELETE" }), t("sendback.withdrawn"))}>
                {t("sendback.withdraw")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {!mine.length && !open && <p class="muted small">{t(pid ? "sendback.none_person" : "sendback.none")}</p>}
      {done && (
        <p class="banner ok" role="status">
          {done}
        </p>
      )}
      <ErrorNote error={error} context="sendback" />
      {open ? (
        <form name="send-back" class="send-back-form" onSubmit={submit}>
          <label class="field">
            <span class="field-label">{t(pid ? "sendback.comment_person" : "sendback.comment")}</span>
            <textarea name="comment" rows={3} maxLength={MAX + 20} value={comment} onInput={(e) => setComment(e.currentTarget.value)} autoFocus />
          </label>
          <p class={`small nums ${n > MAX ? "error" : "muted"}`} data-testid="comment-count">
            {t("sendback.count", { n, max: MAX })}
          </p>
          <div class="actions">
            <button type="button" class="btn" onClick={() => setOpen(false)}>
              {t("cancel")}
            </button>
            <button type="submit" class="btn primary" name="send" disabled={busy || n < 1 || n > MAX}>
              {t("sendback.submit")}
            </button>
          </div>
        </form>
      ) : (
        <button type="button" class="btn big" name="send-back" onClick={() => (setOpen(true), setDone(null))}>
          {t(pid ? "sendback.action_person" : "sendback.action")}
        </button>
      )}
    </section>
  )
}

/** Whoever is signed in reviews the members' work (sees the section, not the banners). */
export const reviews = () => isReviewer(session.value?.user)

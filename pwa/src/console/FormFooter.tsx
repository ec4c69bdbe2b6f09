// The end of every console form: the problem found before sending, the server's refusal, and
// "Hủy" beside the save button (which says it is saving while the request runs).
import { t } from "../i18n"
import { ErrorNote } from "../components/ErrorNote"

type Props = {
  problem: string | null
  /** `data-testid` of the problem line. */
  problemId: string
  failure: Parameters<typeof ErrorNote>[0]["error"]
  busy: boolean
  onCancel: () => void
  /** The save button's `name`, its label and its label while saving. */
  saveName: string
  save: string
  saving: string
}

export function FormFooter({ problem, problemId, failure, busy, onCancel, saveName, save, saving }: Props) {
  return (
    <>
      {problem && (
        <p class="error" role="alert" data-testid={problemId}>
          {problem}
        </p>
      )}
      <ErrorNote error={failure} />
      <div class="actions">
        <button type="button" class="btn" onClick={onCancel} disabled={busy}>
          {t("cancel")}
        </button>
        <button type="submit" class="btn primary" name={saveName} disabled={busy}>
          {busy ? saving : save}
        </button>
      </div>
    </>
  )
}

// A confirmation dialog (the native <dialog>): used before anything that could lose work.
import { useEffect, useRef } from "preact/hooks"
import type { ComponentChildren } from "preact"

interface Props {
  title: string
  children: ComponentChildren
  confirm: string
  cancel: string
  danger?: boolean
  onConfirm: () => void
  onCancel: () => void
}

export function Dialog({ title, children, confirm, cancel, danger, onConfirm, onCancel }: Props) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    ref.current?.showModal()
  }, [])
  return (
    <dialog ref={ref} class="dialog" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <h2>{title}</h2>
      <div class="dialog-body">{children}</div>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={onCancel}>
          {cancel}
        </button>
        <button type="button" class={danger ? "btn danger" : "btn primary"} onClick={onConfirm}>
          {confirm}
        </button>
      </div>
    </dialog>
  )
}

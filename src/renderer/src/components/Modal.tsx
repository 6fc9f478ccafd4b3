import { useCallback, type ReactNode } from 'react'

/**
 * A modal on the native <dialog>: the browser traps focus, closes on Esc, marks the rest inert
 * and gives it the dialog role. Mounted only while open; focus starts on `[data-autofocus]`.
 */
export function Modal(props: {
  labelledBy: string
  describedBy?: string
  onClose: () => void
  className?: string
  children: ReactNode
}) {
  const { onClose } = props
  const ref = useCallback((dialog: HTMLDialogElement | null) => {
    if (!dialog || dialog.open) return
    const before = document.activeElement
    dialog.showModal()
    // showModal focuses the first control; React renders no autofocus attribute, so say which.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus()
    // Unmounting is not closing: give focus back to where it was, as close() would.
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus({ preventScroll: true })
    }
  }, [])
  return (
    <dialog
      ref={ref}
      className={`modal ${props.className ?? ''}`}
      aria-labelledby={props.labelledBy}
      aria-describedby={props.describedBy}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
    >
      {props.children}
    </dialog>
  )
}

/** True while a native modal is open: page-level shortcuts stand back. */
export function modalOpen(): boolean {
  return document.querySelector('dialog[open]') !== null
}

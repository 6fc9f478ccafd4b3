import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { deleteSamples, undoDeletion } from '../data/deletions'
import { offline } from '../data/offline'
import type { DeletionReceipt, JobRef } from '../data/types'
import { describeError } from '../errors'
import { getSettings, updateSettings } from '../settings'
import { showToast, updateToast } from '../toasts'
import { DeleteDialog } from './DeleteDialog'

interface Request {
  ids: string[]
  name: string | null
}

/**
 * Deleting: confirm with the count (single deletes may skip it by a setting), delete through
 * the data layer, then a toast with the outcome and Undo.
 */
export function useDeleteFlow(job: JobRef, onDeleted: (ids: string[]) => void) {
  const { t } = useTranslation()
  const [pending, setPending] = useState<Request | null>(null)

  const errorLine = (error: unknown) => {
    const d = describeError(error)
    const said = d.service?.errorMsg ?? d.detail
    const explain = t(`errors.explain.${d.code}`)
    return said ? t('errors.line', { explain, said }) : explain
  }

  const undo = async (receipt: DeletionReceipt) => {
    try {
      const result = await undoDeletion(receipt)
      showToast(
        result.restored.length > 0
          ? { message: t('delete.undone', { count: result.restored.length }), tone: 'info' }
          : { message: t('delete.tooLate'), tone: 'info' }
      )
    } catch (error) {
      showToast({ message: errorLine(error), tone: 'error' })
    }
  }

  const perform = async (ids: string[]) => {
    const toast = showToast({ message: t('delete.deleting', { count: ids.length }), tone: 'info' })
    try {
      const receipt = await deleteSamples(job, ids)
      onDeleted([...receipt.done, ...receipt.queued])
      const parts: string[] = []
      if (receipt.done.length) parts.push(t('delete.done', { count: receipt.done.length }))
      if (receipt.queued.length) {
        // Queued in the outbox: gone from every view now, sent after the undo window.
        const offlineNow = offline().context.connectivity.state(job.connectionId) === 'offline'
        const count = receipt.queued.length
        parts.push(offlineNow ? t('delete.doneOffline', { count }) : t('delete.done', { count }))
      }
      if (receipt.failed.length) {
        const first = receipt.failed[0]
        parts.push(
          t('delete.failed', {
            count: receipt.failed.length,
            message: first.message ?? first.code ?? ''
          })
        )
      }
      updateToast(toast, {
        message: parts.join(' '),
        tone: receipt.failed.length ? 'error' : 'info',
        action: receipt.undoable
          ? { label: t('delete.undo'), run: () => void undo(receipt) }
          : undefined
      })
    } catch (error) {
      updateToast(toast, { message: errorLine(error), tone: 'error' })
    }
  }

  const request = (ids: string[], name: string | null) => {
    if (ids.length === 0) return
    if (ids.length === 1 && !getSettings().confirmSingleDelete) void perform(ids)
    else setPending({ ids, name })
  }

  const dialog = pending && (
    <DeleteDialog
      count={pending.ids.length}
      name={pending.name}
      onCancel={() => setPending(null)}
      onConfirm={(dontAsk) => {
        if (dontAsk) updateSettings({ confirmSingleDelete: false })
        setPending(null)
        void perform(pending.ids)
      }}
    />
  )
  return { request, dialog, confirming: pending !== null }
}

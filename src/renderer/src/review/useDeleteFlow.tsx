import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { deleteSamples, undoDeletion } from '../data/deletions'
import { offline } from '../data/offline'
import type { DeletionReceipt, JobKey } from '../data/types'
import { describeError } from '../errors'
import { currentLocale } from '../i18n'
import { formatList } from '../i18n/format'
import { getSettings, updateSettings } from '../settings'
import { showToast, updateToast } from '../toasts'
import { DeleteDialog } from './DeleteDialog'
import { log } from '../log'

/** How many names a confirmation or a toast spells out before "and N more". */
export const NAMED = 3

interface Request {
  ids: string[]
  /** The first `NAMED` images' names (their ids where the cache has no name). */
  names: string[]
}

/**
 * Deleting: confirm by name and count (single deletes may skip it by a setting), delete through
 * the data layer, then a toast naming what was deleted, with Undo for as long as the undo
 * window holds the deletion back. `namesOf` answers the names of some ids, in order.
 */
export function useDeleteFlow(
  job: JobKey,
  onDeleted: (ids: string[]) => void,
  namesOf: (ids: readonly string[]) => Promise<string[]>
) {
  const { t } = useTranslation()
  const [pending, setPending] = useState<Request | null>(null)

  const errorLine = (error: unknown) => {
    const d = describeError(error)
    const said = d.service?.errorMsg ?? d.detail
    const explain = t(`errors.explain.${d.code}`)
    return said ? t('errors.line', { explain, said }) : explain
  }

  /** “a”, “b”, “c”, and 7 more. */
  const listOf = (request: Request) => {
    const quoted = request.names.map((name) => t('delete.quoted', { name }))
    const rest = request.ids.length - request.names.length
    return formatList(
      rest > 0 ? [...quoted, t('delete.more', { count: rest })] : quoted,
      currentLocale()
    )
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

  const perform = async (request: Request) => {
    const { ids } = request
    const list = listOf(request)
    const toast = showToast({ message: t('delete.deleting', { count: ids.length }), tone: 'info' })
    try {
      const receipt = await deleteSamples(job, ids, getSettings().undoWindowSeconds * 1000)
      onDeleted([...receipt.done, ...receipt.queued])
      // Queued in the outbox: gone from every view now, sent after the undo window.
      const offlineNow = offline().context.connectivity.state(job.connectionId) === 'offline'
      const count = ids.length
      const parts = [
        count === 1 ? t('delete.doneOne', { list }) : t('delete.doneMany', { count, list })
      ]
      if (offlineNow) parts.push(t('delete.whenOnline', { count }))
      if (receipt.failed.length) {
        const first = receipt.failed[0]
        parts.push(
          t('delete.failed', {
            count: receipt.failed.length,
            message: first.message ?? first.code ?? ''
          })
        )
      }
      const until = receipt.undoUntil
      updateToast(toast, {
        message: parts.join(' '),
        tone: receipt.failed.length ? 'error' : 'info',
        action:
          receipt.undoable && until !== null
            ? {
                label: t('delete.undo'),
                name: t('delete.undoNamed', { list }),
                run: () => void undo(receipt),
                until
              }
            : undefined
      })
    } catch (error) {
      updateToast(toast, { message: errorLine(error), tone: 'error' })
    }
  }

  const request = async (ids: string[]) => {
    if (ids.length === 0) return
    let names: string[]
    try {
      names = await namesOf(ids.slice(0, NAMED))
    } catch (error) {
      // Names are a courtesy: without them the confirmation still states the count.
      log.warn('could not read the names of the images to delete', error)
      names = ids.slice(0, NAMED)
    }
    const next = { ids, names }
    if (ids.length === 1 && !getSettings().confirmSingleDelete) void perform(next)
    else setPending(next)
  }

  const dialog = pending && (
    <DeleteDialog
      count={pending.ids.length}
      list={listOf(pending)}
      onCancel={() => setPending(null)}
      onConfirm={(dontAsk) => {
        if (dontAsk) updateSettings({ confirmSingleDelete: false })
        setPending(null)
        void perform(pending)
      }}
    />
  )
  return { request: (ids: string[]) => void request(ids), dialog, confirming: pending !== null }
}

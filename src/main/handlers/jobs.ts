import type { IpcRouter } from '../ipc/router'
import type { MainServices } from '../services'

/** Datasets and samples: each call goes to the connection's client (api/operations.ts). */
export function addJobHandlers(router: IpcRouter, services: MainServices): void {
  const { pool, fetcher } = services
  const ops = async (connectionId: string) => (await pool.get(connectionId)).ops

  router.addHandler('jobs.list', async ({ connectionId, workspaceId }) =>
    (await ops(connectionId)).listDatasets(workspaceId)
  )
  router.addHandler('jobs.workspaces', async ({ connectionId }) =>
    (await ops(connectionId)).listWorkspaces()
  )
  router.addHandler('jobs.tasks', async ({ connectionId, datasetId }) =>
    (await ops(connectionId)).listTasks(datasetId)
  )
  router.addHandler('jobs.get', async ({ connectionId, jobId }) =>
    (await ops(connectionId)).getDataset(jobId)
  )
  router.addHandler('jobs.labels', async ({ connectionId, jobId }) =>
    (await ops(connectionId)).listLabels(jobId)
  )
  router.addHandler('jobs.stats', async ({ connectionId, jobId }) =>
    (await ops(connectionId)).getStats(jobId)
  )

  router.addHandler('samples.page', async ({ connectionId, jobId, filter, page, perPage }) => {
    const client = await pool.get(connectionId)
    const listed = await client.ops.listPage(jobId, filter, page, perPage)
    // The listing already carries thumbnail URLs: remember them so the grid's images are one
    // request each instead of two.
    fetcher.remember(
      { connectionId, jobId, variant: 'thumb' },
      listed.thumbSources.flatMap(({ id, source }) => {
        // URL.canParse: a malformed source is simply looked up again later, not an error here.
        const base = client.endpoints.modelarts
        return URL.canParse(source, base.toString()) ? [{ id, source: new URL(source, base) }] : []
      })
    )
    return listed.page
  })
  router.addHandler('samples.get', async ({ connectionId, jobId, sampleId }) =>
    (await ops(connectionId)).getImageInfoById(jobId, sampleId)
  )
  router.addHandler('samples.delete', async ({ connectionId, jobId, sampleIds }) =>
    (await ops(connectionId)).deleteSamples(jobId, sampleIds)
  )
  router.addHandler('samples.updateLabels', async ({ connectionId, jobId, edits }) =>
    (await ops(connectionId)).applyLabelEdits(jobId, edits)
  )
  router.addHandler('samples.judge', async ({ connectionId, jobId, stage, verdicts }) =>
    (await ops(connectionId)).applyVerdicts(jobId, stage, verdicts)
  )
}

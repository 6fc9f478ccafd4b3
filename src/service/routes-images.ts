import type { FastifyInstance } from 'fastify'
import { readFile } from 'node:fs/promises'
import type { ServiceContext } from './context'
import { ApiError } from './errors'
import { checkSource, variantKey } from './image-urls'
import { CONTENT_TYPES, ImageMissing } from './images'
import { ImageQuery, parse, SampleParams } from './params'

/**
 * The image store behind `source` URLs, like OBS behind a presigned URL: the signature and expiry
 * in the query are the only credentials, and its refusals use OBS's codes.
 */
const noSuchKey = () => new ApiError(404, 'NoSuchKey', 'The image does not exist')

export function registerImages(app: FastifyInstance, ctx: ServiceContext): void {
  app.get(
    '/v2/:project_id/datasets/:dataset_id/data-annotations/samples/:sample_id/image',
    async (request, reply) => {
      const params = parse(SampleParams, request.params)
      const query = parse(ImageQuery, request.query)
      const variant = query['x-image-process'] ?? null
      const ref = {
        projectId: params.project_id,
        datasetId: params.dataset_id,
        sampleId: params.sample_id,
        variant
      }
      const check = checkSource(ctx.urlSecret, ref, query.expires, query.signature, ctx.now())
      if (check === 'bad-signature')
        throw new ApiError(403, 'SignatureDoesNotMatch', 'The image URL signature does not match')
      if (check === 'expired')
        throw new ApiError(
          403,
          'AccessDenied',
          'The image URL has expired: ask for the sample again'
        )
      const dataset = ctx.store.dataset(params.project_id, params.dataset_id)
      const row = dataset && ctx.store.sample(dataset.id, params.sample_id)
      if (!row) throw noSuchKey()
      let file: string
      try {
        file = await ctx.files.get(row, variant)
      } catch (error) {
        if (error instanceof ImageMissing) throw noSuchKey()
        throw error
      }
      const bytes = await readFile(file)
      // A sample's image never changes, so its id, variant and size name its bytes.
      const etag = `"${row.id}-${variantKey(variant)}-${bytes.length.toString(36)}"`
      reply
        .header('ETag', etag)
        .header('Cache-Control', 'private, max-age=86400, immutable')
        .header('Content-Type', variant ? 'image/jpeg' : CONTENT_TYPES[row.format])
      const match = request.headers['if-none-match']
      if (match && (match === '*' || match.split(/\s*,\s*/).includes(etag)))
        return reply.code(304).send()
      return reply.send(bytes)
    }
  )
}

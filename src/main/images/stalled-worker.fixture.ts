import { parentPort } from 'node:worker_threads'

/**
 * For `signature-thread.test.ts`: a signature thread that gets no CPU, as one at idle priority
 * on a machine kept busy would. It takes every batch and answers none.
 */
parentPort?.on('message', () => {})

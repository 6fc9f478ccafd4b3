import { test, expect } from './fixtures'
import {
  demoJob,
  goneOnService,
  openDemoJob,
  screenshot,
  serviceOps,
  thumbsLoaded,
  tileAt
} from './review-helpers'

test.use({ viewport: { width: 1280, height: 800 } })

test.describe('Chinese', () => {
  test.use({ locale: 'en-US' })

  test('switch to Chinese in settings: the delete flow and sync status read in Chinese, and the choice is remembered', async ({
    page,
    shell,
    service
  }) => {
    const job = demoJob(service, 'detection')
    const ops = serviceOps(service)
    await openDemoJob(page, shell.url, job)

    await page.getByRole('button', { name: 'Settings' }).click()
    await page
      .getByRole('dialog', { name: 'Settings' })
      .getByLabel('Language')
      .selectOption('zh-CN')
    await expect(page.getByRole('dialog', { name: '设置' })).toBeVisible()
    await page.getByRole('button', { name: '关闭' }).click()
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
    await expect(page.getByRole('radio', { name: /^全部 [\d,]+$/ })).toBeVisible()
    await expect(page.getByTestId('sync-status')).toContainText(/在线|离线|正在检查/)
    await expect(page.getByTestId('sync-status')).toContainText('在线')
    await thumbsLoaded(page, 15)
    await screenshot(page, 'grid-zh.png')

    const id = (await tileAt(page, 0).getAttribute('data-sample-id'))!
    const name = (await ops.getImageInfoById(job.id, id)).name
    await tileAt(page, 0).dblclick()
    await expect(page.getByTestId('box-count')).toHaveText(/^\d+ 个标注框$/)
    await expect(page.getByRole('img', { name: /及其标注框$/ })).toHaveAttribute(
      'aria-busy',
      'false'
    )
    await screenshot(page, 'viewer-zh.png')

    await page.getByRole('button', { name: '删除图片' }).click()
    const confirm = page.getByRole('dialog', { name: '删除 1 张图片？' })
    await expect(confirm).toBeVisible()
    await expect(confirm).toContainText(`将从服务中删除“${name}”。`)
    await screenshot(confirm, 'delete-confirm-zh.png')
    await confirm.getByRole('button', { name: '删除 1 张图片' }).click()
    await expect(page.getByTestId('toast').filter({ hasText: `已删除“${name}”。` })).toBeVisible()
    await expect(page.getByRole('button', { name: `撤销删除“${name}”` })).toBeVisible()
    await expect(page.getByTestId('sync-status')).toContainText('在线')
    // Deletions go through the outbox: sent after the undo window (10 s by default).
    await expect.poll(() => goneOnService(ops, job.id, [id]), { timeout: 30_000 }).toEqual([id])
    await expect(page.getByTestId('sync-status')).toHaveAttribute('data-pending', '0')

    await page.reload()
    await expect(page.getByRole('heading', { name: '连接', exact: true })).toBeVisible()
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')
  })
})

test.describe('first run in a Chinese browser', () => {
  test.use({ locale: 'zh-CN' })

  test('starts in Chinese', async ({ page, shell }) => {
    await page.goto(shell.url)
    await expect(page.getByRole('heading', { name: '连接', exact: true })).toBeVisible()
    await expect(page.getByRole('button', { name: '打开演示' })).toBeVisible()
  })
})

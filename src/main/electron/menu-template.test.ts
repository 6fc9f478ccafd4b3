import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import { buildMenuTemplate } from './menu-template'

/** Every item of a template, submenus included. */
function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [
    item,
    ...(Array.isArray(item.submenu) ? flatten(item.submenu as MenuItemConstructorOptions[]) : [])
  ])
}

const DEVELOPER_ROLES = ['reload', 'forceReload', 'toggleDevTools']

function rolesOf(template: MenuItemConstructorOptions[]): string[] {
  return flatten(template).flatMap((item) => (item.role ? [item.role] : []))
}

describe('buildMenuTemplate', () => {
  const base = { locale: 'en' as const, platform: 'linux' as const, onAbout: () => undefined }

  it.each(['linux', 'win32', 'darwin'] as const)(
    'a packaged build on %s offers no DevTools and no reload',
    (platform) => {
      const roles = rolesOf(buildMenuTemplate({ ...base, platform, isPackaged: true }))
      for (const role of DEVELOPER_ROLES) expect(roles).not.toContain(role)
      // The rest of the View menu is still there.
      expect(roles).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'togglefullscreen']))
    }
  )

  it('a development build keeps reload and DevTools in the View menu', () => {
    const template = buildMenuTemplate({ ...base, isPackaged: false })
    const view = template.find((menu) => menu.label === 'View')
    const viewRoles = rolesOf((view?.submenu ?? []) as MenuItemConstructorOptions[])
    expect(viewRoles).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']))
  })

  it('leaves no separator at the top of the packaged View menu', () => {
    const template = buildMenuTemplate({ ...base, isPackaged: true })
    const view = template.find((menu) => menu.label === 'View')
    const first = (view?.submenu as MenuItemConstructorOptions[])[0]
    expect(first?.type).not.toBe('separator')
  })

  it('speaks the chosen language', () => {
    const labels = buildMenuTemplate({ ...base, locale: 'zh-CN', isPackaged: false }).map(
      (menu) => menu.label
    )
    expect(labels).toEqual(['文件', '编辑', '视图', '窗口', '帮助'])
  })

  it('puts the app menu first on macOS and About under Help everywhere', () => {
    const onAbout = vi.fn()
    const template = buildMenuTemplate({ ...base, platform: 'darwin', isPackaged: true, onAbout })
    expect(template[0]?.label).toBe('Tagdeck')
    const help = template.at(-1)?.submenu as MenuItemConstructorOptions[]
    const about = help.find((item) => item.label === 'About Tagdeck')
    about?.click?.({} as never, undefined, {} as never)
    expect(onAbout).toHaveBeenCalledTimes(1)
  })
})

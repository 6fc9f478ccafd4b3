/**
 * Keyboard review: one table says which key does what where. The key handler and the "?"
 * sheet both read it, so the sheet lists every shortcut there is and nothing else.
 */
export type Context = 'grid' | 'viewer'

export type Action =
  /**
   * Arrows in the grid: `select` moves the focus and a single selection with it (as a file
   * manager does), `extend` grows the selection from its anchor (Shift), `focus` moves only the
   * focus (Ctrl, or Cmd on macOS), leaving the selection as it is.
   */
  | { kind: 'move'; dx: number; dy: number; mode: 'select' | 'extend' | 'focus' }
  | { kind: 'step'; by: 1 | -1 }
  | { kind: 'open' }
  | { kind: 'close' }
  | { kind: 'delete' }
  | { kind: 'toggleSelect' }
  | { kind: 'selectAll' }
  | { kind: 'boxes' }
  | { kind: 'fit' }
  | { kind: 'zoom'; by: 1 | -1 }
  | { kind: 'help' }
  // Review: a verdict (tasks), a grade for it, the tags of a classification image, undo.
  | { kind: 'accept' }
  | { kind: 'reject' }
  | { kind: 'grade' }
  | { kind: 'retag' }
  | { kind: 'undo' }
  | { kind: 'compare' }
  /** The review report (Shift+R): what this sitting and the whole job changed. */
  | { kind: 'report' }
  /** Escape in the viewer: the box editor's step back (drawing, then the box), else close. */
  | { kind: 'back' }
  // The viewer's box editor (only where boxes can be edited).
  | { kind: 'pickBox'; by: 1 | -1 }
  | { kind: 'moveBox'; dx: number; dy: number }
  /** The right and bottom edges, out (positive) or in. */
  | { kind: 'growBox'; dx: number; dy: number }
  | { kind: 'relabelBox' }
  | { kind: 'drawBox' }
  /** Enter while drawing: a box in the middle of the view, for the keyboard alone. */
  | { kind: 'placeBox' }

export interface KeyEvent {
  key: string
  shiftKey: boolean
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
}

/** Key names in the sheet: i18n keys under `shortcuts.keys`, or the character itself. */
export type KeyName =
  | {
      i18n:
        | 'arrows'
        | 'space'
        | 'enter'
        | 'escape'
        | 'delete'
        | 'backspace'
        | 'shift'
        | 'ctrl'
        | 'cmd'
        | 'alt'
        | 'option'
    }
  | { char: string }

export interface Shortcut {
  /** Alternatives; each alternative is keys pressed together. */
  keys: KeyName[][]
  /** i18n key under `shortcuts`. */
  label:
    | 'move'
    | 'nextPrev'
    | 'open'
    | 'close'
    | 'delete'
    | 'toggleSelect'
    | 'extend'
    | 'moveFocus'
    | 'selectAll'
    | 'boxes'
    | 'fit'
    | 'zoom'
    | 'help'
    | 'accept'
    | 'reject'
    | 'grade'
    | 'retag'
    | 'undo'
    | 'compare'
    | 'report'
    | 'back'
    | 'deleteBox'
    | 'pickBox'
    | 'moveBox'
    | 'moveBoxFar'
    | 'growBox'
    | 'relabelBox'
    | 'drawBox'
    | 'placeBox'
  contexts: Context[]
}

const k = (c: string): KeyName => ({ char: c })
const n = (name: Extract<KeyName, { i18n: string }>['i18n']): KeyName => ({ i18n: name })

/** `editBoxes`: the viewer edits boxes, and its Escape and Delete act on the selected box first. */
export function shortcutTable(isMac: boolean, editBoxes = false): Shortcut[] {
  const mod = isMac ? n('cmd') : n('ctrl')
  const alt = isMac ? n('option') : n('alt')
  const viewer: Context[] = editBoxes ? [] : ['viewer']
  const boxes: Shortcut[] = [
    { keys: [[n('escape')]], label: 'back', contexts: ['viewer'] },
    { keys: [[n('delete')], [n('backspace')]], label: 'deleteBox', contexts: ['viewer'] },
    { keys: [[k(']')], [k('[')]], label: 'pickBox', contexts: ['viewer'] },
    { keys: [[alt, n('arrows')]], label: 'moveBox', contexts: ['viewer'] },
    { keys: [[alt, n('shift'), n('arrows')]], label: 'moveBoxFar', contexts: ['viewer'] },
    { keys: [[alt, mod, n('arrows')]], label: 'growBox', contexts: ['viewer'] },
    { keys: [[k('l')]], label: 'relabelBox', contexts: ['viewer'] },
    { keys: [[k('n')]], label: 'drawBox', contexts: ['viewer'] },
    { keys: [[n('enter')]], label: 'placeBox', contexts: ['viewer'] }
  ]
  return [
    { keys: [[n('arrows')]], label: 'move', contexts: ['grid'] },
    { keys: [[k('j')], [k('k')]], label: 'nextPrev', contexts: ['grid', 'viewer'] },
    { keys: [[k('←')], [k('→')]], label: 'nextPrev', contexts: ['viewer'] },
    { keys: [[n('enter')], [n('space')]], label: 'open', contexts: ['grid'] },
    { keys: [[n('escape')]], label: 'close', contexts: ['grid', ...viewer] },
    { keys: [[n('delete')], [n('backspace')]], label: 'delete', contexts: ['grid', ...viewer] },
    { keys: [[k('x')]], label: 'toggleSelect', contexts: ['grid', 'viewer'] },
    { keys: [[n('shift'), n('arrows')]], label: 'extend', contexts: ['grid'] },
    { keys: [[mod, n('arrows')]], label: 'moveFocus', contexts: ['grid'] },
    { keys: [[mod, k('a')]], label: 'selectAll', contexts: ['grid'] },
    { keys: [[k('b')]], label: 'boxes', contexts: ['grid', 'viewer'] },
    { keys: [[k('f')], [k('0')]], label: 'fit', contexts: ['viewer'] },
    { keys: [[k('+')], [k('-')]], label: 'zoom', contexts: ['viewer'] },
    { keys: [[k('a')]], label: 'accept', contexts: ['grid', 'viewer'] },
    { keys: [[k('r')]], label: 'reject', contexts: ['grid', 'viewer'] },
    { keys: [[k('g')]], label: 'grade', contexts: ['viewer'] },
    { keys: [[k('t')]], label: 'retag', contexts: ['grid', 'viewer'] },
    { keys: [[k('c')]], label: 'compare', contexts: ['viewer'] },
    { keys: [[k('u')], [mod, k('z')]], label: 'undo', contexts: ['grid', 'viewer'] },
    { keys: [[n('shift'), k('R')]], label: 'report', contexts: ['grid', 'viewer'] },
    { keys: [[k('?')]], label: 'help', contexts: ['grid', 'viewer'] },
    ...(editBoxes ? boxes : [])
  ]
}

/** What a key press means in a context, or null to let the browser have it. */
export function actionFor(event: KeyEvent, context: Context, isMac: boolean): Action | null {
  const mod = isMac ? event.metaKey : event.ctrlKey
  const arrows: Record<string, [number, number]> = {
    ArrowLeft: [-1, 0],
    ArrowRight: [1, 0],
    ArrowUp: [0, -1],
    ArrowDown: [0, 1]
  }
  if (event.altKey) {
    // Alt+arrows move the viewer's selected box; with Ctrl (Cmd) they move its far edges.
    if (context !== 'viewer' || !(event.key in arrows)) return null
    const [dx, dy] = arrows[event.key]
    if (mod) return event.shiftKey ? null : { kind: 'growBox', dx, dy }
    const by = event.shiftKey ? 10 : 1
    return { kind: 'moveBox', dx: dx * by, dy: dy * by }
  }
  if (mod) {
    if (event.key.toLowerCase() === 'z' && !event.shiftKey) return { kind: 'undo' }
    if (context !== 'grid') return null
    if (event.key.toLowerCase() === 'a') return { kind: 'selectAll' }
    if (event.key in arrows && !event.shiftKey) {
      const [dx, dy] = arrows[event.key]
      return { kind: 'move', dx, dy, mode: 'focus' }
    }
    return null
  }
  if (event.key in arrows) {
    const [dx, dy] = arrows[event.key]
    if (context === 'grid')
      return { kind: 'move', dx, dy, mode: event.shiftKey ? 'extend' : 'select' }
    if (dx !== 0) return { kind: 'step', by: dx > 0 ? 1 : -1 }
    return null
  }
  switch (event.key) {
    case 'j':
      return { kind: 'step', by: 1 }
    case 'k':
      return { kind: 'step', by: -1 }
    case 'Enter':
      return context === 'grid' ? { kind: 'open' } : { kind: 'placeBox' }
    case ' ':
      // Space opens from the grid and, like Quick Look, closes the viewer again.
      return context === 'grid' ? { kind: 'open' } : { kind: 'close' }
    case 'Escape':
      return context === 'grid' ? { kind: 'close' } : { kind: 'back' }
    case 'Delete':
    case 'Backspace':
      return { kind: 'delete' }
    case 'x':
      return { kind: 'toggleSelect' }
    case 'b':
      return { kind: 'boxes' }
    case '?':
      return { kind: 'help' }
    case 'R':
      // Shift+R only: with Caps Lock on, r (reject) arrives as R without Shift.
      return event.shiftKey ? { kind: 'report' } : null
    case 'u':
      return { kind: 'undo' }
    case 'a':
      return { kind: 'accept' }
    case 'r':
      return { kind: 'reject' }
    case 'g':
      return context === 'viewer' ? { kind: 'grade' } : null
    case 't':
      return { kind: 'retag' }
    case 'c':
      return context === 'viewer' ? { kind: 'compare' } : null
    case 'f':
    case '0':
      return context === 'viewer' ? { kind: 'fit' } : null
    case '+':
    case '=':
      return context === 'viewer' ? { kind: 'zoom', by: 1 } : null
    case '-':
      return context === 'viewer' ? { kind: 'zoom', by: -1 } : null
    case ']':
      return context === 'viewer' ? { kind: 'pickBox', by: 1 } : null
    case '[':
      return context === 'viewer' ? { kind: 'pickBox', by: -1 } : null
    case 'l':
      return context === 'viewer' ? { kind: 'relabelBox' } : null
    case 'n':
      return context === 'viewer' ? { kind: 'drawBox' } : null
    default:
      return null
  }
}

const ACTIVATION_KEYS = new Set(['Enter', ' '])
const ARROWS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'])

/**
 * Whether the focused control handles this key itself: text fields take every key, buttons
 * and links take Enter and Space, radios and selects take the arrows too.
 */
export function ownsKey(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true
  if (target instanceof HTMLSelectElement) return true
  if (target instanceof HTMLInputElement) {
    if (['checkbox', 'button', 'submit', 'reset'].includes(target.type))
      return ACTIVATION_KEYS.has(key)
    if (target.type === 'radio' || target.type === 'range')
      return ACTIVATION_KEYS.has(key) || ARROWS.has(key)
    return true
  }
  if (target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement) {
    return ACTIVATION_KEYS.has(key)
  }
  if (target.tagName === 'SUMMARY') return ACTIVATION_KEYS.has(key)
  return false
}

export function isMacPlatform(): boolean {
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)
}

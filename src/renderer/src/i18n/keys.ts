/** Flattening and plural bookkeeping of locale files, shared by the parity test and main. */
export type Messages = { [key: string]: string | Messages }

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/

export function flatten(messages: Messages, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

/** A key without its plural suffix, and the category it is for (or null). */
export function pluralBase(key: string): { base: string; category: string | null } {
  const match = PLURAL_SUFFIX.exec(key)
  return match
    ? { base: key.slice(0, match.index), category: match[1] }
    : { base: key, category: null }
}

/** `{{name}}` / `{{name, format}}` placeholders in a message. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]).sort()
}

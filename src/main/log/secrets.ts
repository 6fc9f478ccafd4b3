/**
 * The secrets this process has held (saved SKs and passwords, a form's secret being tested):
 * the log blanks them wherever they appear, even where no pattern would know them, e.g. a
 * service that echoes a password in its error message. Values only, never written anywhere.
 */
const known = new Set<string>()
const MAX = 256

export function rememberSecret(value: string | null | undefined): void {
  if (!value || value.length < 4) return
  if (known.size >= MAX) known.delete(known.values().next().value as string)
  known.add(value)
}

export function knownSecrets(): Iterable<string> {
  return known
}

/**
 * Deny by default: Tagdeck needs no camera, microphone, geolocation, notifications, MIDI,
 * HID, serial or anything else a page may ask for. A permission is added here, with a reason,
 * only when a feature needs it.
 */
const ALLOWED = new Set<string>([
  // Copying a sample id to the clipboard from the viewer.
  'clipboard-sanitized-write'
])

export function isPermissionAllowed(
  permission: string,
  requestingOrigin: string,
  trusted: (origin: string) => boolean
): boolean {
  return ALLOWED.has(permission) && trusted(requestingOrigin)
}

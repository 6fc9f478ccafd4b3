// pino-roll 4 ships no types: what src/main/log/logger.ts uses of it.
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom'
  import type { SonicBoomOpts } from 'sonic-boom'

  interface PinoRollOptions extends Omit<SonicBoomOpts, 'dest'> {
    file: string | (() => string)
    size?: string | number
    frequency?: 'daily' | 'hourly' | 'weekly' | number
    extension?: string
    symlink?: boolean
    limit?: { count?: number; removeOtherLogFiles?: boolean }
    dateFormat?: string
  }

  export default function build(options: PinoRollOptions): Promise<SonicBoom>
}

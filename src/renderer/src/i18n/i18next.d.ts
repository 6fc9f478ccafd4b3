import 'i18next'
import type en from '../../../shared/locales/en.json'

// Type-checks every t('key') against the English file (the locale test keeps zh-CN in step).
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation'
    resources: { translation: typeof en }
    returnNull: false
    interpolationFormatTypeMap: { bytes: number; speed: number }
  }
}

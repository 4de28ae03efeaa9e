import type { MessageSchema } from './zh-CN'
import enCore from './en.core'
import enStaff from './en.staff'

// English: all messages, in the same two parts as zh-CN.ts.
const en: MessageSchema = { ...enCore, ...enStaff }

export default en

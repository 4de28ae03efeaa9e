// Simplified Chinese, the default language: all messages. They live in two parts, so that the
// resident's phone pages do not load the staff pages' messages: zh-CN.core.ts (every page) and
// zh-CN.staff.ts (the console and the staff phone pages). `en.ts` must have exactly the same keys
// (the types make the compiler check it; src/locales/locales.test.ts checks it at run time).
import zhCNCore from './zh-CN.core'
import zhCNStaff from './zh-CN.staff'

const zhCN = { ...zhCNCore, ...zhCNStaff }

export type MessageSchema = typeof zhCN
export default zhCN

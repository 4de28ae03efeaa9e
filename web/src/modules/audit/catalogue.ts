// The closed lists the audit log's filters offer, read from the zh-CN (staff) messages that translate
// them (locales.test.ts checks them against the server's lists in crates/linli-core).
import zhCN from '@/locales/zh-CN.staff'

type Tree = { [key: string]: string | Tree }

function leafPaths(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : leafPaths(v, `${prefix}${k}.`)))
}

/** Every `<module>.<entity>.<verb>` an audit row can name. */
export const AUDIT_ACTIONS: readonly string[] = leafPaths(zhCN.audit.actions)
/** Every kind of object an audit row can be about. */
export const AUDIT_ENTITIES: readonly string[] = Object.keys(zhCN.audit.entities)
/** Every permission a role can hold. */
export const PERMISSIONS: readonly string[] = leafPaths(zhCN.roles.perms)

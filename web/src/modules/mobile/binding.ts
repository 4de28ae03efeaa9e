// Binding a resident's account to the houses they own (绑定房屋): the phone the property office
// has for the owner gets a six-digit code; entering it links the account. These rules only keep
// the form honest before the server is asked (it answers the same whoever owns the phone).

/** How long before another code may be asked for the same phone (the server's limit). */
export const RESEND_SECONDS = 60

/** A phone number as the server accepts it: 7–15 digits, with spaces, dashes, brackets or +. */
export function phoneOk(phone: string): boolean {
  const p = phone.trim()
  const digits = p.replace(/\D/g, '')
  return digits.length >= 7 && digits.length <= 15 && /^[\d\-+ ()]+$/.test(p)
}

/** The code as sent: six digits (spaces typed in between are dropped). */
export function normalizeCode(code: string): string | null {
  const c = code.replace(/\s+/g, '')
  return /^\d{6}$/.test(c) ? c : null
}

/** Whole seconds until a new code may be asked for; 0 when it may. */
export function secondsLeft(sentAtMs: number | null, nowMs: number, wait = RESEND_SECONDS): number {
  if (sentAtMs === null) return 0
  return Math.max(0, Math.ceil((sentAtMs + wait * 1000 - nowMs) / 1000))
}

export interface BoundHouse {
  house_id: number
  house_label: string
}

/** The houses an account is bound to (owned, then lived in), each once, owned first. */
export function boundHouses(houses: { ownerships: (BoundHouse & { ended_on?: string | null })[]; occupancies: (BoundHouse & { moved_out_on?: string | null })[] }): {
  house_id: number
  house_label: string
  owner: boolean
}[] {
  const out = new Map<number, { house_id: number; house_label: string; owner: boolean }>()
  for (const o of houses.ownerships) if (!o.ended_on) out.set(o.house_id, { house_id: o.house_id, house_label: o.house_label, owner: true })
  for (const o of houses.occupancies) {
    if (!o.moved_out_on && !out.has(o.house_id)) out.set(o.house_id, { house_id: o.house_id, house_label: o.house_label, owner: false })
  }
  return [...out.values()]
}

// Display helpers. Money is integer fen and stays integer: no floating point anywhere.

const TIME_ZONE = 'Asia/Shanghai'
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/** Groups an unsigned decimal digit string by thousands: "1234567" → "1,234,567". The app's only grouping. */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * Formats an amount in fen as yuan: 123456 → "¥1,234.56", -5 → "-¥0.05".
 * Accepts bigint for amounts beyond Number.MAX_SAFE_INTEGER; a non-integer or unsafe
 * number is a bug upstream and throws instead of printing a wrong amount.
 */
export function formatMoney(fen: number | bigint): string {
  let value: bigint
  if (typeof fen === 'bigint') {
    value = fen
  } else {
    if (!Number.isSafeInteger(fen)) {
      throw new RangeError(`formatMoney expects an integer amount of fen, got ${fen}`)
    }
    value = BigInt(fen)
  }
  const negative = value < 0n
  const abs = negative ? -value : value
  const yuan = abs / 100n
  const cents = abs % 100n
  const text = `¥${groupThousands(yuan.toString())}.${cents.toString().padStart(2, '0')}`
  return negative ? `-${text}` : text
}

type DateInput = string | number | Date | null | undefined

function toDate(value: Exclude<DateInput, null | undefined>): Date | null {
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

const partsFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

function shanghaiParts(date: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const parts: Record<string, string> = {}
  for (const part of partsFormatter.formatToParts(date)) parts[part.type] = part.value
  return {
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
  }
}

/**
 * "2026-11-26". A business date ("YYYY-MM-DD") is shown as it is; an instant (RFC 3339 string,
 * epoch milliseconds or Date) is shown as its calendar date in Asia/Shanghai. Empty or invalid → "".
 */
export function formatDate(value: DateInput): string {
  if (value === null || value === undefined || value === '') return ''
  if (typeof value === 'string' && DATE_ONLY.test(value)) return value
  const date = toDate(value)
  if (!date) return ''
  const p = shanghaiParts(date)
  return `${p.year}-${p.month}-${p.day}`
}

/** "2026-11-26 18:30" in Asia/Shanghai. Empty or invalid → "". */
export function formatDateTime(value: DateInput): string {
  if (value === null || value === undefined || value === '') return ''
  const date = toDate(value)
  if (!date) return ''
  const p = shanghaiParts(date)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** "18:30" in Asia/Shanghai. Empty or invalid → "". */
export function formatTime(value: DateInput): string {
  if (value === null || value === undefined || value === '') return ''
  const date = toDate(value)
  if (!date) return ''
  const p = shanghaiParts(date)
  return `${p.hour}:${p.minute}`
}

/** Pretty JSON for audit before/after panels. */
export function formatJson(value: unknown): string {
  if (value === null || value === undefined) return ''
  return JSON.stringify(value, null, 2)
}

// The closed lists of the billing module, in the order forms offer them, and their tag colours.
import type {
  AdjustmentKind,
  AdjustmentState,
  AreaBasis,
  AssignmentTarget,
  BillState,
  BillingCycle,
  EntryKind,
  FeeKind,
  PaymentChannel,
  RunState,
} from './types'

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export const FEE_KINDS: readonly FeeKind[] = ['area', 'fixed', 'metered', 'parking', 'one_off']
export const CYCLES: readonly BillingCycle[] = ['monthly', 'quarterly', 'half_yearly', 'yearly']
export const AREA_BASES: readonly AreaBasis[] = ['gross', 'inner']
export const METER_KINDS: readonly string[] = ['water', 'electricity', 'gas']
export const BILL_STATES: readonly BillState[] = ['open', 'overdue', 'paid']
export const CHANNELS: readonly PaymentChannel[] = ['cash', 'wechat', 'alipay', 'card', 'transfer', 'bank']
export const ASSIGNMENT_TARGETS: readonly AssignmentTarget[] = ['project', 'building', 'house_usage', 'house']
export const ADJUSTMENT_KINDS: readonly AdjustmentKind[] = ['adjust', 'waive_late_fee', 'waive_principal']
export const ADJUSTMENT_STATES: readonly AdjustmentState[] = ['pending', 'approved', 'rejected']

export const BILL_STATE_TAGS: Record<BillState, TagType> = { open: 'primary', overdue: 'danger', paid: 'success' }
export const RUN_STATE_TAGS: Record<RunState, TagType> = { preview: 'warning', running: 'primary', completed: 'success' }
export const ADJUSTMENT_STATE_TAGS: Record<AdjustmentState, TagType> = { pending: 'warning', approved: 'success', rejected: 'info' }
export const ENTRY_KIND_TAGS: Record<EntryKind, TagType> = {
  charge: 'primary',
  adjustment: 'warning',
  late_fee: 'danger',
  waiver: 'info',
  payment: 'success',
  allocation: 'success',
  refund: 'info',
  reversal: 'danger',
}

/** What a standard's price is per, by fee kind: 元/m²·月, 元/月, 元/单位 … (`billing.priceUnits.*`). */
export function priceUnitKey(kind: FeeKind): string {
  return `billing.priceUnits.${kind}`
}

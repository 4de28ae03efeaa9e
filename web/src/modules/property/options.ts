// The closed lists of buildings and houses, in the order the forms offer them, and their tag colours.
import type { BuildingKind, HouseState, HouseUsage, Relation } from '@/api/types'

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger'

export const BUILDING_KINDS: readonly BuildingKind[] = ['residential', 'commercial', 'office', 'mixed', 'parking']
export const HOUSE_USAGES: readonly HouseUsage[] = ['residential', 'shop', 'office', 'parking', 'storage']
export const HOUSE_STATES: readonly HouseState[] = ['vacant', 'occupied', 'under_renovation', 'for_rent']
export const RELATIONS: readonly Relation[] = ['owner', 'family', 'tenant']

export const STATE_TAGS: Record<HouseState, TagType> = {
  vacant: 'info',
  occupied: 'success',
  under_renovation: 'warning',
  for_rent: 'primary',
}

export const RELATION_TAGS: Record<Relation, TagType> = {
  owner: 'primary',
  family: 'success',
  tenant: 'warning',
}

/** "1栋1单元301", or "1栋301" for a house without a unit. */
export function houseLabel(house: { building_name: string; unit_name?: string | null; number: string }): string {
  return `${house.building_name}${house.unit_name ?? ''}${house.number}`
}

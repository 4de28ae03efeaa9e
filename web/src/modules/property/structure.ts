// The building → unit tree of the houses page, built from `GET /projects/{id}/structure`.
import type { Building, BuildingNode, Unit } from '@/api/types'

export type TreeNode =
  | { key: string; kind: 'all'; label: string; count: number; children: TreeNode[] }
  | { key: string; kind: 'building'; label: string; count: number; building: Building; children: TreeNode[] }
  | { key: string; kind: 'unit'; label: string; count: number; unit: Unit; building: Building }

/** "2栋" before "10栋", as people number buildings. */
const collator = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' })
export const byName = (a: { name: string }, b: { name: string }) => collator.compare(a.name, b.name)

export const ALL_KEY = 'all'

/** One root ("all houses", with the project's total) over the buildings and their units, sorted by name. */
export function structureTree(nodes: readonly BuildingNode[], allLabel: string): TreeNode[] {
  const buildings = [...nodes]
    .sort((a, b) => byName(a.building, b.building))
    .map<TreeNode>((node) => ({
      key: `b${node.building.id}`,
      kind: 'building',
      label: node.building.name,
      count: node.house_count,
      building: node.building,
      children: [...node.units]
        .sort((a, b) => byName(a.unit, b.unit))
        .map<TreeNode>((u) => ({
          key: `u${u.unit.id}`,
          kind: 'unit',
          label: u.unit.name,
          count: u.house_count,
          unit: u.unit,
          building: node.building,
        })),
    }))
  const total = nodes.reduce((sum, node) => sum + node.house_count, 0)
  return [{ key: ALL_KEY, kind: 'all', label: allLabel, count: total, children: buildings }]
}

/** The house list filter a selected node stands for. */
export function filterOf(node: TreeNode | null | undefined): { building_id?: number; unit_id?: number } {
  if (!node || node.kind === 'all') return {}
  if (node.kind === 'building') return { building_id: node.building.id }
  return { building_id: node.building.id, unit_id: node.unit.id }
}

/** Finds a node by key (to keep the selection across a reload of the tree). */
export function findNode(nodes: readonly TreeNode[], key: string): TreeNode | null {
  for (const node of nodes) {
    if (node.key === key) return node
    if (node.kind !== 'unit') {
      const found = findNode(node.children, key)
      if (found) return found
    }
  }
  return null
}

/** The buildings, sorted, for selects. */
export function buildingsOf(nodes: readonly BuildingNode[]): Building[] {
  return nodes.map((n) => n.building).sort(byName)
}

/** The units of one building, sorted, for selects. */
export function unitsOf(nodes: readonly BuildingNode[], buildingId: number | null | undefined): Unit[] {
  const node = nodes.find((n) => n.building.id === buildingId)
  return node ? node.units.map((u) => u.unit).sort(byName) : []
}

/** Floors a house in this building may be on: 1…above and -1…-below (there is no floor 0). */
export function floorRange(building: Pick<Building, 'floors_above' | 'floors_below'> | null | undefined): {
  min: number
  max: number
} {
  if (!building) return { min: -99, max: 200 }
  return { min: building.floors_below > 0 ? -building.floors_below : 1, max: Math.max(building.floors_above, 1) }
}

import { describe, expect, it } from 'vitest'
import type { BuildingNode } from '@/api/types'
import { ALL_KEY, buildingsOf, filterOf, findNode, floorRange, structureTree, unitsOf } from './structure'

const at = '2026-11-26T00:00:00Z'
function building(id: number, name: string, units: [number, string, number][], count: number): BuildingNode {
  return {
    building: { id, project_id: 1, name, floors_above: 18, floors_below: 2, elevator_count: 2, kind: 'residential', created_at: at, updated_at: at },
    house_count: count,
    units: units.map(([uid, uname, n]) => ({ unit: { id: uid, project_id: 1, building_id: id, name: uname, created_at: at }, house_count: n })),
  }
}

const structure = [
  building(3, '10栋', [], 0),
  building(1, '2栋', [[12, '2单元', 4], [11, '1单元', 6]], 11),
  building(2, 'A座', [[21, '1单元', 3]], 3),
]

describe('structureTree', () => {
  const [root] = structureTree(structure, '全部房屋')

  it('has one root with the project total over the buildings', () => {
    expect(root?.key).toBe(ALL_KEY)
    expect(root?.label).toBe('全部房屋')
    expect(root?.count).toBe(14)
  })

  it('sorts buildings and units by name, numbers as numbers', () => {
    if (root?.kind !== 'all') throw new Error('root')
    expect(root.children.map((n) => n.label)).toEqual(['2栋', '10栋', 'A座'])
    const first = root.children[0]
    if (first?.kind !== 'building') throw new Error('building')
    expect(first.children.map((n) => [n.key, n.label, n.count])).toEqual([
      ['u11', '1单元', 6],
      ['u12', '2单元', 4],
    ])
  })

  it('keeps a building without units a leaf with its count', () => {
    const node = findNode(structureTree(structure, 'x'), 'b3')
    expect(node?.kind === 'building' && node.children).toEqual([])
    expect(node?.count).toBe(0)
  })
})

describe('filterOf', () => {
  const tree = structureTree(structure, 'x')
  it('turns the selected node into list filters', () => {
    expect(filterOf(findNode(tree, ALL_KEY))).toEqual({})
    expect(filterOf(findNode(tree, 'b1'))).toEqual({ building_id: 1 })
    expect(filterOf(findNode(tree, 'u21'))).toEqual({ building_id: 2, unit_id: 21 })
    expect(filterOf(null)).toEqual({})
  })
})

describe('selects', () => {
  it('lists buildings and a building’s units by name', () => {
    expect(buildingsOf(structure).map((b) => b.name)).toEqual(['2栋', '10栋', 'A座'])
    expect(unitsOf(structure, 1).map((u) => u.name)).toEqual(['1单元', '2单元'])
    expect(unitsOf(structure, 99)).toEqual([])
  })

  it('knows the floors of a building (no floor 0)', () => {
    expect(floorRange({ floors_above: 18, floors_below: 2 })).toEqual({ min: -2, max: 18 })
    expect(floorRange({ floors_above: 6, floors_below: 0 })).toEqual({ min: 1, max: 6 })
  })
})

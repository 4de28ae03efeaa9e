import { describe, expect, it } from 'vitest'
import type { EquipmentCategory } from '@/api/types'
import { categoryName, flattenCategories, subtreeIds } from './categories'

const node = (id: number, code: string, zh: string, en: string, children: EquipmentCategory[] = []): EquipmentCategory => ({
  id,
  code,
  name_zh: zh,
  name_en: en,
  children,
})
const tree = [
  node(1, 'elevator', '电梯', 'Elevators', [node(11, 'passenger', '客梯', 'Passenger'), node(12, 'freight', '货梯', '')]),
  node(2, 'water', '给排水', 'Water', [node(21, 'pump', '水泵', 'Pumps', [node(211, 'domestic', '生活水泵', 'Domestic pumps')])]),
]

describe('equipment categories', () => {
  it('names a category in the user’s language, Chinese without an English name', () => {
    expect(categoryName(tree[0]!, 'zh-CN')).toBe('电梯')
    expect(categoryName(tree[0]!, 'en')).toBe('Elevators')
    expect(categoryName(node(12, 'freight', '货梯', ''), 'en')).toBe('货梯')
  })

  it('flattens the tree with paths', () => {
    expect(flattenCategories(tree, 'zh-CN').map((c) => [c.id, c.path])).toEqual([
      [1, '电梯'],
      [11, '电梯 / 客梯'],
      [12, '电梯 / 货梯'],
      [2, '给排水'],
      [21, '给排水 / 水泵'],
      [211, '给排水 / 水泵 / 生活水泵'],
    ])
    expect(flattenCategories(tree, 'en').find((c) => c.id === 211)?.path).toBe('Water / Pumps / Domestic pumps')
  })

  it('finds a category and its descendants', () => {
    expect(subtreeIds(tree, 2)).toEqual([2, 21, 211])
    expect(subtreeIds(tree, 12)).toEqual([12])
    expect(subtreeIds(tree, 99)).toEqual([])
  })
})

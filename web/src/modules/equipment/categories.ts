// The equipment category tree (电梯 › 客梯, 给排水 › 水泵 …) as the server sends it, named in the
// user's language.
import type { EquipmentCategory } from '@/api/types'

type Named = Pick<EquipmentCategory, 'name_zh' | 'name_en'>

/** The category's name in the current language (Chinese when there is no English one). */
export function categoryName(category: Named, locale: string): string {
  return locale.startsWith('en') && category.name_en ? category.name_en : category.name_zh
}

/** Every category with its path, depth first: "给排水 / 水泵". */
export function flattenCategories(
  tree: readonly EquipmentCategory[],
  locale: string,
  parents: string[] = [],
): { id: number; name: string; path: string }[] {
  return tree.flatMap((c) => {
    const name = categoryName(c, locale)
    const path = [...parents, name]
    return [{ id: c.id, name, path: path.join(' / ') }, ...flattenCategories(c.children, locale, path)]
  })
}

/** The ids of a category and everything under it. */
export function subtreeIds(tree: readonly EquipmentCategory[], id: number): number[] {
  for (const c of tree) {
    if (c.id === id) return flattenCategories([c], 'zh-CN').map((x) => x.id)
    const found = subtreeIds(c.children, id)
    if (found.length > 0) return found
  }
  return []
}

// State for a paged, searchable list: page, page size, query, rows, total and loading.
import { reactive, ref, shallowRef } from 'vue'
import { useApiErrors } from './feedback'
import { useLatest } from './latest'

export interface PageAnswer<T> {
  items: T[]
  total: number
}

export interface PageParams {
  page: number
  page_size: number
}

export function usePagedList<T, F extends object>(
  fetchPage: (params: PageParams, filters: F) => Promise<PageAnswer<T>>,
  initialFilters: F,
  pageSize = 20,
) {
  const apiErrors = useApiErrors()
  const rows = shallowRef<T[]>([])
  const total = ref(0)
  const loading = ref(false)
  const page = reactive({ page: 1, page_size: pageSize })
  const filters = reactive({ ...initialFilters }) as F
  const latest = useLatest()

  async function load(): Promise<void> {
    const isLatest = latest.begin()
    loading.value = true
    try {
      const answer = await fetchPage({ ...page }, { ...(filters as object) } as F)
      if (!isLatest()) return
      rows.value = answer.items
      total.value = answer.total
    } catch (error) {
      if (isLatest()) apiErrors.toast(error)
    } finally {
      if (isLatest()) loading.value = false
    }
  }

  function search(): Promise<void> {
    page.page = 1
    return load()
  }

  function reset(): Promise<void> {
    Object.assign(filters as object, initialFilters)
    return search()
  }

  return { rows, total, loading, page, filters, load, search, reset }
}

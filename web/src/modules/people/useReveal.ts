// Showing a person's whole ID number and bank account for a short while (the server audits each reveal).
import { computed, onBeforeUnmount, ref } from 'vue'
import type { RevealedPerson } from '@/api/types'
import { revealPerson } from './api'

export const REVEAL_SECONDS = 30

export function useReveal(seconds = REVEAL_SECONDS) {
  const revealed = ref<RevealedPerson | null>(null)
  const remaining = ref(0)
  const loading = ref(false)
  let timer: ReturnType<typeof setInterval> | null = null

  function hide(): void {
    if (timer !== null) clearInterval(timer)
    timer = null
    revealed.value = null
    remaining.value = 0
  }

  /** Fetches the clear values; they disappear again after `seconds`. Throws the API error. */
  async function reveal(personId: number): Promise<void> {
    loading.value = true
    try {
      const answer = await revealPerson(personId)
      hide()
      revealed.value = answer
      remaining.value = seconds
      timer = setInterval(() => {
        remaining.value -= 1
        if (remaining.value <= 0) hide()
      }, 1000)
    } finally {
      loading.value = false
    }
  }

  onBeforeUnmount(hide)
  return { revealed, remaining, loading, reveal, hide, shown: computed(() => revealed.value !== null) }
}

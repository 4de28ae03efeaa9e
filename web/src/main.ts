import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { i18n, restoreLocale } from './i18n'
import { router } from './router'
import { onUnauthorized } from './api/client'
import { useSessionStore } from './stores/session'
import { useInboxStore } from './stores/inbox'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia).use(i18n).use(router)

// Any 401 after sign-in means the session is gone: forget the user and go to the login page,
// coming back here afterwards. (During the first navigation the router guard does this itself.)
onUnauthorized(() => {
  useSessionStore(pinia).clear()
  const current = router.currentRoute.value
  if (current.matched.length === 0 || current.meta.public) return
  void router.replace({ name: 'login', query: { redirect: current.fullPath } })
})

// The inbox stream is open while somebody is signed in (and restarts for a different user).
const session = useSessionStore(pinia)
const inbox = useInboxStore(pinia)
watch(
  () => session.me?.id ?? null,
  (id, previous) => {
    if (previous !== null && previous !== undefined) inbox.stop()
    if (id !== null) inbox.start()
  },
)

// The stored language's messages are fetched (when it is not the default) before the first render.
await restoreLocale()
app.mount('#app')

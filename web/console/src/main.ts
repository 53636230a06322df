import { createApp } from 'vue'
import App from './App.vue'
import './style.css'
import { pickLanguage, savedLanguage, setLanguage } from './lib/i18n'

// The catalog is loaded before the first paint, so no screen ever shows message keys.
setLanguage(pickLanguage(savedLanguage(), navigator.languages ?? [navigator.language])).finally(() => {
  createApp(App).mount('#app')
})

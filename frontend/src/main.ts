import { mount } from 'svelte'
import './style.css'
import App from './App.svelte'
import { backend } from './lib/api'
import { ApprovalsStore } from './lib/approvals.svelte'
import { RulesStore } from './lib/rules.svelte'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')

export default mount(App, {
  target,
  props: { approvals: new ApprovalsStore(backend), rules: new RulesStore(backend), backend },
})

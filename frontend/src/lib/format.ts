import type { ArgCond } from './types'

/** Whole seconds from now until deadline (RFC 3339), never below zero. */
export function secondsLeft(deadline: string, now: number): number {
  const ms = Date.parse(deadline) - now
  return Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0
}

/** Describes what a rule matches, e.g. "fs · read_* · client cursor". */
export function ruleScope(r: { server: string; tool?: string; client?: string; args?: ArgCond[] }): string {
  const parts = [r.server, r.tool || 'any tool']
  if (r.client) parts.push(`client ${r.client}`)
  for (const a of r.args ?? []) parts.push(argCondText(a))
  return parts.join(' · ')
}

const opText: Record<string, string> = { glob: '=', regex: '~=', eq: '==', lt: '<', le: '<=', gt: '>', ge: '>=' }

/** An argument condition in the CLI's form: path=glob, path~=re, path<n. */
export function argCondText(a: ArgCond): string {
  const op = a.op || 'glob'
  return `${a.path}${opText[op] ?? `?${op}?`}${op === 'glob' ? (a.glob ?? '') : (a.value ?? '')}`
}

/** "0:42", "1:05": a countdown for people. */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

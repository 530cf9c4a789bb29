import type { BrokerEvent, PendingCall } from './types'

/** Orders calls oldest first, as the broker lists them. */
function byRequested(a: PendingCall, b: PendingCall): number {
  const d = Date.parse(a.requested_at) - Date.parse(b.requested_at)
  return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Sorts a snapshot from the broker, oldest first. */
export function sortCalls(calls: readonly PendingCall[]): PendingCall[] {
  return [...calls].sort(byRequested)
}

/**
 * Applies one broker event to the pending list and returns the new list.
 * An "added" for a call already listed and a "removed" for one not listed
 * change nothing, so events that overlap a snapshot can be replayed safely.
 */
export function applyEvent(calls: readonly PendingCall[], ev: BrokerEvent): PendingCall[] {
  const id = ev.pending.id
  switch (ev.kind) {
    case 'added':
      if (calls.some((c) => c.id === id)) return [...calls]
      return sortCalls([...calls, ev.pending])
    case 'removed':
      return calls.filter((c) => c.id !== id)
  }
}

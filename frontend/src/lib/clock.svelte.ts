/**
 * A display clock for countdowns. It ticks on a timer while started; nothing
 * is polled from Go. One clock serves every countdown in a window.
 */
export class Clock {
  now = $state(Date.now())
  #period: number

  constructor(periodMs = 250) {
    this.#period = periodMs
  }

  /** Starts ticking; returns the cleanup that stops it. */
  start(): () => void {
    this.now = Date.now()
    const t = setInterval(() => (this.now = Date.now()), this.#period)
    return () => clearInterval(t)
  }
}

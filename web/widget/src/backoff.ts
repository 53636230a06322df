// Reconnecting after the socket drops (a tunnel, a phone going to sleep, a server restart):
// quickly at first, then less and less often, with jitter so that a thousand visitors whose
// connections fell with the same server do not all come back in the same second.

/** The shortest and longest waits, in milliseconds. */
export const firstDelay = 1_000
export const maxDelay = 30_000

/**
 * backoff is the wait before reconnect attempt n (0 for the first): 1 s, 2 s, 4 s … up to
 * 30 s, each scaled by a random factor between 0.5 and 1 (random is Math.random in use, a
 * fixed function in tests).
 */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const n = Math.max(0, Math.min(Math.floor(attempt), 30))
  const ceiling = Math.min(maxDelay, firstDelay * 2 ** n)
  return Math.round(ceiling * (0.5 + Math.min(Math.max(random(), 0), 1) / 2))
}

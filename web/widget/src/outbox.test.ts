import { expect, test } from 'vitest'
import { newID, Outbox, type Pending, type Store } from './outbox'

function memory(initial: Pending[] = []): Store & { saved: Pending[][] } {
  let items = initial
  const saved: Pending[][] = []
  return {
    saved,
    load: () => items,
    save: (next) => {
      items = [...next]
      saved.push(items)
    },
  }
}

test('unsent messages keep their id and order until the server has them', () => {
  const store = memory()
  const box = new Outbox(store)
  box.add('first', 1, 'id-1')
  box.add('second', 2, 'id-2', { email: 'dana@example.com' })
  expect(box.next()?.id).toBe('id-1')
  // A retry sends the same message again: same id, still first.
  expect(box.next()?.id).toBe('id-1')
  expect(box.done('id-1')).toBe(true)
  expect(box.next()).toEqual({ id: 'id-2', text: 'second', at: 2, email: 'dana@example.com' })
  expect(box.done('id-1')).toBe(false) // a late duplicate confirmation changes nothing
  expect(box.done('id-2')).toBe(true)
  expect(box.next()).toBeUndefined()
})

test('the outbox survives a reload: it is kept in the store on every change', () => {
  const store = memory()
  const box = new Outbox(store)
  box.add('typed before the tab closed', 5, 'id-9')
  const again = new Outbox(store)
  expect(again.pending().map((p) => p.id)).toEqual(['id-9'])
  expect(again.has('id-9')).toBe(true)
  again.done('id-9')
  expect(new Outbox(store).pending()).toEqual([])
})

test('broken entries in the store are dropped', () => {
  const box = new Outbox(memory([{ id: 'ok', text: 'hi', at: 1 }, null as unknown as Pending, { id: 3 } as unknown as Pending]))
  expect(box.pending().map((p) => p.id)).toEqual(['ok'])
})

test('message ids are 128 random bits in hex, which the server accepts', () => {
  const id = newID(() => [0, 1, 255, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 171])
  expect(id).toBe('0001ff100000000000000000000000ab')
  const a = newID()
  const b = newID()
  expect(a).toMatch(/^[0-9a-f]{32}$/)
  expect(a).not.toBe(b)
})

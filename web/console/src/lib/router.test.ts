import { describe, expect, test } from 'vitest'
import { href, parse } from './router'

describe('addresses', () => {
  test('pages, views and filters round-trip through the address bar', () => {
    expect(parse('/app/', '')).toEqual({ page: 'inbox', conversation: null, view: 'mine', channel: '' })
    expect(parse('/app/c/01JX', '?view=open&channel=ch1')).toEqual({ page: 'inbox', conversation: '01JX', view: 'open', channel: 'ch1' })
    expect(parse('/app/signin', '').page).toBe('signin')
    expect(parse('/app/', '?view=everything').view).toBe('mine')
    expect(href({ page: 'inbox', conversation: '01JX', view: 'pending', channel: '' })).toBe('/app/c/01JX?view=pending')
    expect(href({ page: 'inbox', conversation: null, view: 'mine', channel: 'a b' })).toBe('/app/?channel=a+b')
  })
})

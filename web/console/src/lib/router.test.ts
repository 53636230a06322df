import { describe, expect, test } from 'vitest'
import { href, parse } from './router'

describe('addresses', () => {
  test('pages, views and filters round-trip through the address bar', () => {
    expect(parse('/app/', '')).toEqual({ page: 'inbox', conversation: null, view: 'mine', channel: '', section: 'canned' })
    expect(parse('/app/c/01JX', '?view=open&channel=ch1')).toEqual({ page: 'inbox', conversation: '01JX', view: 'open', channel: 'ch1', section: 'canned' })
    expect(parse('/app/signin', '').page).toBe('signin')
    expect(parse('/app/', '?view=everything').view).toBe('mine')
    expect(parse('/app/', '?view=breaching').view).toBe('breaching')
    expect(href({ page: 'inbox', conversation: '01JX', view: 'pending', channel: '' })).toBe('/app/c/01JX?view=pending')
    expect(href({ page: 'inbox', conversation: null, view: 'mine', channel: 'a b' })).toBe('/app/?channel=a+b')
  })

  test('the admin page and its sections', () => {
    expect(parse('/app/admin/users', '')).toMatchObject({ page: 'admin', section: 'users' })
    expect(parse('/app/admin/nonsense', '')).toMatchObject({ page: 'admin', section: 'canned' })
    expect(href({ page: 'admin', section: 'channels' })).toBe('/app/admin/channels')
    // Any link that does not name the admin page goes to the inbox.
    expect(href({ conversation: null, view: 'open', channel: '' })).toBe('/app/?view=open')
  })
})

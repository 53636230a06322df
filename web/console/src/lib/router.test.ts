import { describe, expect, test } from 'vitest'
import { filterQuery, href, parse } from './router'

describe('addresses', () => {
  test('pages, views and filters round-trip through the address bar', () => {
    const none = { lang: '', queue: '', label: '', segment: '' }
    expect(parse('/app/', '')).toMatchObject({ page: 'inbox', conversation: null, view: 'mine', channel: '', ...none, section: 'canned' })
    expect(parse('/app/c/01JX', '?view=open&channel=ch1')).toMatchObject({ page: 'inbox', conversation: '01JX', view: 'open', channel: 'ch1', ...none, section: 'canned' })
    expect(parse('/app/signin', '').page).toBe('signin')
    expect(parse('/app/', '?view=everything').view).toBe('mine')
    expect(parse('/app/', '?view=breaching').view).toBe('breaching')
    expect(href({ page: 'inbox', conversation: '01JX', view: 'pending', channel: '' })).toBe('/app/c/01JX?view=pending')
    expect(href({ page: 'inbox', conversation: null, view: 'mine', channel: 'a b' })).toBe('/app/?channel=a+b')
  })

  test('every filter is kept in the address, so a filtered view can be bookmarked', () => {
    const r = parse('/app/', '?view=snoozed&lang=he&queue=q1&label=car+claim&segment=s1')
    expect(r).toMatchObject({ view: 'snoozed', lang: 'he', queue: 'q1', label: 'car claim', segment: 's1' })
    expect(href({ ...r, conversation: null })).toBe('/app/?view=snoozed&lang=he&queue=q1&label=car+claim&segment=s1')
    expect(parse('/app/', '?view=queues').view).toBe('queues')
    expect(filterQuery(r)).toEqual({ lang: 'he', queue: 'q1', label: 'car claim', segment: 's1' })
  })

  test('the admin page and its sections', () => {
    expect(parse('/app/admin/users', '')).toMatchObject({ page: 'admin', section: 'users' })
    expect(parse('/app/admin/nonsense', '')).toMatchObject({ page: 'admin', section: 'canned' })
    expect(parse('/app/admin/segments', '')).toMatchObject({ page: 'admin', section: 'segments' })
    expect(href({ page: 'admin', section: 'channels' })).toBe('/app/admin/channels')
    // Any link that does not name the admin page goes to the inbox.
    expect(href({ conversation: null, view: 'open', channel: '' })).toBe('/app/?view=open')
  })
})

import { expect, test } from 'vitest'
import { checkContact } from './contact'

test('an email, a phone, or both', () => {
  expect(checkContact(' dana@example.com ', '').errors).toEqual({})
  expect(checkContact('', '050-123-4567').errors).toEqual({})
  expect(checkContact('', '+972 (50) 123 4567').errors).toEqual({})
  expect(checkContact('dana@example.com', '0501234567')).toEqual({ email: 'dana@example.com', phone: '0501234567', errors: {} })
})

test('each wrong field says what is wrong with it', () => {
  expect(checkContact('', '   ').errors).toEqual({ email: 'errEmpty' })
  expect(checkContact('dana', '').errors).toEqual({ email: 'errEmail' })
  expect(checkContact('dana@example', '').errors).toEqual({ email: 'errEmail' })
  expect(checkContact('', '12').errors).toEqual({ phone: 'errPhone' })
  expect(checkContact('', 'call me').errors).toEqual({ phone: 'errPhone' })
  expect(checkContact('x@', '1234567890123456').errors).toEqual({ email: 'errEmail', phone: 'errPhone' })
})

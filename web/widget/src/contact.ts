// The "continue elsewhere" form: an email, a phone number, or both. The server normalises and
// checks them again; this only catches what is obviously not an address, with a message tied
// to the field.

export type ContactError = 'errEmpty' | 'errEmail' | 'errPhone'

export type ContactCheck = {
  email: string
  phone: string
  errors: { email?: ContactError; phone?: ContactError }
}

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** checkContact trims both fields and says what is wrong with each; no errors means send. */
export function checkContact(emailRaw: string, phoneRaw: string): ContactCheck {
  const email = emailRaw.trim()
  const phone = phoneRaw.trim()
  const errors: ContactCheck['errors'] = {}
  if (!email && !phone) {
    errors.email = 'errEmpty'
    return { email, phone, errors }
  }
  if (email && (email.length > 254 || !emailShape.test(email))) errors.email = 'errEmail'
  if (phone) {
    const digits = phone.replace(/\D/g, '').length
    if (!/^\+?[\d\s().-]+$/.test(phone) || digits < 7 || digits > 15) errors.phone = 'errPhone'
  }
  return { email, phone, errors }
}

// SMS segments, as a phone network counts them: text that fits the GSM 03.38 alphabet goes as
// 7-bit (160 characters, or 153 per part when split); anything else — Hebrew, Arabic, Russian,
// emoji — as UCS-2 (70, or 67 per part). Agents see the count before sending, because each part
// is billed and a long Hebrew SMS quickly becomes three.

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENDED = '^{}\\[~]|€\f'

export interface Segments {
  encoding: 'GSM-7' | 'UCS-2'
  /** units used: GSM septets (an extension character takes two) or UTF-16 code units */
  units: number
  segments: number
  /** units left in the last segment */
  remaining: number
}

export function countSegments(text: string): Segments {
  let septets = 0
  let gsm = true
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1
    else if (GSM_EXTENDED.includes(ch)) septets += 2
    else {
      gsm = false
      break
    }
  }
  const [units, single, multi] = gsm ? [septets, 160, 153] : [text.length, 70, 67]
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi)
  const capacity = segments <= 1 ? single : segments * multi
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments, remaining: capacity - units }
}

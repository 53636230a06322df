#!/usr/bin/env bash
# Regenerates the charset fixtures of this directory from the UTF-8 texts below. The bytes of
# each body and of each encoded header word are produced by iconv, so they really are in the
# charset the message declares; the transfer encodings come from coreutils base64 and Perl's
# MIME::QuotedPrint. ISO-8859-8 "visual" text is first put into display order (see visual()
# below) and then encoded. Run it from anywhere; it writes next to itself.
set -euo pipefail
cd "$(dirname "$0")"

# enc CHARSET: UTF-8 on stdin to CHARSET on stdout; fails on any character CHARSET lacks.
enc() { iconv -f UTF-8 -t "$1"; }
# b64 / qp: transfer encodings of stdin.
b64() { base64 -w 76; }
qp() { perl -MMIME::QuotedPrint -0777 -ne 'print encode_qp($_)'; }
# word CHARSET B|Q TEXT: an RFC 2047 encoded word for TEXT in CHARSET.
word() {
  local cs=$1 kind=$2 text=$3 ic=$1
  # iconv has no name for the logical-order label; its bytes are ISO-8859-8's.
  [ "$cs" = iso-8859-8-i ] && ic=ISO-8859-8
  if [ "$kind" = B ]; then
    printf '=?%s?B?%s?=' "$cs" "$(printf '%s' "$text" | enc "$ic" | base64 -w 0)"
  else
    printf '=?%s?Q?%s?=' "$cs" "$(printf '%s' "$text" | enc "$ic" | perl -0777 -pe 's/([^A-Za-z0-9 ])/sprintf("=%02X", ord $1)/ge; s/ /_/g')"
  fi
}
# crlf: the line endings of mail.
crlf() { sed 's/$/\r/'; }

# visual: logical Hebrew lines on stdin to visual (display) order on stdout, as a left-to-right
# screen shows them. A line with at least as many Hebrew letters as Latin ones is a right-to-left
# paragraph: it is reversed whole, brackets mirrored, and its runs of Latin letters and digits put
# back in reading order. Any other line keeps its order and only its Hebrew runs are reversed.
visual() {
  python3 -c '
import re, sys
MIRROR = str.maketrans("()[]{}<>", ")(][}{><")
LTR = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 .,:/@_+\-]*[A-Za-z0-9])?")
RTL = re.compile(r"[\u05d0-\u05ea](?:[\u05d0-\u05ea \-\x27\u05f3\u05f4.,]*[\u05d0-\u05ea])?")
def line(s):
    heb = len(re.findall(r"[\u05d0-\u05ea]", s))
    lat = len(re.findall(r"[A-Za-z]", s))
    if heb == 0:
        return s
    if heb >= lat:
        r = s[::-1].translate(MIRROR)
        return LTR.sub(lambda m: m.group(0)[::-1], r)
    return RTL.sub(lambda m: m.group(0)[::-1].translate(MIRROR), s)
for l in sys.stdin.read().split("\n"):
    sys.stdout.write(line(l) + "\n")
' | sed '$d'
}

pdf=$'%PDF-1.4\n% Gesher test fixture: a scanned policy stands in here\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'

# --- Hebrew, windows-1255, quoted-printable, with an attachment whose name is Hebrew -----------
{
  crlf <<EOF
From: $(word windows-1255 B "יעל כהן") <Yael.Cohen@Example.co.il>
To: Gesher Insurance <service@demo.example>
Subject: $(word windows-1255 Q "תביעה על נזק לרכב")
Date: Mon, 23 Nov 2026 09:15:00 +0200
Message-ID: <CAHeb1255.0001@mail.example.co.il>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_heb1255"

This is a multi-part message in MIME format.

--=_heb1255
Content-Type: text/plain; charset="windows-1255"
Content-Transfer-Encoding: quoted-printable

EOF
  printf 'שלום רב,\n\nאני רוצה להגיש תביעה על נזק לרכב. מספר הפוליסה 4521-88.\nסכום הנזק המשוער: 3,200 ₪.\nמצורף צילום הפוליסה.\n\nתודה,\nיעל כהן\n' | enc windows-1255 | qp | crlf
  crlf <<EOF

--=_heb1255
Content-Type: application/pdf; name="$(word windows-1255 B "פוליסה.pdf")"
Content-Disposition: attachment; filename="$(word windows-1255 B "פוליסה.pdf")"
Content-Transfer-Encoding: base64

EOF
  printf '%s' "$pdf" | b64 | crlf
  printf -- '--=_heb1255--\r\n'
} > hebrew-windows-1255.eml

# --- Hebrew, ISO-8859-8 (visual order), base64 ---------------------------------------------------
{
  crlf <<EOF
From: Moshe Levi <moshe.levi@example.org.il>
To: service@demo.example
Subject: Policy 7731
Date: Mon, 23 Nov 2026 09:20:00 +0200
Message-ID: <visual-8859-8.0002@example.org.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-8
Content-Transfer-Encoding: base64

EOF
  printf 'שלום,\nהפוליסה שלי מספר 7731 פגה ב-30.11.\nאפשר לחדש אותה (בבקשה)?\nתודה רבה על העזרה המהירה שלכם בחודש שעבר.\nMoshe Levi - משה לוי\n' | visual | crlf | enc iso-8859-8 | b64 | crlf
} > hebrew-iso-8859-8-visual.eml

# --- Hebrew, ISO-8859-8-I (logical order), quoted-printable -------------------------------------
{
  crlf <<EOF
From: $(word iso-8859-8-i B "דוד מזרחי") <david.mizrahi@example.net.il>
To: service@demo.example
Subject: $(word iso-8859-8-i B "שינוי כתובת")
Date: Mon, 23 Nov 2026 09:25:00 +0200
Message-ID: <logical-8859-8-i.0003@example.net.il>
MIME-Version: 1.0
Content-Type: text/plain; charset="ISO-8859-8-I"
Content-Transfer-Encoding: quoted-printable

EOF
  printf 'שלום,\nקיבלתי את ההודעה שלכם לגבי הפוליסה. הכתובת החדשה שלי: רחוב הרצל 12, חיפה.\nאשמח לאישור בדואר חוזר.\nבברכה,\nדוד מזרחי\n' | enc iso-8859-8 | qp | crlf
} > hebrew-iso-8859-8-i.eml

# --- Arabic, windows-1256, base64 -------------------------------------------------------------------
{
  crlf <<EOF
From: $(word windows-1256 B "عمر حداد") <omar.haddad@example.com>
To: service@demo.example
Subject: $(word windows-1256 B "تجديد البوليصة")
Date: Mon, 23 Nov 2026 09:30:00 +0200
Message-ID: <arabic-1256.0004@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1256
Content-Transfer-Encoding: base64

EOF
  printf 'مرحبا،\nأريد تجديد بوليصة التأمين الخاصة بسيارتي. رقم البوليصة 9043.\nهل يمكنكم الاتصال بي غدا؟\nشكرا جزيلا،\nعمر حداد\n' | crlf | enc windows-1256 | b64 | crlf
} > arabic-windows-1256.eml

# --- Russian, KOI8-R, 8bit ----------------------------------------------------------------------------
{
  crlf <<EOF
From: $(word koi8-r B "Ольга Петрова") <olga.petrova@example.ru>
To: service@demo.example
Subject: $(word koi8-r B "Вопрос о страховке")
Date: Mon, 23 Nov 2026 09:35:00 +0200
Message-ID: <russian-koi8r.0005@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit

EOF
  printf 'Здравствуйте!\n\nЯ хочу узнать статус моей страховки. Номер полиса 55-1234.\nПожалуйста, ответьте по электронной почте.\n\nСпасибо,\nОльга Петрова\n' | enc koi8-r | crlf
} > russian-koi8-r.eml

echo "wrote: hebrew-windows-1255.eml hebrew-iso-8859-8-visual.eml hebrew-iso-8859-8-i.eml arabic-windows-1256.eml russian-koi8-r.eml"

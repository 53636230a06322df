package email

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/media"
)

// Limits on what Parse accepts and keeps.
const (
	// MaxMessageBytes is the largest message taken, over SMTP (552 beyond it) and over HTTP.
	MaxMessageBytes = 25 << 20
	// maxText is the longest text stored on a message; a longer one is cut, and the whole text
	// kept as a file beside it.
	maxText    = 64 << 10
	maxSubject = 998 // RFC 5322's line limit
	maxName    = 200
	maxID      = 250
	maxFiles   = 100
)

// NullSender is the envelope sender of bounces and other automatic notifications: MAIL FROM:<>.
const NullSender = "<>"

// Mail is a parsed message, everything Gesher keeps of it.
type Mail struct {
	// MessageID is the Message-ID without its angle brackets or, for a message without one,
	// "sha256:" and the hash of its bytes, so a re-delivery is still recognised.
	MessageID  string
	From       string // the sender's address, normalised; "" when there is none to answer
	Name       string // the sender's display name
	Subject    string
	InReplyTo  string   // the Message-ID this message answers, without brackets
	References []string // the thread's Message-IDs, oldest first, without brackets
	Date       time.Time
	// Text is the new part of the message as an agent reads it: the plain-text body, or the
	// HTML body turned into text, with quoted history and signature folded out into Folded.
	Text   string
	Folded string
	// HTML is the HTML body after sanitising, "" when the message had none.
	HTML string
	// Files are the attachments and inline images, decoded.
	Files []channel.File
	// TooLarge are files over media.MaxSize, kept by name and size only.
	TooLarge []conversation.Attachment
	// Auto names what marks the message as sent by a machine (an out-of-office reply, a
	// list's bulk mail): the header, or the null envelope sender. "" for a person's message.
	Auto string
	// Bounce is the delivery report, when the message is one.
	Bounce *Bounce
}

// Bounce is what a delivery report says about a message Gesher sent.
type Bounce struct {
	// MessageID is the Message-ID of the message the report is about, without brackets, ""
	// when the report does not say.
	MessageID string
	// Action is the report's verdict, lower-cased: "failed", "delayed", "delivered",
	// "relayed", "expanded", or "failed" for an old-style bounce without a report part.
	Action string
	// Reason is the remote server's diagnostic (Diagnostic-Code, else Status), for the agent.
	Reason string
}

// Parse reads one raw RFC 5322 message. It is the one parser of both inbound paths, so it is
// what the fuzz test drives. envelopeFrom is the SMTP MAIL FROM address (NullSender for
// MAIL FROM:<>), or "" when the message did not come over SMTP, in which case a Return-Path
// header, as relays write it, stands in for it. Errors are *channel.PayloadError.
func Parse(raw []byte, envelopeFrom string) (m *Mail, err error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, channel.Payloadf("the message is empty")
	}
	if len(raw) > MaxMessageBytes {
		return nil, channel.Payloadf("the message is larger than %d bytes", MaxMessageBytes)
	}
	env, err := readEnvelope(raw)
	if err != nil {
		return nil, err
	}
	m = &Mail{}
	header := func(name string) string { return channel.StorableText(env.GetHeader(name), maxSubject) }

	m.MessageID = firstID(header("Message-Id"))
	if m.MessageID == "" {
		sum := sha256.Sum256(raw)
		m.MessageID = "sha256:" + hex.EncodeToString(sum[:])
	}
	m.Subject = oneLine(header("Subject"))
	m.InReplyTo = firstID(header("In-Reply-To"))
	m.References = allIDs(header("References"))
	if t, err := env.Date(); err == nil {
		m.Date = t
	}

	returnPath := envelopeFrom
	if returnPath == "" {
		returnPath = strings.TrimSpace(header("Return-Path"))
		if strings.HasPrefix(returnPath, "<>") {
			returnPath = NullSender
		}
	}
	fromAddr, fromName := sender(env)
	m.Name = limit(oneLine(channel.StorableText(fromName, maxSubject)), maxName)
	if addr, err := customer.Normalize(customer.Email, fromAddr); err == nil {
		m.From = addr
	} else if returnPath != NullSender {
		// A From the customer's mail program garbled, or none: the envelope's address is
		// where the mail system itself says the message came from.
		if addr, err := customer.Normalize(customer.Email, returnPath); err == nil {
			m.From = addr
		}
	}

	m.Auto = autoSubmitted(env)
	if isBounce(env, fromAddr, fromName) {
		m.Bounce = readBounce(env)
		return m, nil
	}
	if m.Auto == "" && returnPath == NullSender {
		m.Auto = "the null envelope sender (MAIL FROM:<>)"
	}

	textParts, htmlPart := bodyParts(env.Root)
	undeclared := undeclaredUTF8(raw, append(textParts, htmlPart))
	content := func(p *enmime.Part) string {
		if b, ok := undeclared[p.PartID]; ok {
			return string(b)
		}
		return string(p.Content)
	}
	var texts []string
	for _, p := range textParts {
		s := content(p)
		if visual(p) {
			s = visualToLogical(s)
		}
		texts = append(texts, normalizeText(s))
	}
	text := strings.TrimSpace(strings.Join(texts, "\n\n"))
	if htmlPart != nil {
		m.HTML = sanitizeHTML(channel.StorableText(content(htmlPart), MaxMessageBytes))
		if text == "" {
			text = strings.TrimSpace(normalizeText(htmlToText(m.HTML)))
		}
	}
	m.Text, m.Folded = fold(text)

	used := map[*enmime.Part]bool{htmlPart: true}
	for _, p := range textParts {
		used[p] = true
	}
	for _, group := range [][]*enmime.Part{env.Attachments, env.Inlines, env.OtherParts} {
		for _, p := range group {
			if used[p] || p == nil || strings.HasPrefix(p.ContentType, "multipart/") || alternativeBody(p) ||
				(len(p.Content) == 0 && p.FileName == "") {
				continue
			}
			used[p] = true
			if len(m.Files)+len(m.TooLarge) >= maxFiles {
				return nil, channel.Payloadf("the message has more than %d attachments", maxFiles)
			}
			m.addFile(p)
		}
	}
	return m, nil
}

// readEnvelope runs enmime leniently: a message with a missing boundary, a broken part or
// an unknown charset still yields what can be read. enmime is a large parser fed hostile
// input; should it panic, that input is the sender's problem (554), not a crashed listener.
func readEnvelope(raw []byte) (env *enmime.Envelope, err error) {
	defer func() {
		if r := recover(); r != nil {
			env, err = nil, channel.Payloadf("the MIME structure cannot be read")
		}
	}()
	p := enmime.NewParser(
		enmime.DisableTextConversion(true), // done here, from the sanitised HTML
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SkipMalformedParts(true),
		enmime.MaxStoredPartErrors(50),
	)
	env, err = p.ReadEnvelope(bytes.NewReader(repairHeader(raw)))
	if err != nil {
		return nil, channel.Payloadf("the MIME structure cannot be read: %s", limit(err.Error(), 200))
	}
	if env.Root == nil {
		return nil, channel.Payloadf("the MIME structure cannot be read")
	}
	return env, nil
}

// repairHeader mends the header block the way lenient mail readers do, so that a message a
// sloppy program wrote is read rather than refused: an mbox "From " line is dropped, leading
// blanks before the first field are removed, and at the first line that is neither a field
// nor a continuation (a preamble written without the blank line before it, or a message with
// no header at all) the header ends. A well-formed message comes back unchanged.
func repairHeader(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	trimmed := bytes.TrimLeft(raw, " \t")
	if len(trimmed) != len(raw) && headerField.Match(trimmed) {
		raw = trimmed
	}
	for off := 0; off < len(raw); {
		end := bytes.IndexByte(raw[off:], '\n')
		if end < 0 {
			end = len(raw) - off
		}
		line := bytes.TrimRight(raw[off:off+end], "\r")
		switch {
		case len(line) == 0:
			return raw // the header ends where it should
		case line[0] == ' ' || line[0] == '\t':
			if off == 0 {
				return append([]byte("\r\n"), raw...)
			}
		case !headerField.Match(line):
			out := make([]byte, 0, len(raw)+2)
			out = append(out, raw[:off]...)
			out = append(out, '\r', '\n')
			return append(out, raw[off:]...)
		}
		off += end + 1
	}
	return raw
}

// headerField matches the start of a header field: a name of printable ASCII and a colon.
var headerField = regexp.MustCompile(`^[!-9;-~]+:`)

// undeclaredUTF8 finds the body parts labelled US-ASCII (declared so, or by default in a
// message without MIME headers, as scripts and simple mail programs send them) whose bytes are
// not ASCII. enmime reads those as windows-1252, which turns UTF-8 Hebrew into "×©×œ×•×". When
// a part's bytes are valid UTF-8, they are what the sender meant; this returns them by PartID,
// read from a second parse that leaves the content undecoded.
func undeclaredUTF8(raw []byte, parts []*enmime.Part) map[string][]byte {
	var suspects []*enmime.Part
	for _, p := range parts {
		if p == nil {
			continue
		}
		declared := p.Charset
		if p.OrigCharset != "" {
			declared = p.OrigCharset
		}
		switch strings.ToLower(strings.Trim(declared, `" `)) {
		case "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968":
			if !isASCII(p.Content) {
				suspects = append(suspects, p)
			}
		}
	}
	if len(suspects) == 0 {
		return nil
	}
	env, err := enmime.NewParser(enmime.RawContent(true), enmime.MultipartWOBoundaryAsSinglePart(true), enmime.SkipMalformedParts(true), enmime.DisableTextConversion(true)).
		ReadEnvelope(bytes.NewReader(repairHeader(raw)))
	if err != nil || env.Root == nil {
		return nil
	}
	out := map[string][]byte{}
	for _, p := range suspects {
		r := env.Root.DepthMatchFirst(func(q *enmime.Part) bool { return q.PartID == p.PartID })
		if r == nil {
			continue
		}
		if b := transferDecode(r); utf8.Valid(b) {
			out[p.PartID] = b
		}
	}
	return out
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// transferDecode undoes a part's Content-Transfer-Encoding, keeping what decodes of a broken
// one.
func transferDecode(p *enmime.Part) []byte {
	switch strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		b, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(p.Content)))
		return b
	case "base64":
		clean := strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' || r == '=' {
				return -1
			}
			return r
		}, string(p.Content))
		b, _ := base64.RawStdEncoding.DecodeString(clean)
		return b
	}
	return p.Content
}

// sender is the From header's first address, read as leniently as mail programs write it.
func sender(env *enmime.Envelope) (addr, name string) {
	if list, err := env.AddressList("From"); err == nil {
		for _, a := range list {
			if a != nil && a.Address != "" {
				return a.Address, a.Name
			}
		}
	}
	raw := env.GetHeader("From")
	if m := looseAddress.FindString(raw); m != "" {
		return m, ""
	}
	return "", ""
}

var looseAddress = regexp.MustCompile(`[^\s<>"(),;:]+@[^\s<>"(),;:]+`)

// addFile keeps a part as a file: its decoded bytes (text parts converted to UTF-8 by
// enmime, so labelled as such), or, over the size limit, a note of it.
func (m *Mail) addFile(p *enmime.Part) {
	ct := p.ContentType
	if ct == "" || !strings.Contains(ct, "/") {
		ct = "application/octet-stream"
	}
	if strings.HasPrefix(ct, "text/") {
		ct = mime.FormatMediaType(ct, map[string]string{"charset": "utf-8"})
	}
	name := limit(oneLine(channel.StorableText(p.FileName, 255)), 200)
	if name == "" {
		name = fmt.Sprintf("attachment-%d%s", len(m.Files)+len(m.TooLarge)+1, extension(p.ContentType))
	}
	if len(p.Content) > media.MaxSize {
		m.TooLarge = append(m.TooLarge, conversation.Attachment{
			Name:        fmt.Sprintf("%s (not kept: %.1f MiB, over the %d MiB limit)", name, float64(len(p.Content))/(1<<20), media.MaxSize>>20),
			ContentType: ct, Size: int64(len(p.Content)),
		})
		return
	}
	m.Files = append(m.Files, channel.File{Name: name, ContentType: ct, Data: p.Content})
}

func extension(contentType string) string {
	if exts, err := mime.ExtensionsByType(contentType); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// bodyParts finds the message's text: the text/plain parts that are not attachments (the
// first of an alternative, every one of a mixed message, in order), and the first text/html
// part, as enmime does for its Text and HTML, but keeping the parts so each one's declared
// charset can be honoured.
func bodyParts(root *enmime.Part) (texts []*enmime.Part, html *enmime.Part) {
	// A part without a Content-Type is text/plain (RFC 2045 §5.2).
	isText := func(p *enmime.Part) bool {
		return (p.ContentType == "text/plain" || (p.ContentType == "" && p.FirstChild == nil && p.FileName == "")) && p.Disposition != "attachment"
	}
	if root.FirstChild == nil {
		if isText(root) {
			return []*enmime.Part{root}, nil
		}
		if root.ContentType == "text/html" && root.Disposition != "attachment" {
			return nil, root
		}
		return nil, nil
	}
	if root.ContentType == "multipart/alternative" {
		if p := root.BreadthMatchFirst(isText); p != nil {
			texts = []*enmime.Part{p}
		}
	} else {
		texts = root.DepthMatchAll(isText)
	}
	html = root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "text/html" && p.Disposition != "attachment"
	})
	return texts, html
}

// alternativeBody reports whether p is another rendering of the body in a
// multipart/alternative (the HTML beside the text, or a second text): not a file the customer
// attached.
func alternativeBody(p *enmime.Part) bool {
	if p.Parent == nil || p.Parent.ContentType != "multipart/alternative" || p.Disposition == "attachment" {
		return false
	}
	switch p.ContentType {
	case "text/plain", "text/html", "":
		return true
	}
	return false
}

// visual reports whether a part is Hebrew in visual order: declared ISO-8859-8 (whose bytes
// are in display order, RFC 1555) rather than ISO-8859-8-I or windows-1255 (logical order).
// When enmime's charset detector was sure the text is really logical, it is believed: mail
// programs often label logical text with the visual charset's name.
func visual(p *enmime.Part) bool {
	declared, detected := p.Charset, ""
	if p.OrigCharset != "" {
		declared, detected = p.OrigCharset, p.Charset
	}
	return visualCharset(declared) && (detected == "" || visualCharset(detected))
}

func visualCharset(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "iso-8859-8", "iso_8859-8", "iso8859-8", "iso88598", "iso-8859-8-e", "iso_8859-8-e", "csiso88598e",
		"iso_8859-8:1988", "iso-ir-138", "hebrew", "csisolatinhebrew", "visual", "8859-8", "8859_8":
		return true
	}
	return false
}

// autoSubmitted names the header that marks the message as sent by a machine (RFC 3834 and
// what Exchange, Gmail and list servers write), or returns "".
func autoSubmitted(env *enmime.Envelope) string {
	get := func(name string) string { return strings.ToLower(strings.TrimSpace(env.GetHeader(name))) }
	if v := get("Auto-Submitted"); v != "" && v != "no" {
		return "Auto-Submitted: " + limit(v, 40)
	}
	for _, h := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"} {
		if get(h) != "" {
			return h
		}
	}
	for _, h := range []string{"Precedence", "X-Precedence"} {
		switch v := get(h); v {
		case "auto_reply", "bulk", "junk":
			return h + ": " + v
		}
	}
	return ""
}

// isBounce recognises a delivery report (RFC 3464's multipart/report) and the older bounces
// that are only text from MAILER-DAEMON or postmaster.
func isBounce(env *enmime.Envelope, fromAddr, fromName string) bool {
	if env.Root.ContentType == "multipart/report" {
		if rt := strings.ToLower(env.Root.ContentTypeParams["report-type"]); rt == "" || rt == "delivery-status" {
			return true
		}
	}
	local, _, _ := strings.Cut(strings.ToLower(fromAddr), "@")
	if local == "mailer-daemon" || local == "postmaster" {
		return true
	}
	name := strings.ToLower(fromName)
	return strings.Contains(name, "mail delivery system") || strings.Contains(name, "mail delivery subsystem")
}

// readBounce reads what a bounce says: the report's per-recipient fields when there is a
// message/delivery-status part, and the Message-ID of the returned message from its headers
// (message/rfc822 or text/rfc822-headers), else from the text, else from the bounce's own
// References, which some servers set.
func readBounce(env *enmime.Envelope) *Bounce {
	b := &Bounce{}
	var reasons []string
	status := env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/delivery-status" || p.ContentType == "message/global-delivery-status"
	})
	if status != nil {
		for _, f := range deliveryStatusFields(status.Content) {
			action := strings.ToLower(strings.TrimSpace(f.Get("Action")))
			if action == "" {
				continue // the per-message block
			}
			if b.Action == "" || action == "failed" {
				b.Action = action
			}
			if action != "failed" {
				continue
			}
			reason := diagnostic(f.Get("Diagnostic-Code"))
			if reason == "" {
				reason = strings.TrimSpace("status " + f.Get("Status"))
			}
			reasons = append(reasons, reason)
		}
	}
	if status == nil || b.Action == "" {
		// An old-style bounce: the explanation is all there is.
		b.Action = "failed"
		if text := strings.TrimSpace(normalizeText(env.Text)); text != "" {
			reasons = append(reasons, firstParagraphs(text, 400))
		}
	}
	b.Reason = limit(strings.Join(reasons, "; "), 1000)

	original := env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/rfc822" || p.ContentType == "text/rfc822-headers" || p.ContentType == "message/global-headers" || p.ContentType == "message/global"
	})
	if original != nil {
		b.MessageID = headerID(original.Content)
	}
	if b.MessageID == "" {
		if m := messageIDLine.FindStringSubmatch(env.Text); m != nil {
			b.MessageID = firstID(m[1])
		}
	}
	if b.MessageID == "" {
		if refs := allIDs(env.GetHeader("References")); len(refs) > 0 {
			b.MessageID = refs[len(refs)-1]
		}
	}
	return b
}

var messageIDLine = regexp.MustCompile(`(?im)^\s*Message-ID:\s*(<[^>\s]+>)`)

// deliveryStatusFields splits a message/delivery-status body into its blocks of fields: one
// per message, then one per recipient (RFC 3464 §2.1), each read like a header.
func deliveryStatusFields(body []byte) []textproto.MIMEHeader {
	var out []textproto.MIMEHeader
	text := strings.ReplaceAll(string(body), "\r\n", "\n")
	for _, block := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(block) == "" {
			continue
		}
		r := textproto.NewReader(bufioReader(block + "\n\n"))
		h, err := r.ReadMIMEHeader()
		if err != nil && len(h) == 0 {
			continue
		}
		out = append(out, h)
	}
	return out
}

// diagnostic drops the type from "smtp; 550 5.1.1 …" and unfolds the text.
func diagnostic(v string) string {
	v = oneLine(v)
	if kind, rest, ok := strings.Cut(v, ";"); ok && !strings.ContainsAny(kind, " <>") {
		v = strings.TrimSpace(rest)
	}
	return v
}

// headerID reads the Message-ID from a returned message or its headers.
func headerID(b []byte) string {
	r := textproto.NewReader(bufioReader(strings.ReplaceAll(string(b), "\r\n", "\n") + "\n\n"))
	h, _ := r.ReadMIMEHeader()
	return firstID(h.Get("Message-Id"))
}

var idPattern = regexp.MustCompile(`<([^<>\s]+)>`)

// firstID reads the first message id of a header, with or without its angle brackets.
func firstID(v string) string {
	if m := idPattern.FindStringSubmatch(v); m != nil {
		return checkID(m[1])
	}
	return checkID(strings.TrimSpace(v))
}

// allIDs reads every message id of a References header, oldest first.
func allIDs(v string) []string {
	var out []string
	for _, m := range idPattern.FindAllStringSubmatch(v, 100) {
		if id := checkID(m[1]); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// checkID keeps an id that can be one: printable ASCII without spaces, of a sane length. It
// becomes the de-duplication key and is written back into References.
func checkID(id string) string {
	if id == "" || len(id) > maxID {
		return ""
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return ""
		}
	}
	return id
}

// oneLine unfolds a header value.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// limit shortens s to at most n bytes, on a character boundary.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// normalizeText makes a body storable and gives it one kind of line end.
func normalizeText(s string) string {
	s = channel.StorableText(s, len(s))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func bufioReader(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }

// firstParagraphs is the start of a text, up to n bytes, unfolded.
func firstParagraphs(s string, n int) string {
	return limit(oneLine(s), n)
}

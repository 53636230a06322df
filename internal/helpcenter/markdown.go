package helpcenter

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// RenderMarkdown renders the Markdown subset articles are written in as HTML that is safe to
// put on a page: headings (#, ##, ###), paragraphs, bulleted and numbered lists, quotes,
// **bold**, *italic*, `code` and [links](https://…). Everything else is text, escaped. Links
// go only to http, https, mailto and this site's own paths, so an article cannot carry
// javascript: or data: URLs; raw HTML in the source is shown, never run. A parser this small
// is easier to trust than a general Markdown library plus a sanitiser.
func RenderMarkdown(src string) template.HTML {
	var b strings.Builder
	for _, blk := range blocks(src) {
		switch blk.kind {
		case blockHeading:
			tag := [...]string{"h2", "h3", "h4"}[blk.level-1]
			b.WriteString("<" + tag + ">")
			inline(&b, blk.lines[0], true, 0)
			b.WriteString("</" + tag + ">\n")
		case blockList, blockOrdered:
			tag := "ul"
			if blk.kind == blockOrdered {
				tag = "ol"
			}
			b.WriteString("<" + tag + ">\n")
			for _, l := range blk.lines {
				b.WriteString("<li>")
				inline(&b, l, true, 0)
				b.WriteString("</li>\n")
			}
			b.WriteString("</" + tag + ">\n")
		case blockQuote:
			b.WriteString("<blockquote><p>")
			inline(&b, strings.Join(blk.lines, " "), true, 0)
			b.WriteString("</p></blockquote>\n")
		default:
			b.WriteString("<p>")
			inline(&b, strings.Join(blk.lines, " "), true, 0)
			b.WriteString("</p>\n")
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every byte of text went through html.EscapeString
}

// PlainText is the article's text without Markdown marks: what is indexed, read aloud and
// quoted as a passage. Blocks are separated by blank lines.
func PlainText(src string) string {
	var out []string
	for _, blk := range blocks(src) {
		var b strings.Builder
		if blk.kind == blockList || blk.kind == blockOrdered {
			for i, l := range blk.lines {
				if i > 0 {
					b.WriteString("\n")
				}
				inline(&b, l, false, 0)
			}
		} else {
			inline(&b, strings.Join(blk.lines, " "), false, 0)
		}
		out = append(out, b.String())
	}
	return strings.Join(out, "\n\n")
}

type blockKind uint8

const (
	blockPara blockKind = iota
	blockHeading
	blockList
	blockOrdered
	blockQuote
)

type block struct {
	kind  blockKind
	level int
	lines []string
}

var (
	headingRe = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*$`)
	bulletRe  = regexp.MustCompile(`^\s*[-*+]\s+(.*)$`)
	orderedRe = regexp.MustCompile(`^\s*\d{1,9}[.)]\s+(.*)$`)
)

// blocks splits the source into blocks by line: a heading is one line, consecutive list
// items of one kind form a list, and other consecutive lines form a paragraph.
func blocks(src string) []block {
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	var out []block
	var cur *block
	end := func() { cur = nil }
	add := func(k blockKind, line string) {
		if cur == nil || cur.kind != k {
			out = append(out, block{kind: k})
			cur = &out[len(out)-1]
		}
		cur.lines = append(cur.lines, line)
	}
	for _, line := range strings.Split(src, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			end()
		case headingRe.MatchString(t):
			m := headingRe.FindStringSubmatch(t)
			out = append(out, block{kind: blockHeading, level: min(len(m[1]), 3), lines: []string{m[2]}})
			end()
		case bulletRe.MatchString(line):
			add(blockList, bulletRe.FindStringSubmatch(line)[1])
		case orderedRe.MatchString(line):
			add(blockOrdered, orderedRe.FindStringSubmatch(line)[1])
		case strings.HasPrefix(t, ">"):
			add(blockQuote, strings.TrimSpace(strings.TrimPrefix(t, ">")))
		default:
			if cur != nil && (cur.kind == blockList || cur.kind == blockOrdered) {
				// A continuation line of a list item.
				cur.lines[len(cur.lines)-1] += " " + t
				continue
			}
			add(blockPara, t)
		}
	}
	return out
}

// maxInlineDepth bounds nesting (bold in italic in a link …): deeper marks are text.
const maxInlineDepth = 4

// maxSpan is how far a mark looks for its closing mark. Without a bound, a paragraph of
// thousands of unclosed "[" or "**" would take quadratic time on every page view.
const maxSpan = 1000

// span is s from i, at most maxSpan bytes: where a closing mark is looked for.
func span(s string, i int) string { return s[i:min(len(s), i+maxSpan)] }

// inline writes s with its inline marks: as HTML (text escaped) or as plain text.
func inline(b *strings.Builder, s string, asHTML bool, depth int) {
	text := func(t string) {
		if asHTML {
			b.WriteString(html.EscapeString(t))
		} else {
			b.WriteString(t)
		}
	}
	wrap := func(tag, inner string) {
		if asHTML {
			b.WriteString("<" + tag + ">")
		}
		inline(b, inner, asHTML, depth+1)
		if asHTML {
			b.WriteString("</" + tag + ">")
		}
	}
	start := 0
	flush := func(i int) {
		text(s[start:i])
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\\`*_[]()#>-+.!", s[i+1]) >= 0:
			flush(i)
			text(s[i+1 : i+2])
			i += 2
			start = i
			continue
		case c == '`':
			if j := strings.IndexByte(span(s, i+1), '`'); j >= 0 {
				flush(i)
				if asHTML {
					b.WriteString("<code>" + html.EscapeString(s[i+1:i+1+j]) + "</code>")
				} else {
					b.WriteString(s[i+1 : i+1+j])
				}
				i += j + 2
				start = i
				continue
			}
		case depth < maxInlineDepth && strings.HasPrefix(s[i:], "**"):
			if j := strings.Index(span(s, i+2), "**"); j > 0 {
				flush(i)
				wrap("strong", s[i+2:i+2+j])
				i += j + 4
				start = i
				continue
			}
		case depth < maxInlineDepth && (c == '*' || c == '_') && i+1 < len(s) && s[i+1] != ' ' && s[i+1] != c && (i == 0 || !isWordByte(s[i-1])):
			if j := strings.IndexByte(span(s, i+1), c); j > 0 && s[i+j] != ' ' && (i+j+2 >= len(s) || !isWordByte(s[i+j+2])) {
				flush(i)
				wrap("em", s[i+1:i+1+j])
				i += j + 2
				start = i
				continue
			}
		case depth < maxInlineDepth && c == '[':
			if label, url, n, ok := link(span(s, i)); ok {
				flush(i)
				if asHTML {
					rel := ""
					if !strings.HasPrefix(url, "/") {
						rel = ` rel="nofollow noopener"`
					}
					b.WriteString(`<a href="` + html.EscapeString(url) + `"` + rel + `>`)
					inline(b, label, true, depth+1)
					b.WriteString("</a>")
				} else {
					inline(b, label, false, depth+1)
				}
				i += n
				start = i
				continue
			}
		}
		i++
	}
	flush(len(s))
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// link reads "[label](url)" at the start of s, and accepts only URLs a reader may follow.
func link(s string) (label, url string, n int, ok bool) {
	mid := strings.Index(s, "](")
	if mid < 1 || strings.IndexByte(s[1:mid], ']') >= 0 {
		return "", "", 0, false
	}
	end := strings.IndexByte(s[mid+2:], ')')
	if end < 0 {
		return "", "", 0, false
	}
	label, url = s[1:mid], strings.TrimSpace(s[mid+2:mid+2+end])
	if !safeURL(url) {
		return "", "", 0, false
	}
	return label, url, mid + 3 + end, true
}

// safeURL accepts absolute http(s) and mailto URLs and this site's own paths ("/help/…"),
// nothing that a browser would run or that leaves through a scheme-relative "//host".
func safeURL(u string) bool {
	if u == "" || strings.ContainsAny(u, " \t\n\"'<>`\\") {
		return false
	}
	l := strings.ToLower(u)
	switch {
	case strings.HasPrefix(l, "https://"), strings.HasPrefix(l, "http://"), strings.HasPrefix(l, "mailto:"):
		return true
	case strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//"):
		return true
	}
	return false
}

package helpcenter

import (
	"regexp"
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"paragraphs", "one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>\n"},
		{"headings start at h2 (the page's title is h1)", "# Claims\n### Deep", "<h2>Claims</h2>\n<h4>Deep</h4>\n"},
		{"lists", "- a\n- b\n\n1. x\n2. y", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<ol>\n<li>x</li>\n<li>y</li>\n</ol>\n"},
		{"emphasis and code", "**bold** and *it* and `x<y`", "<p><strong>bold</strong> and <em>it</em> and <code>x&lt;y</code></p>\n"},
		{"snake_case is not emphasis", "policy_id and file_name", "<p>policy_id and file_name</p>\n"},
		{"a safe link", "[Forms](https://example.com/a?b=1&c=2)", `<p><a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">Forms</a></p>` + "\n"},
		{"a local link", "[home](/help)", `<p><a href="/help">home</a></p>` + "\n"},
		{"javascript: is text", "[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"},
		{"scheme-relative is text", "[x](//evil.example)", "<p>[x](//evil.example)</p>\n"},
		{"HTML is shown, not run", "<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n"},
		{"a quote", "> note this", "<blockquote><p>note this</p></blockquote>\n"},
		{"escapes", `\*not italic\*`, "<p>*not italic*</p>\n"},
		{"Hebrew", "**שימו לב:** יש לצרף דו\"ח", "<p><strong>שימו לב:</strong> יש לצרף דו&#34;ח</p>\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := string(RenderMarkdown(c.in)); got != c.want {
				t.Errorf("RenderMarkdown(%q)\n got %q\nwant %q", c.in, got, c.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	got := PlainText("# Title\n\nSee **the** [form](https://x.example) now.\n- one\n- two")
	want := "Title\n\nSee the form now.\n\none\ntwo"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// allowedTag is every tag RenderMarkdown may write.
var allowedTag = regexp.MustCompile(`^<(/?(p|h2|h3|h4|ul|ol|li|blockquote|strong|em|code|a)|a href="(https?://|mailto:|/)[^"<>` + "`" + `]*"( rel="nofollow noopener")?)>$`)

// FuzzRenderMarkdown: whatever an editor writes, the HTML holds only the subset's own tags,
// links only to safe places, and the text survives.
func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{
		"# h\n\n- a\n- b", "**b *i* b**", "[a](https://x)", "[a](javascript:x)", "<script>x</script>", "`<b>`",
		"***", "[[[]]]((()))", "**", "_a_b_", "1. x\n2) y", "> q", "\\", "[a](/b\"onmouseover=x)", "[**a**](https://x)",
		"\x00\xff", strings.Repeat("*[", 100),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(RenderMarkdown(s))
		for _, tag := range tagRe.FindAllString(out, -1) {
			if !allowedTag.MatchString(tag) {
				t.Fatalf("RenderMarkdown(%q) wrote the tag %q", s, tag)
			}
		}
		if strings.Contains(strings.ToLower(out), "javascript:") && strings.Contains(out, `href="javascript`) {
			t.Fatalf("RenderMarkdown(%q) links to javascript:", s)
		}
		PlainText(s)
	})
}

func TestBestPassage(t *testing.T) {
	text := "Welcome to our insurance company.\n\nTo file a collision claim, send photos of the damage and the police report within 30 days.\n\nOur offices open at nine."
	if got := BestPassage(text, "how do I file a claim after a crash", nil); !strings.HasPrefix(got, "To file a collision claim") {
		t.Errorf("got %q", got)
	}
	// A long paragraph is cut into windows; the one with the query's words wins.
	long := strings.Repeat("filler words about nothing in particular here ", 20) + "the deductible is paid by the policyholder before the insurer pays " + strings.Repeat("more filler text to follow ", 20)
	got := BestPassage(long, "who pays the deductible", nil)
	if !strings.Contains(got, "deductible is paid") || len(strings.Fields(got)) > passageWords+1 {
		t.Errorf("got %q", got)
	}
	if got := BestPassage(text, "zebra", nil); !strings.HasPrefix(got, "Welcome") {
		t.Errorf("no match: got %q, want the opening", got)
	}
}

// A paragraph of ten thousand unclosed marks renders in linear time (a page view, not a
// denial of service); the test fails by timing out, never by measuring.
func TestRenderMarkdownUnclosedMarks(t *testing.T) {
	for _, m := range []string{"[", "**", "*a ", "`", "](", "_x "} {
		out := RenderMarkdown(strings.Repeat(m, 100_000/len(m)))
		if len(out) == 0 {
			t.Errorf("%q: empty", m)
		}
	}
}

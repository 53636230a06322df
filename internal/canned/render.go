package canned

import (
	"fmt"
	"slices"
	"strings"
)

// Variables are the names a body may use, each filled from the conversation at hand.
var Variables = []string{
	"customer.name", "customer.first_name", "agent.name", "agent.first_name", "conversation.id",
}

// Values fill a body's variables. A value the conversation lacks (a customer without a name)
// is left empty, without the space before it, so the text still reads well.
type Values map[string]string

// SyntaxError is a body that does not parse: an unclosed "{{", or a name Gesher does not know.
type SyntaxError struct {
	Offset int // byte offset of the offending "{{"
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("canned: at byte %d: %s", e.Offset, e.Reason)
}

// Check reports the first problem in a body, or nil.
func Check(body string) error {
	_, err := render(body, nil)
	return err
}

// Render fills body's variables from v.
func Render(body string, v Values) (string, error) {
	return render(body, v)
}

func render(body string, v Values) (string, error) {
	var b strings.Builder
	rest, at := body, 0
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		j := strings.Index(rest[i+2:], "}}")
		if j < 0 {
			return "", &SyntaxError{Offset: at + i, Reason: `"{{" is never closed with "}}"`}
		}
		name := strings.TrimSpace(rest[i+2 : i+2+j])
		if !slices.Contains(Variables, name) {
			return "", &SyntaxError{Offset: at + i, Reason: fmt.Sprintf("unknown variable %q (known: %s)", name, strings.Join(Variables, ", "))}
		}
		at += i + 2 + j + 2
		rest = rest[i+2+j+2:]
		value := v[name]
		if value == "" {
			// An empty value must not leave "Hello , thanks" behind: drop the space before it
			// when a space or a punctuation mark follows.
			if out := b.String(); strings.HasSuffix(out, " ") && (rest == "" || strings.ContainsAny(rest[:1], " ,.!?;:\n")) {
				b.Reset()
				b.WriteString(out[:len(out)-1])
			}
		}
		b.WriteString(value)
	}
	return b.String(), nil
}

// FirstName is the part of a full name a greeting uses.
func FirstName(name string) string {
	f := strings.Fields(name)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

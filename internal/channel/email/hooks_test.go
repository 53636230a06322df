package email_test

// These tests run the email channel through the whole server, as mail meets it: the SMTP
// listener app.Open builds, fed by a real SMTP client (Debian's swaks), the HTTP inbound route,
// the ingest transaction and the send job, on SQLite and on PostgreSQL, with replies going to
// a real SMTP server on loopback (the sink).

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/channel/channeltest"
	"github.com/gesher-cs/gesher/internal/channel/email"
	"github.com/gesher-cs/gesher/internal/conversation"
)

const (
	ourAddress = "service@demo.example"
	hookSecret = "email-hook-secret"
)

type env struct {
	*channeltest.Env
	smtp string // the SMTP listener, host:port
	ch   channel.Channel
	sink *sink
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	if _, err := exec.LookPath("swaks"); err != nil {
		t.Fatal("swaks is not installed: run scripts/ensure-deps.sh (apt-get install swaks)")
	}
	sink := newSink(t)
	e := &env{Env: channeltest.New(t, dsn, channeltest.Options{Start: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}), sink: sink}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.App.Email.Serve(ln) }()
	t.Cleanup(func() { _ = e.App.Email.Close() })
	e.smtp = ln.Addr().String()
	e.ch = e.channel("support", ourAddress, true)
	return e
}

// channel creates an email channel for address whose replies go to the sink.
func (e *env) channel(name, address string, enabled bool) channel.Channel {
	e.T().Helper()
	return e.Ensure(channel.Channel{Name: name, Kind: email.Kind, Secret: hookSecret, Enabled: enabled, Settings: map[string]string{
		email.SettingAddress: address, email.SettingFromName: "Gesher Insurance",
		email.SettingSMTPHost: e.sink.host, email.SettingSMTPPort: e.sink.port, email.SettingSMTPTLS: email.TLSNone,
		email.SettingMessageIDDomain: "demo.example",
	}})
}

// delivery is what a real SMTP client saw: the reply to each command it sent.
type delivery struct {
	exit       int    // swaks' exit code: 0 delivered, 24 no recipient accepted, 26 refused after DATA
	rcpt, data int    // the reply codes to RCPT TO and to the message's final dot (0: not reached)
	transcript string // for failure messages
}

var replyLine = regexp.MustCompile(`(?m)^ *(<-|<\*\*) +(\d{3})[ -]`)

// send delivers a raw message to the listener with swaks. from is the envelope sender ("<>"
// for a bounce).
func (e *env) send(raw []byte, from string, to ...string) delivery {
	e.T().Helper()
	if !bytes.HasSuffix(raw, []byte("\n")) {
		// In SMTP the data always ends with a line end before the final dot; swaks would add
		// it too, but takes a one-line argument without one for the name of a file.
		raw = append(raw[:len(raw):len(raw)], '\r', '\n')
	}
	f := filepath.Join(e.T().TempDir(), "message.eml")
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		e.T().Fatal(err)
	}
	// swaks' own "fixups" of the data are its %TOKEN% replacement (none of the messages has
	// one), dropping an mbox "From " line, and the closing dot; the bytes are otherwise sent
	// as they are, dot-stuffed, with CRLF line ends as SMTP wants.
	cmd := exec.Command("swaks", "--server", e.smtp, "--helo", "client.test", "--from", from, "--to", strings.Join(to, ","),
		"--data", "@"+f, "--suppress-data", "--timeout", "60")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	d := delivery{transcript: out.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		d.exit = ee.ExitCode()
	} else if err != nil {
		e.T().Fatalf("swaks: %v\n%s", err, out.String())
	}
	// The transcript's replies, in order: banner, EHLO, MAIL, one per RCPT, DATA's 354, the
	// reply to the final dot, QUIT's.
	var codes []int
	for _, m := range replyLine.FindAllStringSubmatch(d.transcript, -1) {
		n, _ := strconv.Atoi(m[2])
		if len(codes) > 0 && strings.HasSuffix(m[0], "-") {
			continue // a continuation line of a multi-line reply
		}
		codes = append(codes, n)
	}
	for i, c := range codes {
		if c == 354 && i+1 < len(codes) {
			d.data = codes[i+1]
		}
	}
	if len(codes) > 3 {
		d.rcpt = codes[3]
	}
	return d
}

// messagesOn returns the messages stored on a channel, oldest first.
func (e *env) messagesOn(ch channel.Channel) []conversation.Message {
	e.T().Helper()
	ctx := context.Background()
	rows, err := e.App.DB.Query(ctx, `SELECT id FROM messages WHERE channel_id = ? ORDER BY id`, ch.ID)
	if err != nil {
		e.T().Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			e.T().Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var out []conversation.Message
	for _, id := range ids {
		m, err := e.App.Conversations.Message(ctx, id)
		if err != nil {
			e.T().Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// media downloads an attachment as an agent does.
func (e *env) media(att conversation.Attachment) []byte {
	e.T().Helper()
	return []byte(e.Get(att.URL, nil).Body)
}

// postHook posts a raw message to the HTTP inbound route, signed unless sig is given.
func (e *env) postHook(raw []byte, contentType string, sig ...string) channeltest.Answer {
	e.T().Helper()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/hooks/email/"+e.ch.Name, bytes.NewReader(raw))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	s := api.Sign(hookSecret, raw)
	if len(sig) > 0 {
		s = sig[0]
	}
	if s != "" {
		req.Header.Set(email.SignatureHeader, s)
	}
	return e.Do(req)
}

// sharedEmails finds the workspace's shared messages, walking up from the package directory.
// Not finding them is a failure: they are the acceptance test.
func sharedEmails(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", "emails")
		if _, err := os.Stat(filepath.Join(p, "mail")); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("shared/data/emails not found above the package directory")
		}
		dir = parent
	}
}

func (d delivery) String() string {
	return fmt.Sprintf("exit %d, RCPT %d, DATA %d\n%s", d.exit, d.rcpt, d.data, d.transcript)
}

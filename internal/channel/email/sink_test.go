package email_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server on loopback standing in for the channel's outgoing mail server:
// it speaks SMTP as any MTA does (go-smtp), records what it accepted, and refuses when told to.
type sink struct {
	t    *testing.T
	addr string // host:port
	host string
	port string

	mu       sync.Mutex
	refusals []refusal // consumed in order, one per matching stage
	accepted []accepted
	attempts int    // transactions that reached DATA or were refused
	user     string // when set, AUTH PLAIN with user and pass is required
	pass     string
	tlsUsed  []bool // per accepted message: whether the connection was encrypted
}

// refusal makes the sink answer stage ("rcpt" or "data") with an SMTP error once.
type refusal struct {
	stage   string
	code    int
	enhance smtp.EnhancedCode
	message string
}

type accepted struct {
	from string
	to   []string
	data []byte
}

// sinkTLS is a certificate for 127.0.0.1 and the pool that trusts it.
func sinkTLS(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	ts := httptest.NewTLSServer(nil) // borrowed for its certificate, valid for 127.0.0.1
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return &tls.Config{Certificates: ts.TLS.Certificates}, pool
}

type sinkOptions struct {
	starttls *tls.Config // offer STARTTLS with this certificate
	implicit *tls.Config // TLS from the first byte (port 465 style)
	user     string
	pass     string
}

func newSink(t *testing.T, opts ...sinkOptions) *sink {
	t.Helper()
	var o sinkOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	s := &sink{t: t, user: o.user, pass: o.pass}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &sinkSession{s: s, conn: c}, nil
	}))
	srv.Domain = "sink.test"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.AllowInsecureAuth = true
	srv.ErrorLog = silentLog{}
	srv.TLSConfig = o.starttls
	var ln net.Listener
	var err error
	if o.implicit != nil {
		ln, err = tls.Listen("tcp", "127.0.0.1:0", o.implicit)
	} else {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	s.addr = ln.Addr().String()
	s.host, s.port, _ = net.SplitHostPort(s.addr)
	return s
}

func (s *sink) refuse(r ...refusal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = append(s.refusals, r...)
}

func (s *sink) messages() []accepted {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]accepted(nil), s.accepted...)
}

func (s *sink) encrypted() []bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bool(nil), s.tlsUsed...)
}

func (s *sink) tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// next returns the refusal for stage, if the next one is for it.
func (s *sink) next(stage string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refusals) == 0 || s.refusals[0].stage != stage {
		return nil
	}
	r := s.refusals[0]
	s.refusals = s.refusals[1:]
	s.attempts++
	return &smtp.SMTPError{Code: r.code, EnhancedCode: r.enhance, Message: r.message}
}

type sinkSession struct {
	s      *sink
	conn   *smtp.Conn
	authed bool
	from   string
	to     []string
}

var _ smtp.AuthSession = (*sinkSession)(nil)

func (ss *sinkSession) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.next("rcpt"); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.s.next("data"); err != nil {
		return err
	}
	_, encrypted := ss.conn.TLSConnectionState()
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.attempts++
	ss.s.accepted = append(ss.s.accepted, accepted{from: ss.from, to: ss.to, data: b})
	ss.s.tlsUsed = append(ss.s.tlsUsed, encrypted)
	return nil
}

func (ss *sinkSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *sinkSession) Logout() error { return nil }

type silentLog struct{}

func (silentLog) Printf(string, ...any) {}
func (silentLog) Println(...any)        {}

// header returns a header of a raw message, unfolded.
func header(raw []byte, name string) string {
	head, _, _ := strings.Cut(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	var out []string
	lines := strings.Split(head, "\n")
	for i := 0; i < len(lines); i++ {
		k, v, ok := strings.Cut(lines[i], ":")
		if !ok || !strings.EqualFold(k, name) {
			continue
		}
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
			i++
			v += " " + strings.TrimSpace(lines[i])
		}
		out = append(out, strings.TrimSpace(v))
	}
	return strings.Join(out, ", ")
}

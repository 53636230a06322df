package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/gesher-cs/gesher/internal/channel"
)

// ingestTimeout bounds the parse and the ingest transaction of one message; a sending server
// waits ten minutes for the reply to the final dot (RFC 5321 §4.5.3.2.6), so this is well
// inside what it tolerates.
const ingestTimeout = 2 * time.Minute

// Server is the inbound SMTP listener: the final destination of mail to the addresses of the
// enabled email channels. It accepts a recipient only when a channel has that address, reads
// the whole message, and answers 250 only once the message is committed, so a message the
// sending server was told is delivered is never lost; if storing fails it answers 451, and the
// sending server tries again later. It relays nothing and offers no AUTH: it is an MX, not a
// submission server.
type Server struct {
	channels *channel.Channels
	ingester *channel.Ingester
	adapter  *Adapter // turns parsed mail into ingest items, as for the HTTP route
	log      *slog.Logger
	smtp     *smtp.Server

	// ctx is cancelled by Close, after in-flight messages had their chance to commit.
	ctx       context.Context
	cancel    context.CancelFunc
	mu        sync.Mutex
	closed    bool
	listeners []net.Listener
	inFlight  sync.WaitGroup // Data calls between reading the message and answering it
}

// NewServer returns the listener; Serve starts it. domain names this server in its greeting.
func NewServer(channels *channel.Channels, ingester *channel.Ingester, log *slog.Logger, domain string) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{channels: channels, ingester: ingester, adapter: New(Options{Log: log}), log: log}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	srv := smtp.NewServer(backend{s})
	if domain == "" {
		domain = "localhost"
	}
	srv.Domain = domain
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = 50
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogPrinter{log}
	s.smtp = srv
	return s
}

// Serve accepts connections on ln until Close. It returns nil once closed.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return nil
	}
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	err := s.smtp.Serve(ln)
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Close stops accepting connections and new messages (421), lets the messages already being
// stored commit and be answered (waiting up to ingestTimeout), and then drops every
// connection. A message cut off here was not answered 250, so its sender delivers it again,
// and the second delivery is recognised by its Message-ID.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for _, ln := range s.listeners {
		_ = ln.Close()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.inFlight.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(ingestTimeout):
	}
	err := s.smtp.Close()
	s.cancel()
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil // the listeners were closed above
	}
	return err
}

// begin registers a message being stored, unless the server is closing.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.inFlight.Add(1)
	return true
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, remote: c.Conn().RemoteAddr().String()}, nil
}

// session is one SMTP connection's current transaction.
type session struct {
	s        *Server
	remote   string
	from     string // the envelope sender, NullSender for MAIL FROM:<>
	channels []channel.Channel
}

func (ss *session) Reset() { ss.from, ss.channels = "", nil }

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	if from == "" {
		ss.from = NullSender
	}
	return nil
}

var (
	errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	errLookup    = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure looking up the mailbox, try again later"}
	errStore     = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure storing the message, try again later"}
	errClosing   = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Shutting down, try again later"}
)

// Rcpt accepts the address of an enabled email channel and refuses any other with 550: mail
// for someone else is not ours to relay.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(ss.s.ctx, 30*time.Second)
	defer cancel()
	ch, err := ss.s.channelFor(ctx, to)
	if errors.Is(err, channel.ErrNotFound) {
		ss.s.log.Info("smtp: recipient refused", "to", to, "remote", ss.remote)
		return errNoMailbox
	}
	if err != nil {
		ss.s.log.Error("smtp: look up recipient", "to", to, "err", err)
		return errLookup
	}
	for _, c := range ss.channels {
		if c.ID == ch.ID {
			return nil
		}
	}
	ss.channels = append(ss.channels, ch)
	return nil
}

// channelFor finds the enabled email channel whose address is to.
func (s *Server) channelFor(ctx context.Context, to string) (channel.Channel, error) {
	to = strings.ToLower(strings.TrimSpace(to))
	all, err := s.channels.List(ctx)
	if err != nil {
		return channel.Channel{}, err
	}
	for _, ch := range all {
		if ch.Kind == Kind && ch.Enabled && strings.ToLower(strings.TrimSpace(ch.Settings[SettingAddress])) == to {
			return ch, nil
		}
	}
	return channel.Channel{}, channel.ErrNotFound
}

// Data reads the whole message, parses it and ingests it for each channel it was addressed
// to. Its answer is the SMTP reply to the final dot: nil is 250, sent only after the commit.
func (ss *session) Data(r io.Reader) error {
	if !ss.s.begin() {
		return errClosing
	}
	defer ss.s.inFlight.Done()
	raw, err := io.ReadAll(r)
	if err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se // 552: over the size limit
		}
		return errStore
	}
	m, err := Parse(raw, ss.from)
	if err != nil {
		ss.s.log.Info("smtp: message refused", "from", ss.from, "remote", ss.remote, "err", err)
		return refusal(err)
	}
	ctx, cancel := context.WithTimeout(ss.s.ctx, ingestTimeout)
	defer cancel()
	for _, ch := range ss.channels {
		items, err := ss.s.adapter.Items(ch, m)
		if err != nil {
			ss.s.log.Info("smtp: message refused", "channel", ch.Name, "from", ss.from, "message_id", m.MessageID, "err", err)
			return refusal(err)
		}
		if len(items) == 0 {
			continue
		}
		results, err := ss.s.ingester.Ingest(ctx, ch, items)
		if err != nil {
			var pe *channel.PayloadError
			if errors.As(err, &pe) {
				ss.s.log.Info("smtp: message refused", "channel", ch.Name, "message_id", m.MessageID, "err", err)
				return refusal(err)
			}
			// Another channel of this message may already be stored; the retry finds it
			// by its Message-ID and stores it once.
			ss.s.log.Error("smtp: store message", "channel", ch.Name, "message_id", m.MessageID, "err", err)
			return errStore
		}
		for _, res := range results {
			ss.s.log.Info("smtp: message stored", "channel", ch.Name, "message_id", m.MessageID, "duplicate", res.Duplicate, "message", res.MessageID, "ignored", res.Ignored)
		}
	}
	return nil
}

// refusal is the permanent answer to a message that cannot be stored as it is: 554 with the
// reason, so the sender's bounce tells them what was wrong.
func refusal(err error) error {
	reason := err.Error()
	var pe *channel.PayloadError
	if errors.As(err, &pe) {
		reason = pe.Reason
	}
	return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Message refused: " + oneLine(limit(reason, 400))}
}

// slogPrinter gives go-smtp's error log to slog.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp: " + fmt.Sprintf(format, v...))
}
func (p slogPrinter) Println(v ...any) { p.log.Warn("smtp: " + fmt.Sprint(v...)) }

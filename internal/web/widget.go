package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/gesher-cs/gesher/internal/bus"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/event"
)

// visitorChannel is implemented by adapters whose customers are anonymous browser visitors
// (the web chat): the server issues their identity, checks it on every call, and knows which
// sites may embed the widget. Found by type assertion, so web imports no adapter.
type visitorChannel interface {
	channel.Adapter
	NewVisitor(ch channel.Channel) (id, token string, err error)
	VerifyVisitor(ch channel.Channel, visitorID, token string) error
	AllowedOrigins(ch channel.Channel) []string
	Greeting(ch channel.Channel, lang string) (title, greeting string)
	Languages(ch channel.Channel) []string
}

// widgetNotBuilt is /widget.js in a binary built without the widget (a clean checkout, or
// -tags noui).
const widgetNotBuilt = "widget not built — run make\n"

// widgetScript serves /widget.js: one file, built by Vite into dist/widget and gzipped once
// at start-up. Sites embed this exact URL, so it cannot carry a fingerprint; browsers keep it
// five minutes and then revalidate with the ETag.
type widgetScript struct {
	body, gz []byte
	etag     string
}

func newWidgetScript(files fs.FS) *widgetScript {
	w := &widgetScript{}
	if files == nil {
		return w
	}
	b, err := fs.ReadFile(files, "widget.js")
	if err != nil {
		return w
	}
	sum := sha256.Sum256(b)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	w.body, w.gz, w.etag = b, buf.Bytes(), `"`+hex.EncodeToString(sum[:8])+`"`
	return w
}

func (ws *widgetScript) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if ws.body == nil {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(widgetNotBuilt))
		return
	}
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("ETag", ws.etag)
	h.Set("Access-Control-Allow-Origin", "*")
	// The script runs on other sites: they must be allowed to load it.
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Add("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == ws.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	b := ws.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		b = ws.gz
	}
	h.Set("Content-Length", itoa(len(b)))
	_, _ = w.Write(b)
}

// widgetChannel finds the channel named in the URL, enabled and served by a visitor adapter.
// Anything else is "not found", without saying which.
func (s *Server) widgetChannel(r *http.Request) (channel.Channel, visitorChannel, error) {
	ch, err := s.d.Channels.ByName(r.Context(), r.PathValue("channel"))
	if err != nil {
		return ch, nil, err
	}
	a, ok := s.d.Registry.Get(ch.Kind)
	vc, isVisitor := a.(visitorChannel)
	if !ch.Enabled || !ok || !isVisitor {
		return ch, nil, channel.ErrNotFound
	}
	return ch, vc, nil
}

// originAllowed says whether a browser on origin may call the channel's widget routes. No
// Origin (not a browser, or a same-origin GET) and Gesher's own origin are always allowed.
func originAllowed(r *http.Request, allowed []string, origin string) bool {
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	origin = strings.ToLower(origin)
	for _, a := range allowed {
		if a == "*" || a == origin {
			return true
		}
	}
	return false
}

// cors answers for the widget's cross-origin calls: the widget runs on the customer's site,
// not on Gesher's. It reports false, having answered 403, for an origin the channel does not
// allow. No credentials (cookies) are ever involved: the visitor's token is in the body.
func (s *Server) cors(w http.ResponseWriter, r *http.Request, ch channel.Channel, vc visitorChannel) bool {
	origin := r.Header.Get("Origin")
	if !originAllowed(r, vc.AllowedOrigins(ch), origin) {
		writeJSONError(w, http.StatusForbidden, "origin_not_allowed", "this site may not embed the channel's widget (allowed_origins)")
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	if origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Max-Age", "600")
	}
	return true
}

// widgetPreflight answers the browser's CORS preflight for the widget's POSTs.
func (s *Server) widgetPreflight(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.cors(w, r, ch, vc) {
		w.WriteHeader(http.StatusNoContent)
	}
}

// widgetSessionView is a new visitor's identity. The widget keeps both in the embedding site's
// localStorage and sends them on every call.
type widgetSessionView struct {
	VisitorID string `json:"visitor_id"`
	Token     string `json:"token"`
}

// widgetSession issues a visitor identity. It stores nothing: the token is derived from the
// id, and the customer is created by the visitor's first message.
func (s *Server) widgetSession(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.cors(w, r, ch, vc) {
		return
	}
	id, token, err := vc.NewVisitor(ch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, widgetSessionView{VisitorID: id, Token: token})
}

// widgetConfigView is what the widget shows before anyone writes.
type widgetConfigView struct {
	Title     string   `json:"title,omitempty"`
	Greeting  string   `json:"greeting,omitempty"`
	Languages []string `json:"languages"`
}

func (s *Server) widgetConfig(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.cors(w, r, ch, vc) {
		return
	}
	title, greeting := vc.Greeting(ch, r.URL.Query().Get("lang"))
	writeJSON(w, http.StatusOK, widgetConfigView{Title: title, Greeting: greeting, Languages: vc.Languages(ch)})
}

// widgetHook is the web chat's webhook: the same pipeline as every provider's
// (receiveHook), with the CORS answer a browser on the customer's site needs first, so
// that even a refusal (400, 401) is readable by the widget.
func (s *Server) widgetHook(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.cors(w, r, ch, vc) {
		return
	}
	r.SetPathValue("kind", string(ch.Kind))
	s.receiveHook(w, r)
}

// widgetFrame is one WebSocket message to the visitor.
type widgetFrame struct {
	// Type is "hello" first (with the conversation so far), then "message" for each new
	// message and "agent" when an agent takes the conversation.
	Type     string          `json:"type"`
	Messages []widgetMessage `json:"messages,omitempty"`
	Message  *widgetMessage  `json:"message,omitempty"`
	// Agent is the first name of the agent who has the conversation.
	Agent string `json:"agent,omitempty"`
}

// widgetMessage is a message as the visitor sees it: no customer, conversation or agent ids,
// no agent email, only the agent's first name.
type widgetMessage struct {
	ID string `json:"id"`
	// ClientID is the widget's own id of a message the visitor wrote, so it can match its
	// unsent copy.
	ClientID string    `json:"client_id,omitempty"`
	From     string    `json:"from"` // "visitor" or "agent"
	Author   string    `json:"author,omitempty"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
}

// widgetRead is the one frame the widget sends: these agent messages were shown.
type widgetRead struct {
	Type string   `json:"type"` // "read"
	IDs  []string `json:"ids"`
}

// visitorConn is one visitor's socket: who they are, and what has been sent to them.
type visitorConn struct {
	s       *Server
	ch      channel.Channel
	visitor string
	mu      sync.Mutex
	cust    string // the customer id, once the visitor has written; guarded by mu
	names   map[string]string
	sent    map[string]bool // message ids already written to the socket (the loop only)
}

func (v *visitorConn) customer() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.cust
}

func (v *visitorConn) setCustomer(id string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.cust = id
}

// refresh finds the visitor's customer, following merges. Not having written yet is no error.
func (v *visitorConn) refresh(ctx context.Context) error {
	c, err := v.s.d.Customers.FindByIdentity(ctx, customer.Visitor, v.visitor)
	if errors.Is(err, customer.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v.setCustomer(c.ID)
	return nil
}

// wants is the bus filter: events of this visitor's customer that the widget shows, and,
// before the visitor's customer exists, the visitor's own first message on this channel
// (recognised by its external id, so other visitors' messages are not even looked at).
func (v *visitorConn) wants(e event.Event) bool {
	cust := v.customer()
	switch e.Kind {
	case event.MessageReceived:
		if cust != "" && e.CustomerID == cust {
			return true
		}
		return e.ChannelID == v.ch.ID && bytes.Contains(e.Data, []byte(`"external_id":"`+v.visitor+`:`))
	case event.MessageQueued, event.ConversationAssigned, event.CustomerMerged, event.CustomerUnmerged:
		return cust != "" && e.CustomerID == cust
	}
	return false
}

// agentName is the first word of an agent's display name: enough to say who is answering,
// and nothing the visitor could use to reach the agent outside the conversation.
func (v *visitorConn) agentName(ctx context.Context, userID string) string {
	if userID == "" {
		return ""
	}
	if n, ok := v.names[userID]; ok {
		return n
	}
	name := ""
	if u, err := v.s.d.Auth.GetUser(ctx, userID); err == nil {
		if f := strings.Fields(u.Name); len(f) > 0 {
			name = f[0]
		}
	}
	v.names[userID] = name
	return name
}

// view is m as the visitor sees it, or false when it is not theirs to see: only messages of
// this channel, so an email or SMS in the same conversation never shows in a browser that
// merely holds the visitor's token.
func (v *visitorConn) view(ctx context.Context, m conversation.Message) (widgetMessage, bool) {
	if m.ChannelID != v.ch.ID {
		return widgetMessage{}, false
	}
	wm := widgetMessage{ID: m.ID, Text: m.Text, At: m.CreatedAt}
	if m.Direction == conversation.Inbound {
		wm.From = "visitor"
		wm.ClientID, _ = strings.CutPrefix(m.ExternalID, v.visitor+":")
	} else {
		wm.From, wm.Author = "agent", v.agentName(ctx, m.AuthorID)
	}
	return wm, true
}

// delivered records that the visitor's browser has an agent's message: written to the socket
// is as delivered as a web chat gets.
func (v *visitorConn) delivered(ctx context.Context, m conversation.Message) {
	if m.Direction != conversation.Outbound || (m.Status != conversation.StatusQueued && m.Status != conversation.StatusSent) {
		return
	}
	if err := v.s.d.Conversations.SetMessageStatus(ctx, m.ID, conversation.StatusDelivered, "", ""); err != nil {
		v.s.d.Log.Warn("widget: mark delivered", "message", m.ID, "err", err)
	}
}

// history is the visitor's latest conversation, as far as the widget may show it, and who has
// it.
func (v *visitorConn) history(ctx context.Context) ([]conversation.Message, []widgetMessage, string, error) {
	cust := v.customer()
	if cust == "" {
		return nil, []widgetMessage{}, "", nil
	}
	list, err := v.s.d.Conversations.List(ctx, conversation.Filter{CustomerID: cust, Limit: 1})
	if err != nil || len(list) == 0 {
		return nil, []widgetMessage{}, "", err
	}
	conv, err := v.s.d.Conversations.Get(ctx, list[0].ID)
	if err != nil {
		return nil, nil, "", err
	}
	var shown []conversation.Message
	views := []widgetMessage{}
	for _, m := range conv.Messages {
		if wm, ok := v.view(ctx, m); ok {
			shown, views = append(shown, m), append(views, wm)
		}
	}
	return shown, views, v.agentName(ctx, conv.AssigneeID), nil
}

// widgetLive is the visitor's WebSocket: the conversation so far, then each new message of
// theirs as it commits, on this node or, with PostgreSQL, any node. Agents' messages are marked
// delivered once written, and read when the widget says it showed them.
func (s *Server) widgetLive(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	visitor := q.Get("visitor_id")
	if err := vc.VerifyVisitor(ch, visitor, q.Get("token")); err != nil {
		s.fail(w, r, err)
		return
	}
	opts := &websocket.AcceptOptions{}
	for _, o := range vc.AllowedOrigins(ch) {
		if o == "*" {
			// The channel lets any site embed the widget; the token, not the origin, is what
			// authenticates the visitor, and no cookie rides on this socket.
			opts.InsecureSkipVerify = true
			break
		}
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			opts.OriginPatterns = append(opts.OriginPatterns, u.Scheme+"://"+u.Host)
		}
	}
	c, err := websocket.Accept(w, r, opts)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	v := &visitorConn{s: s, ch: ch, visitor: visitor, names: map[string]string{}, sent: map[string]bool{}}
	ctx := r.Context()
	if err := v.refresh(ctx); err != nil {
		s.d.Log.Error("widget: find visitor", "err", err)
		c.Close(websocket.StatusInternalError, "try again")
		return
	}
	// Subscribed before the history is read, so a message committed in between is not lost;
	// sent filters the overlap.
	sub := s.d.Bus.Subscribe(v.wants, 64)
	defer sub.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go v.readFrames(ctx, cancel, c)

	shown, views, agent, err := v.history(ctx)
	if err != nil {
		s.d.Log.Error("widget: history", "err", err)
		c.Close(websocket.StatusInternalError, "try again")
		return
	}
	if err := writeWidget(ctx, c, widgetFrame{Type: "hello", Messages: views, Agent: agent}); err != nil {
		return
	}
	for _, m := range shown {
		v.sent[m.ID] = true
		v.delivered(ctx, m)
	}
	pump(ctx, c, sub, func(d bus.Delivery, ok bool) bool {
		if !ok || d.Resync {
			// Events may have been missed: the widget reconnects and gets the history again.
			c.Close(websocket.StatusTryAgainLater, "reconnect")
			return false
		}
		return v.handle(ctx, c, d.Event) == nil
	})
}

// handle writes what one event means to the visitor. Only a failed write ends the socket.
func (v *visitorConn) handle(ctx context.Context, c *websocket.Conn, e event.Event) error {
	var data struct {
		MessageID string `json:"message_id"`
		To        string `json:"to"`
	}
	_ = json.Unmarshal(e.Data, &data)
	switch e.Kind {
	case event.CustomerMerged, event.CustomerUnmerged:
		if err := v.refresh(ctx); err != nil {
			v.s.d.Log.Warn("widget: follow merge", "err", err)
		}
		return nil
	case event.ConversationAssigned:
		if name := v.agentName(ctx, data.To); name != "" {
			return writeWidget(ctx, c, widgetFrame{Type: "agent", Agent: name})
		}
		return nil
	}
	if data.MessageID == "" || v.sent[data.MessageID] {
		return nil
	}
	m, err := v.s.d.Conversations.Message(ctx, data.MessageID)
	if err != nil {
		v.s.d.Log.Warn("widget: load message", "message", data.MessageID, "err", err)
		return nil
	}
	first := false
	if v.customer() == "" {
		// The visitor's first message: from now on, their customer's events are theirs.
		if err := v.refresh(ctx); err != nil || v.customer() == "" {
			return nil
		}
		first = true
	}
	if m.CustomerID != v.customer() {
		return nil // not this visitor's, whatever the event said
	}
	if err := v.push(ctx, c, m); err != nil || !first {
		return err
	}
	// What was written in the same transaction as the first message (the help bot's answer)
	// was published before this connection knew the customer, and filtered out: send it now.
	conv, err := v.s.d.Conversations.Get(ctx, m.ConversationID)
	if err != nil {
		v.s.d.Log.Warn("widget: load conversation", "conversation", m.ConversationID, "err", err)
		return nil
	}
	for _, later := range conv.Messages {
		if later.Direction == conversation.Outbound && !v.sent[later.ID] && !later.CreatedAt.Before(m.CreatedAt) {
			if err := v.push(ctx, c, later); err != nil {
				return err
			}
		}
	}
	return nil
}

// push writes one of the visitor's messages to the socket, once.
func (v *visitorConn) push(ctx context.Context, c *websocket.Conn, m conversation.Message) error {
	wm, ok := v.view(ctx, m)
	if !ok || v.sent[m.ID] {
		return nil
	}
	if err := writeWidget(ctx, c, widgetFrame{Type: "message", Message: &wm}); err != nil {
		return err
	}
	v.sent[m.ID] = true
	v.delivered(ctx, m)
	return nil
}

// readFrames reads the widget's "read" reports until the socket closes, then ends the
// connection's context.
func (v *visitorConn) readFrames(ctx context.Context, cancel context.CancelFunc, c *websocket.Conn) {
	defer cancel()
	c.SetReadLimit(16 << 10)
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		var f widgetRead
		// A frame this server cannot read (a newer widget's) is ignored, not fatal.
		if json.Unmarshal(b, &f) != nil || f.Type != "read" {
			continue
		}
		cust := v.customer()
		for i, id := range f.IDs {
			if i == 100 {
				break
			}
			m, err := v.s.d.Conversations.Message(ctx, id)
			// Only the visitor's own agent messages on this channel, and never backwards.
			if err != nil || cust == "" || m.CustomerID != cust || m.ChannelID != v.ch.ID || m.Direction != conversation.Outbound ||
				m.Status == conversation.StatusRead || m.Status == conversation.StatusFailed {
				continue
			}
			if err := v.s.d.Conversations.SetMessageStatus(ctx, m.ID, conversation.StatusRead, "", ""); err != nil {
				v.s.d.Log.Warn("widget: mark read", "message", m.ID, "err", err)
			}
		}
	}
}

func writeWidget(ctx context.Context, c *websocket.Conn, f widgetFrame) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return wsjson.Write(wctx, c, f)
}

// limited applies the webhooks' per-address rate to a widget route: they are as public.
func (s *Server) limited(h http.HandlerFunc) http.HandlerFunc {
	return s.limitRate(s.hookLimiter, h).ServeHTTP
}

package channel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/customer"
	"github.com/gesher-cs/gesher/internal/routing"
)

// Kind names a kind of channel in URLs and settings: readable words, not codes.
type Kind string

// Traditional says whether k is a traditional channel kind, one a shift to digital moves
// customers away from: the phone ("voice") and the branch. Every kind else is digital. The
// segments' adoption share, the dashboards' digital share and the hybrid reserve in routing
// all draw the line here; the rule itself is routing.Traditional, because routing, below this
// package, cannot import it.
func Traditional(k Kind) bool { return routing.Traditional(string(k)) }

// Adapter is one provider's edge. Verify checks that a request really comes from the provider;
// Receive turns its body into inbound items; Send delivers one outbound message and must be
// idempotent on m.ID (a retry after a timeout must not send twice).
type Adapter interface {
	Kind() Kind
	Verify(ch Channel, r *http.Request, body []byte) error
	Receive(ctx context.Context, ch Channel, r *http.Request, body []byte) ([]Inbound, error)
	Send(ctx context.Context, ch Channel, m Outbound) (Receipt, error)
}

// Acknowledger is implemented by adapters whose provider expects a particular answer once the
// delivery is stored (TwiML, an echoed challenge). Others get a JSON 200.
type Acknowledger interface {
	Ack(w http.ResponseWriter, ch Channel, in []Inbound, res []Result) error
}

// Answerer is implemented by adapters whose provider waits on the webhook's answer to know
// what to do next (a phone call: what to say, whom to put it through to). It is called
// instead of Ack, once the delivery is committed, with the request; what it records (a step
// through a phone menu) goes through services injected into it, each committed before it
// writes its answer, so the order "commit, then acknowledge" holds for it too.
type Answerer interface {
	Answer(ctx context.Context, w http.ResponseWriter, r *http.Request, ch Channel, body []byte, in []Inbound, res []Result) error
}

// BodyLimiter is implemented by adapters whose provider sends larger bodies than the server's
// default webhook limit allows: raw email with its attachments.
type BodyLimiter interface {
	MaxBodyBytes() int64
}

// SecretHolder lists the secrets of a channel that must never appear in logs.
type SecretHolder interface {
	Secrets(ch Channel) []string
}

// Identity is one way to reach a customer, as a provider names them.
type Identity struct {
	Kind  customer.IdentityKind
	Value string
}

// Contact is who sent an inbound item.
type Contact struct {
	Identities []Identity // the first is the one the customer is found by
	Name       string
	// Proven says the provider vouches that all the identities are one person — a Telegram
	// user sharing their own number. A customer already holding one of them is then the same
	// customer, and is merged into the one found, instead of leaving the thread split in two.
	Proven bool
}

// StatusUpdate is a provider's report on an outbound message.
type StatusUpdate struct {
	ExternalID string // the provider's id of our outbound message
	Status     string // conversation.StatusSent, StatusDelivered, StatusRead or StatusFailed
	Reason     string
}

// Inbound is one item of a provider's delivery: a customer's message or a status update.
type Inbound struct {
	ExternalID  string // the provider's id, the key for de-duplication
	From        Contact
	Text        string
	Attachments []conversation.Attachment
	// Files are attachments the adapter downloaded from the provider. The ingester stores
	// their bytes in the same transaction as the message and attaches them to it, so a
	// message is acknowledged only once its files are safe.
	Files  []File
	At     time.Time
	Status *StatusUpdate
	// Press is set when the message is a tap on a button of an earlier message, where the
	// provider reports it as such (Telegram's callback_query); Text is then the button's
	// label, which starts with the answer's number as the typed answer would.
	Press *Press
}

// Press is a tap on one of the buttons a message offered (Outbound.Choices). Providers keep
// a message's buttons as long as the message, so a press may answer a question asked long
// ago: Key says which one.
type Press struct {
	// Key is the ChoiceKey of the message the button was on: "" when it had none, or when
	// the button was not one of Gesher's.
	Key string
	// N is the answer's number, 1 for the first of Choices; 0 when the button was not one of
	// Gesher's.
	N int
}

// MaxChoiceKey bounds Outbound.ChoiceKey: it travels with every button (Telegram allows 64
// bytes of data a button, which must also hold the answer's number).
const MaxChoiceKey = 32

// maxButtonNumber bounds the answer numbers ButtonData and ReadButton take.
const maxButtonNumber = 99

// ValidChoiceKey reports whether key can ride in a button's data and be read back: short, and
// of characters that cannot be confused with the separator.
func ValidChoiceKey(key string) bool {
	if len(key) > MaxChoiceKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ButtonData is what the button of answer n (1 for the first) carries to the provider and
// back: "<key>:<n>", or the bare number for a message whose buttons name no question.
// Adapters whose buttons carry data (Telegram's callback_data, WhatsApp's reply ids) write
// it, and ReadButton reads it, so both speak one format.
func ButtonData(key string, n int) string {
	if key == "" {
		return strconv.Itoa(n)
	}
	return key + ":" + strconv.Itoa(n)
}

// ReadButton reads data ButtonData wrote. Data of any other shape is from a button Gesher
// did not make (a template's quick reply, another tool's keyboard): a press that answers none
// of its questions, the zero Press.
func ReadButton(data string) Press {
	key, num := "", data
	if i := strings.LastIndexByte(data, ':'); i >= 0 {
		key, num = data[:i], data[i+1:]
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > maxButtonNumber || strconv.Itoa(n) != num || !ValidChoiceKey(key) {
		return Press{}
	}
	return Press{Key: key, N: n}
}

// File is a file's bytes as the provider delivered them.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Outbound is a message to deliver.
type Outbound struct {
	ID             string // Gesher's message id: the idempotency key
	ConversationID string
	To             []Identity // every identity the customer has; the adapter picks what it needs
	Text           string
	Attachments    []conversation.Attachment
	// Template says the agent sent Text as an approved template (WhatsApp outside its
	// 24-hour window): the adapter sends the real template whose rendering it is.
	Template bool
	// Choices are the answers the message offers, already numbered in Text: adapters whose
	// provider has buttons (WhatsApp) send them as buttons; the others send Text alone, and
	// the customer answers with the number.
	Choices []string
	// ChoiceKey names the question Choices answer (conversation.ReplyInput.ChoiceKey):
	// adapters whose buttons carry data send it with each button and report it back on a
	// press (Inbound.Press).
	ChoiceKey string
	// Subject is the conversation's subject, when it has one.
	Subject string
	// Thread is the conversation's earlier messages on the same channel, oldest first, for
	// adapters that thread replies (email cites their ids in In-Reply-To and References and
	// answers the first one's subject).
	Thread []ThreadMessage
}

// ThreadMessage is an earlier message of the conversation, as Outbound.Thread lists it.
type ThreadMessage struct {
	ExternalID string // the provider's id; "" when it has none
	Inbound    bool   // written by the customer
	Text       string
}

// Receipt is what a provider said when it accepted a message.
type Receipt struct {
	ExternalID string
}

// Errors an adapter returns; the web layer maps them to 401 and 400.
var (
	ErrSignature = errors.New("signature missing or wrong")
	ErrNotFound  = errors.New("channel not found")
	ErrNoAddress = errors.New("the customer has no address on this channel")
	ErrNotFailed = errors.New("only a failed message can be retried")
)

// PayloadError says what is wrong with a provider's body.
type PayloadError struct{ Reason string }

func (e *PayloadError) Error() string { return "bad payload: " + e.Reason }

// Payloadf builds a PayloadError.
func Payloadf(format string, args ...any) error {
	return &PayloadError{Reason: fmt.Sprintf(format, args...)}
}

// SendError is a failed delivery. Temporary errors (5xx, timeouts, resets, 429) are retried,
// after RetryAfter when the provider said so; the others fail the message with Reason.
type SendError struct {
	Temporary  bool
	RetryAfter time.Duration
	StatusCode int
	Reason     string
}

func (e *SendError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	if e.StatusCode != 0 {
		return fmt.Sprintf("%s send failure: HTTP %d: %s", kind, e.StatusCode, e.Reason)
	}
	return fmt.Sprintf("%s send failure: %s", kind, e.Reason)
}

// Registry holds the adapters this binary serves, by kind. It is built explicitly at start-up;
// there is no global registration.
type Registry struct {
	adapters map[Kind]Adapter
}

// NewRegistry returns a registry of the given adapters.
func NewRegistry(adapters ...Adapter) *Registry {
	r := &Registry{adapters: map[Kind]Adapter{}}
	for _, a := range adapters {
		if _, dup := r.adapters[a.Kind()]; dup {
			panic("channel: two adapters of kind " + string(a.Kind()))
		}
		r.adapters[a.Kind()] = a
	}
	return r
}

// Get returns the adapter for kind.
func (r *Registry) Get(kind Kind) (Adapter, bool) {
	a, ok := r.adapters[kind]
	return a, ok
}

// Kinds lists the registered kinds.
func (r *Registry) Kinds() []Kind {
	out := make([]Kind, 0, len(r.adapters))
	for k := range r.adapters {
		out = append(out, k)
	}
	return out
}

type requestURLKey struct{}

// WithRequestURL records the URL the provider called, as the provider saw it (behind a proxy,
// the configured public URL, not the Host header the proxy rewrote).
func WithRequestURL(ctx context.Context, url string) context.Context {
	return context.WithValue(ctx, requestURLKey{}, url)
}

// RequestURL returns the URL the provider called. Adapters whose signatures cover the URL
// (Twilio's) verify against it.
func RequestURL(r *http.Request) string {
	if u, ok := r.Context().Value(requestURLKey{}).(string); ok {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

package bus

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
)

func sample(data string) event.Event {
	return event.Event{
		Seq:            42,
		ID:             "01JNX0000000000000000000AB",
		Kind:           event.MessageReceived,
		CustomerID:     "cu1",
		ConversationID: "co1",
		ChannelID:      "ch1",
		Actor:          event.Actor{Kind: event.ByCustomer, ID: "cu1"},
		Data:           json.RawMessage(data),
		At:             time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
}

func TestPayloadCarriesSmallEventsWhole(t *testing.T) {
	e := sample(`{"text":"مرحبا"}`)
	s, err := encodePayload(e)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	p, err := decodePayload(s)
	if err != nil {
		t.Fatalf("decode %s: %v", s, err)
	}
	if p.Truncated || p.Resync {
		t.Errorf("decoded truncated %v resync %v, want neither", p.Truncated, p.Resync)
	}
	got := p.Event
	if got.ID != e.ID || got.Seq != e.Seq || got.Kind != e.Kind || got.CustomerID != e.CustomerID ||
		got.ConversationID != e.ConversationID || got.ChannelID != e.ChannelID || got.Actor != e.Actor ||
		string(got.Data) != string(e.Data) || !got.At.Equal(e.At) {
		t.Errorf("round trip got %+v, want %+v", got, e)
	}
}

func TestPayloadDropsDataThatWouldNotFit(t *testing.T) {
	for _, n := range []int{maxPayload, 20_000} {
		e := sample(`{"text":"` + strings.Repeat("ש", n/2) + `"}`)
		s, err := encodePayload(e)
		if err != nil {
			t.Fatalf("encode %d bytes: %v", n, err)
		}
		if len(s) > maxPayload {
			t.Errorf("payload for %d bytes of data is %d bytes, want at most %d", n, len(s), maxPayload)
		}
		p, err := decodePayload(s)
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if !p.Truncated || p.Data != nil || p.ID != e.ID || p.ConversationID != e.ConversationID {
			t.Errorf("got truncated %v, %d bytes of data, id %s, conversation %s; want truncated, no data, id %s, conversation %s",
				p.Truncated, len(p.Data), p.ID, p.ConversationID, e.ID, e.ConversationID)
		}
	}
}

func TestPayloadFallsBackToTheIDAlone(t *testing.T) {
	e := sample(`{}`)
	e.CustomerID = strings.Repeat("c", 9000)
	s, err := encodePayload(e)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	p, err := decodePayload(s)
	if err != nil || !p.Truncated || p.ID != e.ID || p.CustomerID != "" {
		t.Errorf("got %+v, %v; want a truncated payload with the id only", p, err)
	}
}

func TestDecodeRejectsForeignPayloads(t *testing.T) {
	for _, s := range []string{``, `x`, `null`, `[]`, `{}`, `{"id":"a"}`, `{"kind":"k"}`, `{"id":1}`} {
		if _, err := decodePayload(s); !errors.Is(err, errBadPayload) {
			t.Errorf("decode %q: got %v, want errBadPayload", s, err)
		}
	}
	p, err := decodePayload(resyncPayload)
	if err != nil || !p.Resync {
		t.Errorf("decode resync: got %+v, %v; want a resync", p, err)
	}
}

func FuzzDecodePayload(f *testing.F) {
	small, _ := encodePayload(sample(`{"text":"hi"}`))
	big, _ := encodePayload(sample(`{"text":"` + strings.Repeat("y", 9000) + `"}`))
	for _, s := range []string{small, big, resyncPayload, `null`, `{"id":"a","kind":"k","at":"bad"}`, `{"id":"a","kind":"k","data":[1,2]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := decodePayload(s)
		if err != nil {
			return
		}
		if p.Resync {
			return
		}
		if p.ID == "" || p.Kind == "" {
			t.Fatalf("accepted %q without id or kind", s)
		}
		// Whatever is accepted can be carried on: re-encoding yields the same event.
		again, err := encodePayload(p.Event)
		if err != nil {
			return // e.g. data that is not valid JSON on its own cannot be re-sent
		}
		q, err := decodePayload(again)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", again, err)
		}
		if q.ID != p.ID || q.Kind != p.Kind {
			t.Fatalf("re-encoded id/kind %s/%s, want %s/%s", q.ID, q.Kind, p.ID, p.Kind)
		}
	})
}

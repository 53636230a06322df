package web

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/helpcenter"
)

// assistTag is the widget's script tag on a help-centre or flow page: the demo's web chat
// channel, and the page token that tells the server what the page showed.
type assistTag struct {
	Channel string
	Page    string
}

// assistTag returns the widget tag for a page the server rendered, or nil when there is no
// web chat to embed (the demo's channel is what /demo/site embeds too; a deployment without
// it gets pages without a widget, as before).
func (s *Server) assistTag(r *http.Request, p assist.Page) *assistTag {
	if s.d.Assist == nil || s.d.Channels == nil {
		return nil
	}
	ch, err := s.d.Channels.ByName(r.Context(), DemoSiteChannel)
	if err != nil || !ch.Enabled {
		return nil
	}
	if _, ok := s.d.Registry.Get(ch.Kind); !ok {
		return nil
	}
	tok, err := s.d.Assist.PageToken(r.Context(), p)
	if err != nil {
		s.d.Log.Warn("assist: page token", "err", err, "request_id", requestID(r.Context()))
		return nil
	}
	return &assistTag{Channel: ch.Name, Page: tok}
}

// offerView is an offer as the widget shows it.
type offerView struct {
	ID   string           `json:"id"`
	Kind assist.OfferKind `json:"kind"`
	// Article is the offered article, in the visitor's language when it has one.
	Article *offerArticle `json:"article,omitempty"`
}

type offerArticle struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// signalAnswer is what the widget gets for a signal: the visit's offer, when it has one the
// visitor has not answered.
type signalAnswer struct {
	Offer *offerView `json:"offer"`
	New   bool       `json:"new,omitempty"`
}

// decisionAnswer is what the widget gets for an answer to an offer.
type decisionAnswer struct {
	Status string `json:"status"`
	// Chat says a conversation was opened: the widget opens its panel.
	Chat    bool          `json:"chat,omitempty"`
	Article *offerArticle `json:"article,omitempty"`
}

// readWidgetBody reads a small JSON body of a widget route: the content type, if any, must be
// JSON; a body over max is refused whole.
func readWidgetBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return nil, &badRequest{field: "body", msg: "expected an application/json body"}
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &badRequest{field: "body", msg: "the body could not be read"}
	}
	return b, nil
}

// widgetSignal is POST /widget/{channel}/signals: the widget reports the page it is on, or how
// long it has been on screen. The visitor's token is checked like a message's; a report
// that does not parse, or whose page token is not the server's, stores nothing.
func (s *Server) widgetSignal(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.cors(w, r, ch, vc) {
		return
	}
	body, err := readWidgetBody(w, r, assist.MaxSignalBody)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := assist.ParseSignal(body)
	if err != nil {
		s.fail(w, r, asBadRequest(err))
		return
	}
	if err := vc.VerifyVisitor(ch, in.VisitorID, in.Token); err != nil {
		s.fail(w, r, err)
		return
	}
	ans, err := s.d.Assist.Record(r.Context(), ch.ID, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := signalAnswer{New: ans.New}
	if ans.Offer != nil {
		out.Offer = s.viewOffer(r, *ans.Offer, in.Lang)
	}
	writeJSON(w, http.StatusOK, out)
}

// widgetDecide is POST /widget/{channel}/offers/{id}: the visitor accepts or dismisses the
// offer. Accepting a chat or a callback opens the conversation an agent will take.
func (s *Server) widgetDecide(w http.ResponseWriter, r *http.Request) {
	ch, vc, err := s.widgetChannel(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.cors(w, r, ch, vc) {
		return
	}
	body, err := readWidgetBody(w, r, assist.MaxDecisionBody)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := assist.ParseDecision(body)
	if err != nil {
		s.fail(w, r, asBadRequest(err))
		return
	}
	if err := vc.VerifyVisitor(ch, in.VisitorID, in.Token); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.d.Assist.Decide(r.Context(), ch.ID, in.VisitorID, r.PathValue("id"), in.Decision)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := decisionAnswer{Status: d.Offer.Status, Chat: d.ConversationID != ""}
	if d.Offer.Kind == assist.OfferArticle && d.Offer.Status == assist.StatusAccepted {
		out.Article = s.offeredArticle(r, d.Offer.ArticleID, in.Lang)
	}
	writeJSON(w, http.StatusOK, out)
}

// asBadRequest makes a parse error of the widget's body a 400, not the 422 of a rule that
// does not validate: the widget sent something it never sends.
func asBadRequest(err error) error {
	var ie *assist.InputError
	if errors.As(err, &ie) {
		return &badRequest{field: ie.Field, msg: ie.Reason}
	}
	return err
}

func (s *Server) viewOffer(r *http.Request, o assist.Offer, lang string) *offerView {
	v := &offerView{ID: o.ID, Kind: o.Kind}
	if o.Kind == assist.OfferArticle {
		v.Article = s.offeredArticle(r, o.ArticleID, lang)
	}
	return v
}

// offeredArticle is the article an offer names, in lang when a published variant is in it.
func (s *Server) offeredArticle(r *http.Request, id, lang string) *offerArticle {
	ctx := r.Context()
	a, err := s.d.Help.Get(ctx, id)
	if err != nil {
		return nil
	}
	if lang != "" && a.Lang != lang {
		if vs, err := s.d.Help.Variants(ctx, a.Group); err == nil {
			for _, v := range vs {
				if v.Lang == lang && v.Status == helpcenter.Published && v.Visibility == helpcenter.Public {
					a = v
				}
			}
		}
	}
	if lang == "" {
		lang = a.Lang
	}
	return &offerArticle{Title: a.DisplayTitle(), URL: "/help/articles/" + url.PathEscape(a.ID) + "?lang=" + url.QueryEscape(lang)}
}

// The rules' API: every signed-in role reads them; supervisors write them.

func (s *Server) listAssistRules(w http.ResponseWriter, r *http.Request) {
	rs, err := s.d.Assist.Rules(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listOf[assist.Rule]{Items: rs})
}

func (s *Server) getAssistRule(w http.ResponseWriter, r *http.Request) {
	rule, err := s.d.Assist.Rule(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) putAssistRule(w http.ResponseWriter, r *http.Request) {
	var in assist.RuleInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	rule, err := s.d.Assist.PutRule(r.Context(), r.PathValue("id"), in, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rule)
}

func (s *Server) deleteAssistRule(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Assist.DeleteRule(r.Context(), r.PathValue("id"), actorOf(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

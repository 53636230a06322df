package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/coaching"
)

type moveRequest struct {
	ChannelID string `json:"channel_id"`
	// Action is continue, offer, callback or visual-menu.
	Action   string `json:"action"`
	Text     string `json:"text,omitempty"`
	Template bool   `json:"template,omitempty"`
}

type creditsView struct {
	UserID string         `json:"user_id"`
	Moves  map[string]int `json:"moves"` // accepted moves by action
	// Coaching counts the coaching credits by kind (coaching-session, stage-advance,
	// deflection); Entries is the whole ledger, newest first.
	Coaching map[string]int    `json:"coaching"`
	Entries  []coaching.Credit `json:"entries"`
	// Total is every credit: the accepted moves (the ledger's deflections) once, the
	// sessions and the stage advances.
	Total int `json:"total"`
}

func (s *Server) moveConversation(w http.ResponseWriter, r *http.Request) {
	var req moveRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	m, err := s.d.Mover.Move(r.Context(), channel.MoveRequest{
		ConversationID: r.PathValue("id"), ToChannelID: req.ChannelID, Action: req.Action, Text: req.Text, Template: req.Template,
	}, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// conversationChannels lists every channel with whether it fits the conversation's customer:
// what the composer's channel picker offers.
func (s *Server) conversationChannels(w http.ResponseWriter, r *http.Request) {
	c, err := s.d.Conversations.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fits, err := s.d.Fitter.FitAll(r.Context(), c.CustomerID, channel.Purpose{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Agents see which channels fit, never a channel's settings: those hold providers' tokens.
	out := make([]channelFitView, 0, len(fits))
	for _, f := range fits {
		out = append(out, channelFitView{Channel: channelBrief{ID: f.Channel.ID, Name: f.Channel.Name, Kind: f.Channel.Kind, Enabled: f.Channel.Enabled},
			Fits: f.Fits, Reason: f.Reason, Message: f.Message, OfferFirst: f.OfferFirst})
	}
	writeJSON(w, http.StatusOK, listOf[channelFitView]{Items: out})
}

// channelFitView is one channel and whether it fits the conversation's customer, as the
// composer's channel picker shows it.
type channelFitView struct {
	Channel channelBrief `json:"channel"`
	Fits    bool         `json:"fits"`
	Reason  string       `json:"reason,omitempty"`
	Message string       `json:"message,omitempty"`
	// OfferFirst says the customer's segment puts this channel first (the list is in that
	// order already).
	OfferFirst bool `json:"offer_first,omitempty"`
}

// userCredits shows an agent's credit for accepted moves, for supervisors.
func (s *Server) userCredits(w http.ResponseWriter, r *http.Request) {
	s.writeCredits(w, r, r.PathValue("id"))
}

// myCredits shows the signed-in agent's own credit.
func (s *Server) myCredits(w http.ResponseWriter, r *http.Request) {
	p, _ := principalFrom(r.Context())
	s.writeCredits(w, r, p.user.ID)
}

func (s *Server) writeCredits(w http.ResponseWriter, r *http.Request, userID string) {
	moves, err := s.d.Mover.Credits(r.Context(), userID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ledger, err := s.d.Coaching.Credits(r.Context(), userID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := creditsView{UserID: userID, Moves: moves, Coaching: ledger.ByKind, Entries: ledger.Entries, Total: ledger.Total}
	writeJSON(w, http.StatusOK, v)
}

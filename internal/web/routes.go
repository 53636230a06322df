package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/assist"
	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/branch"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/coaching"
	"github.com/gesher-cs/gesher/internal/conversation"
	"github.com/gesher-cs/gesher/internal/ivr"
	"github.com/gesher-cs/gesher/internal/journey"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/policy"
	"github.com/gesher-cs/gesher/internal/segment"
	"github.com/gesher-cs/gesher/internal/selfservice"
)

// Route is one row of the route table: what it answers, who may call it, and what the API
// document says about it.
type Route struct {
	Method  string
	Pattern string
	// Perm is the permission the caller's role must have. Empty with Public set means anyone
	// may call it (webhooks verify their own signatures; sign-in checks a password).
	Perm    auth.Permission
	Public  bool
	Summary string
	Tag     string
	// Request and Response are example values whose types describe the bodies in the OpenAPI
	// document; nil means no JSON body.
	Request  any
	Response any
	Status   int // the success status, 200 when zero
	Query    []Param
	handler  http.HandlerFunc
}

// Param is a documented query parameter.
type Param struct {
	Name, Description string
}

// routeTable lists every route. Handlers live in one file per resource.
func (s *Server) routeTable() []Route {
	help := newHelpPages(s)
	track := newTrackerPages(s, help)
	flows := newFlowPages(track)
	help.flows = flows
	menus := newMenuPages(track)
	surveys := newSurveyPages(track)
	branches := newBranchPages(s, help)
	return []Route{
		// Health and metrics: for load balancers and Prometheus.
		{Method: "GET", Pattern: "/healthz", Public: true, Tag: "ops", Summary: "The process is alive", handler: s.healthz},
		{Method: "GET", Pattern: "/readyz", Public: true, Tag: "ops", Summary: "The database answers; the node can take traffic", handler: s.readyz},
		{Method: "GET", Pattern: "/metrics", Public: true, Tag: "ops", Summary: "Prometheus metrics", handler: s.metricsHandler},
		{Method: "GET", Pattern: "/api/v1/openapi.json", Public: true, Tag: "ops", Summary: "This API's OpenAPI 3.1 document", handler: s.openAPI},

		// Webhooks: each adapter verifies the provider's signature itself.
		{Method: "POST", Pattern: "/hooks/{kind}/{channel}", Public: true, Tag: "webhooks", Summary: "Receive a provider's delivery (signature checked by the channel's adapter)",
			Response: hookResponse{}, handler: s.receiveHook},
		{Method: "GET", Pattern: "/hooks/{kind}/{channel}", Public: true, Tag: "webhooks", Summary: "Answer a provider's verification challenge", handler: s.challengeHook},

		// Sessions.
		{Method: "POST", Pattern: "/api/v1/auth/login", Public: true, Tag: "auth", Summary: "Sign in with email and password; sets the session cookie",
			Request: loginRequest{}, Response: userView{}, handler: s.login},
		{Method: "POST", Pattern: "/api/v1/auth/logout", Public: true, Tag: "auth", Summary: "Sign out (ends the session)", Status: http.StatusNoContent, handler: s.logout},
		{Method: "GET", Pattern: "/api/v1/me", Perm: auth.ConversationsRead, Tag: "auth", Summary: "The signed-in user", Response: userView{}, handler: s.me},
		{Method: "POST", Pattern: "/api/v1/me/totp", Perm: auth.ConversationsRead, Tag: "auth", Summary: "Start two-step sign-in: a new authenticator secret and its otpauth:// link (in force once confirmed)",
			Response: auth.TOTPSetup{}, handler: s.beginTOTP},
		{Method: "POST", Pattern: "/api/v1/me/totp/confirm", Perm: auth.ConversationsRead, Tag: "auth", Summary: "Turn two-step sign-in on with a first code from the new secret",
			Request: totpConfirmRequest{}, Status: http.StatusNoContent, handler: s.confirmTOTP},
		{Method: "DELETE", Pattern: "/api/v1/me/totp", Perm: auth.ConversationsRead, Tag: "auth", Summary: "Turn my two-step sign-in off (takes my password)",
			Request: totpDisableRequest{}, Status: http.StatusNoContent, handler: s.disableTOTP},
		{Method: "DELETE", Pattern: "/api/v1/users/{id}/totp", Perm: auth.UsersWrite, Tag: "users", Summary: "Turn a user's two-step sign-in off (a lost phone)", Status: http.StatusNoContent, handler: s.resetTOTP},
		{Method: "PUT", Pattern: "/api/v1/me/availability", Perm: auth.ConversationsRead, Tag: "auth", Summary: "Set my availability (online, away, offline)",
			Request: availabilityRequest{}, Response: userView{}, handler: s.setAvailability},

		// Canned responses: every agent finds and fills them; supervisors write them.
		{Method: "GET", Pattern: "/api/v1/canned-responses", Perm: auth.ConversationsRead, Tag: "canned", Summary: "Canned responses, filtered as the composer needs them",
			Query:    []Param{{"q", "words in the shortcut, title or body"}, {"lang", "the conversation's language: responses in it or in none"}, {"channel_kind", "the reply's channel kind: responses allowed on it"}},
			Response: listOf[canned.Response]{}, handler: s.listCanned},
		{Method: "POST", Pattern: "/api/v1/canned-responses", Perm: auth.CannedWrite, Tag: "canned", Summary: "Write a canned response ({{customer.first_name}}, {{agent.first_name}} … are filled in when used)",
			Request: canned.Input{}, Response: canned.Response{}, Status: http.StatusCreated, handler: s.createCanned},
		{Method: "GET", Pattern: "/api/v1/canned-responses/{id}", Perm: auth.ConversationsRead, Tag: "canned", Summary: "A canned response", Response: canned.Response{}, handler: s.getCanned},
		{Method: "PUT", Pattern: "/api/v1/canned-responses/{id}", Perm: auth.CannedWrite, Tag: "canned", Summary: "Change a canned response",
			Request: canned.Input{}, Response: canned.Response{}, handler: s.updateCanned},
		{Method: "DELETE", Pattern: "/api/v1/canned-responses/{id}", Perm: auth.CannedWrite, Tag: "canned", Summary: "Delete a canned response", Status: http.StatusNoContent, handler: s.deleteCanned},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/canned-responses/{rid}/render", Perm: auth.ConversationsRead, Tag: "canned", Summary: "Fill a canned response in for this conversation (the customer's and the signed-in agent's names)",
			Response: renderedView{}, handler: s.renderCanned},

		// Files customers sent, stored at ingest.
		{Method: "GET", Pattern: "/api/v1/media/{id}", Perm: auth.ConversationsRead, Tag: "conversations", Summary: "Download a file a customer sent (served as an attachment, never rendered in the console's origin)", handler: s.getMedia},

		// Customers.
		{Method: "GET", Pattern: "/api/v1/customers", Perm: auth.CustomersRead, Tag: "customers", Summary: "Find customers by identity or text",
			Query:    []Param{{"identity", "kind:value, e.g. phone:+972501234567 or email:dana@example.com (any format of the number works)"}, {"q", "text in the name or an identity"}, {"limit", "at most 200"}, {"offset", "for paging"}},
			Response: listOf[customerView]{}, handler: s.listCustomers},
		{Method: "GET", Pattern: "/api/v1/customers/{id}", Perm: auth.CustomersRead, Tag: "customers", Summary: "A customer with identities, profile (with the coaching stage) and the segments they are in now", Response: customerWithSegments{}, handler: s.getCustomer},
		{Method: "PATCH", Pattern: "/api/v1/customers/{id}", Perm: auth.CustomersWrite, Tag: "customers", Summary: "Edit name, languages or profile",
			Request: customerPatch{}, Response: customerWithSegments{}, handler: s.patchCustomer},
		{Method: "POST", Pattern: "/api/v1/customers/{id}/identities", Perm: auth.CustomersWrite, Tag: "customers", Summary: "Add an identity (phone, email …)",
			Request: identityRequest{}, Response: customerView{}, Status: http.StatusCreated, handler: s.addIdentity},
		{Method: "GET", Pattern: "/api/v1/customers/{id}/timeline", Perm: auth.CustomersRead, Tag: "customers", Summary: "Everything the customer did, on every channel, newest first",
			Query: []Param{{"before", "an event seq: older events only"}, {"limit", "at most 1000"}}, Response: listOf[eventView]{}, handler: s.timeline},
		{Method: "POST", Pattern: "/api/v1/customers/{id}/merge", Perm: auth.CustomersMerge, Tag: "customers", Summary: "Merge this customer into another (identities, conversations and timeline follow)",
			Request: mergeRequest{}, Response: customerView{}, handler: s.mergeCustomer},
		{Method: "POST", Pattern: "/api/v1/customers/{id}/unmerge", Perm: auth.CustomersMerge, Tag: "customers", Summary: "Undo a merge: the customer gets back its own identities and conversations",
			Response: customerView{}, handler: s.unmergeCustomer},

		// Conversations.
		{Method: "GET", Pattern: "/api/v1/conversations", Perm: auth.ConversationsRead, Tag: "conversations", Summary: "List conversations, most recently active first",
			Query:    []Param{{"customer", "a customer id"}, {"status", "open, pending, resolved; comma-separated"}, {"assignee", "a user id, me, or none"}, {"channel", "a channel id"}, {"before", "RFC 3339 time: last activity before it"}, {"limit", "at most 200"}},
			Response: listOf[conversationView]{}, handler: s.listConversations},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}", Perm: auth.ConversationsRead, Tag: "conversations", Summary: "A conversation with its messages and notes", Response: conversationView{}, handler: s.getConversation},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/assign", Perm: auth.ConversationsAssign, Tag: "conversations", Summary: "Assign or transfer (empty assignee unassigns)",
			Request: assignRequest{}, Response: conversationView{}, handler: s.assignConversation},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/transfer", Perm: auth.ConversationsAssign, Tag: "conversations", Summary: "Transfer to a queue: the conversation leaves its agent and is offered to the queue's members",
			Request: transferRequest{}, Response: conversationView{}, handler: s.transferConversation},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/snooze", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Snooze until a time (or a preset): out of the open views until then, or until the customer writes",
			Request: snoozeRequest{}, Response: conversationView{}, handler: s.snoozeConversation},
		{Method: "DELETE", Pattern: "/api/v1/conversations/{id}/snooze", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Wake a snoozed conversation now", Response: conversationView{}, handler: s.wakeConversation},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/status", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Resolve, reopen or set pending",
			Request: statusRequest{}, Response: conversationView{}, handler: s.setConversationStatus},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/messages", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Reply to the customer (queued for delivery on the channel they last used, or the one given)",
			Request: replyRequest{}, Response: messageView{}, Status: http.StatusAccepted, handler: s.reply},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/flows", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Start a service's guided flow as a conversation on the customer's chat channel (WhatsApp, Telegram, web chat)",
			Request: startFlowRequest{}, Status: http.StatusNoContent, handler: s.startFlow},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/notes", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Add an internal note",
			Request: noteRequest{}, Response: noteView{}, Status: http.StatusCreated, handler: s.addNote},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/move", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Move the conversation to another channel on purpose (refused with a reason when the channel does not fit the customer)",
			Request: moveRequest{}, Response: channel.Moved{}, handler: s.moveConversation},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/channels", Perm: auth.ConversationsRead, Tag: "conversations", Summary: "Every channel, and whether it fits this customer (consent, device, WhatsApp window)",
			Response: listOf[channelFitView]{}, handler: s.conversationChannels},
		{Method: "POST", Pattern: "/api/v1/messages/{id}/retry", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Send a failed message again", Status: http.StatusAccepted, handler: s.retryMessage},

		// Users and tokens.
		{Method: "GET", Pattern: "/api/v1/users", Perm: auth.UsersRead, Tag: "users", Summary: "List users", Response: listOf[userView]{}, handler: s.listUsers},
		{Method: "POST", Pattern: "/api/v1/users", Perm: auth.UsersWrite, Tag: "users", Summary: "Create a user", Request: newUserRequest{}, Response: userView{}, Status: http.StatusCreated, handler: s.createUser},
		{Method: "GET", Pattern: "/api/v1/users/{id}", Perm: auth.UsersRead, Tag: "users", Summary: "A user", Response: userView{}, handler: s.getUser},
		{Method: "PATCH", Pattern: "/api/v1/users/{id}", Perm: auth.UsersWrite, Tag: "users", Summary: "Change a user's name, role, languages, availability or disable them",
			Request: userPatchRequest{}, Response: userView{}, handler: s.patchUser},
		{Method: "GET", Pattern: "/api/v1/users/{id}/credits", Perm: auth.MetricsRead, Tag: "users", Summary: "An agent's credit for moving customers to channels that fit them",
			Response: creditsView{}, handler: s.userCredits},
		{Method: "GET", Pattern: "/api/v1/me/credits", Perm: auth.ConversationsRead, Tag: "users", Summary: "My credit for moving customers to channels that fit them",
			Response: creditsView{}, handler: s.myCredits},

		// Segments, personas and digital coaching (docs/segments.md).
		{Method: "GET", Pattern: "/api/v1/segments", Perm: auth.CustomersRead, Tag: "segments", Summary: "Every segment with its rule, channel-fit matrix, adoption target and persona", Response: listOf[segment.Segment]{}, handler: s.listSegments},
		{Method: "POST", Pattern: "/api/v1/segments", Perm: auth.SegmentsWrite, Tag: "segments", Summary: "Create a segment; its members are found at once by a sweep",
			Request: segment.Input{}, Response: segment.Segment{}, Status: http.StatusCreated, handler: s.createSegment},
		{Method: "GET", Pattern: "/api/v1/segments/{id}", Perm: auth.CustomersRead, Tag: "segments", Summary: "A segment", Response: segment.Segment{}, handler: s.getSegment},
		{Method: "PUT", Pattern: "/api/v1/segments/{id}", Perm: auth.SegmentsWrite, Tag: "segments", Summary: "Replace a segment's definition (a built-in segment keeps its name)",
			Request: segment.Input{}, Response: segment.Segment{}, handler: s.updateSegment},
		{Method: "DELETE", Pattern: "/api/v1/segments/{id}", Perm: auth.SegmentsWrite, Tag: "segments", Summary: "Delete a segment and its memberships (not a built-in one)", Status: http.StatusNoContent, handler: s.deleteSegment},
		{Method: "GET", Pattern: "/api/v1/segments/{id}/members", Perm: auth.CustomersRead, Tag: "segments", Summary: "The segment's members now, by customer id",
			Query: []Param{{"after", "a customer id: the page after it"}, {"limit", "at most 500"}}, Response: listOf[segment.Member]{}, handler: s.segmentMembers},
		{Method: "GET", Pattern: "/api/v1/segments/{id}/adoption", Perm: auth.MetricsRead, Tag: "segments", Summary: "The segment's digital share over 90 days against its target, and its phase (hybrid or digital)",
			Response: segment.Adoption{}, handler: s.segmentAdoption},
		{Method: "GET", Pattern: "/api/v1/segments/{id}/journey", Perm: auth.MetricsRead, Tag: "segments", Summary: "The persona's journey: funnel, drop-off, median time between stages, satisfaction at moments of truth, by channel",
			Query: []Param{{"from", "RFC 3339; 90 days ago by default"}, {"to", "RFC 3339; now by default"}}, Response: journey.Report{}, handler: s.segmentJourney},
		{Method: "GET", Pattern: "/api/v1/coaching/stages", Perm: auth.MetricsRead, Tag: "segments", Summary: "How many customers are at each coaching stage", Response: map[string]int{}, handler: s.coachingStages},
		{Method: "GET", Pattern: "/api/v1/tutorials", Perm: auth.ConversationsRead, Tag: "segments", Summary: "Every tutorial, by task and language", Response: listOf[coaching.Tutorial]{}, handler: s.listTutorials},
		{Method: "PUT", Pattern: "/api/v1/tutorials/{task}/{lang}", Perm: auth.SegmentsWrite, Tag: "segments", Summary: "Write the tutorial of a task in a language",
			Request: tutorialRequest{}, Response: coaching.Tutorial{}, handler: s.putTutorial},
		{Method: "POST", Pattern: "/api/v1/customers/{id}/tutorials", Perm: auth.ConversationsWrite, Tag: "segments", Summary: "Send the customer a task's tutorial, in their language, on a channel that fits (the video link only where they can open it)",
			Request: sendTutorialRequest{}, Response: coaching.Sent{}, Status: http.StatusAccepted, handler: s.sendTutorial},
		{Method: "POST", Pattern: "/api/v1/customers/{id}/guided-sessions", Perm: auth.ConversationsWrite, Tag: "segments", Summary: "Start a guided session: text the customer a signed link to the service's flow to walk them through on the call",
			Request: guidedSessionRequest{}, Response: coaching.Session{}, Status: http.StatusCreated, handler: s.startGuidedSession},
		{Method: "GET", Pattern: "/api/v1/customers/{id}/guided-sessions", Perm: auth.CustomersRead, Tag: "segments", Summary: "The customer's guided sessions and whether they were completed",
			Response: listOf[coaching.Session]{}, handler: s.listGuidedSessions},
		{Method: "POST", Pattern: "/api/v1/users/{id}/tokens", Perm: auth.TokensWrite, Tag: "users", Summary: "Create an API token for the user (shown once)",
			Request: tokenRequest{}, Response: tokenView{}, Status: http.StatusCreated, handler: s.createToken},

		// Channels and the raw event log.
		{Method: "GET", Pattern: "/api/v1/channels", Perm: auth.ChannelsRead, Tag: "channels", Summary: "Configured channels (secrets are never shown)", Response: listOf[channelView]{}, handler: s.listChannels},
		{Method: "POST", Pattern: "/api/v1/channels", Perm: auth.ChannelsWrite, Tag: "channels", Summary: "Add a channel (its kind must be one this binary serves)",
			Request: channelRequest{}, Response: channelView{}, Status: http.StatusCreated, handler: s.createChannel},
		{Method: "PUT", Pattern: "/api/v1/channels/{id}", Perm: auth.ChannelsWrite, Tag: "channels", Summary: "Change a channel's secret, settings or enabled flag (a masked setting sent back as ••••••  keeps its value)",
			Request: channelRequest{}, Response: channelView{}, handler: s.updateChannel},
		// Service levels: each channel's policy, the business calendars it counts in, and a
		// conversation's clocks.
		{Method: "PUT", Pattern: "/api/v1/channels/{id}/policy", Perm: auth.PolicyWrite, Tag: "service-levels", Summary: "Change a channel's service level (targets, calendar, reminders, nudges, auto-close, weight, topics, escalation); fields left out keep their value",
			Request: policy.Policy{}, Response: policy.Policy{}, handler: s.setChannelPolicy},
		{Method: "GET", Pattern: "/api/v1/calendars", Perm: auth.ChannelsRead, Tag: "service-levels", Summary: "Business calendars (the built-in Israeli one included)", Response: listOf[policy.Calendar]{}, handler: s.listCalendars},
		{Method: "GET", Pattern: "/api/v1/calendars/{id}", Perm: auth.ChannelsRead, Tag: "service-levels", Summary: "A business calendar: weekly hours, holidays and eves, time zone", Response: policy.Calendar{}, handler: s.getCalendar},
		{Method: "PUT", Pattern: "/api/v1/calendars/{id}", Perm: auth.PolicyWrite, Tag: "service-levels", Summary: "Create or replace a business calendar (running clocks keep their deadlines; new ones count in the new hours)",
			Request: policy.Calendar{}, Response: policy.Calendar{}, handler: s.setCalendar},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/sla", Perm: auth.ConversationsRead, Tag: "service-levels", Summary: "A conversation's service-level clocks, live ones first, counted now", Response: listOf[policy.Clock]{}, handler: s.conversationClocks},
		{Method: "GET", Pattern: "/api/v1/events", Perm: auth.EventsRead, Tag: "events", Summary: "The event log, oldest first",
			Query: []Param{{"after", "an event seq: newer events only"}, {"kind", "an event kind; comma-separated"}, {"limit", "at most 1000"}}, Response: listOf[eventView]{}, handler: s.listEvents},

		// Measurement: every figure from the event log.
		{Method: "GET", Pattern: "/api/v1/metrics", Perm: auth.MetricsRead, Tag: "metrics", Summary: "Every metric, with its definition", Response: listOf[metrics.Definition]{}, handler: s.listMetrics},
		{Method: "GET", Pattern: "/api/v1/metrics/{name}", Perm: auth.MetricsRead, Tag: "metrics", Summary: "One metric over a range (JSON, or CSV with format=csv)",
			Query:    []Param{{"from", "start date (2026-11-01) or RFC 3339 time; default 30 days before to"}, {"to", "end (exclusive); default now"}, {"channel", "a channel kind"}, {"agent", "a user id"}, {"segment", "a segment id (its members now)"}, {"queue", "a queue id"}, {"branch", "a branch id"}, {"hour_cost", "the cost of an agent hour, for channel_portfolio"}, {"bucket", "day, week or month"}, {"tz", "IANA zone for day boundaries, e.g. Asia/Jerusalem"}, {"format", "csv for a CSV export"}},
			Response: metrics.Result{}, handler: s.getMetric},

		// Live updates for the console.
		{Method: "GET", Pattern: "/api/v1/live", Perm: auth.ConversationsRead, Tag: "live", Summary: "WebSocket of live events (messages, assignments, status changes, cases opened and moved)", handler: s.live},

		// The agent console: the single-page app (public: it holds no data, the API checks
		// roles) and the read model its inbox needs in one round trip.
		{Method: "GET", Pattern: "/app/{path...}", Public: true, Tag: "console", Summary: "The agent console (HTML single-page app; unknown paths answer its index.html)", handler: newConsole(consoleFiles()).ServeHTTP},
		{Method: "GET", Pattern: "/api/v1/inbox", Perm: auth.ConversationsRead, Tag: "console", Summary: "One inbox view with each conversation's customer and last message, and the count of every view",
			Query: []Param{{"view", "mine (default), unassigned, queues (open ones in my queues), open, pending, snoozed, resolved or breaching"}, {"channel", "a channel id"},
				{"lang", "the customer's language (he, ar …)"}, {"queue", "a queue id"}, {"label", "a label's name"}, {"segment", "a segment id: customers in it"},
				{"before", "RFC 3339 time: last activity before it"}, {"limit", "at most 200"}},
			Response: inboxView{}, handler: s.inbox},
		{Method: "GET", Pattern: "/api/v1/inbox/filters", Perm: auth.ConversationsRead, Tag: "console", Summary: "What the inbox's filters offer: queues (and whether I answer each), labels, segments, the customers' languages",
			Response: inboxFilterOptions{}, handler: s.inboxFilterOptions},
		{Method: "GET", Pattern: "/api/v1/snooze-presets", Perm: auth.ConversationsRead, Tag: "console", Summary: "The moments the snooze choices stand for now: in an hour, tomorrow 09:00 and next week 09:00 on business days",
			Response: snoozePresets{}, handler: s.snoozePresets},

		// Labels: supervisors keep the list; any agent puts them on conversations.
		{Method: "GET", Pattern: "/api/v1/labels", Perm: auth.ConversationsRead, Tag: "labels", Summary: "The team's conversation labels, by name", Response: listOf[conversation.Label]{}, handler: s.listLabels},
		{Method: "POST", Pattern: "/api/v1/labels", Perm: auth.LabelsWrite, Tag: "labels", Summary: "Add a label to the list (stored trimmed and in lower case; at most 40 characters)",
			Request: labelRequest{}, Response: conversation.Label{}, Status: http.StatusCreated, handler: s.createLabel},
		{Method: "DELETE", Pattern: "/api/v1/labels/{id}", Perm: auth.LabelsWrite, Tag: "labels", Summary: "Remove a label from the list and from every conversation", Status: http.StatusNoContent, handler: s.deleteLabel},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/labels", Perm: auth.ConversationsWrite, Tag: "labels", Summary: "Put a label of the list on the conversation",
			Request: conversationLabelRequest{}, Response: conversationView{}, handler: s.addConversationLabel},
		{Method: "DELETE", Pattern: "/api/v1/conversations/{id}/labels/{label}", Perm: auth.ConversationsWrite, Tag: "labels", Summary: "Take a label off the conversation",
			Response: conversationView{}, handler: s.removeConversationLabel},
		{Method: "GET", Pattern: "/api/v1/inbox/channels", Perm: auth.ConversationsRead, Tag: "console", Summary: "The channels' names and kinds, for the inbox filter and message marks (no settings, no secrets)",
			Response: listOf[channelBrief]{}, handler: s.inboxChannels},

		// The public help centre: server-rendered pages (HTML, no JavaScript needed). The
		// POSTs are same-origin forms, rate-limited per address.
		{Method: "GET", Pattern: "/help", Public: true, Tag: "help", Summary: "The help centre's home: search and topics (HTML)",
			Query: []Param{{"lang", "he, ar, ru, en, am or fr (default: the browser's language)"}, {"category", "list one topic's articles"}}, handler: help.home},
		{Method: "GET", Pattern: "/help/search", Public: true, Tag: "help", Summary: "The answer page: the best answer's passage inline, then other articles (HTML)",
			Query: []Param{{"q", "the question, in the customer's own words"}, {"lang", "he, ar, ru, en, am or fr"}}, handler: help.search},
		{Method: "GET", Pattern: "/help/articles/{id}", Public: true, Tag: "help", Summary: "An article (HTML); opened from a search it records the click",
			Query: []Param{{"lang", "the page's language"}, {"s", "the search it was opened from"}, {"r", "its rank in that search"}}, handler: help.article},
		{Method: "POST", Pattern: "/help/articles/{id}/feedback", Public: true, Tag: "help", Summary: "\"Did this answer your question?\" (a form: helpful=yes|no, s=search id); redirects back",
			Status: http.StatusSeeOther, handler: help.guardPost(help.feedback)},
		{Method: "POST", Pattern: "/help/articles/{id}/read", Public: true, Tag: "help", Summary: "The article opened from search s stayed on screen long enough to be read (sent by the page's script)",
			Query: []Param{{"s", "the search it was opened from"}}, Status: http.StatusNoContent, handler: help.guardPost(help.read)},
		{Method: "GET", Pattern: "/help/static/{name}", Public: true, Tag: "help", Summary: "The help centre's style sheet and script", handler: help.staticAsset},
		// A customer's sign-in without a password: a one-time code on a channel that fits them,
		// then a signed customer cookie; the same answer whether or not the identity is known.
		{Method: "GET", Pattern: "/help/sign-in", Public: true, Tag: "help", Summary: "The customer's sign-in (HTML): their phone or email, then the code sent to it",
			Query: []Param{{"step", "code: the code step"}, {"back", "the help-centre page to return to"}, {"lang", "the page's language"}}, handler: help.signInForm},
		{Method: "POST", Pattern: "/help/sign-in", Public: true, Tag: "help", Summary: "Ask for a sign-in code (a same-origin form: identity=a phone number or email); the same answer whether or not it is a customer's; redirects to the code step",
			Status: http.StatusSeeOther, handler: help.guardPost(help.startSignIn)},
		{Method: "POST", Pattern: "/help/sign-in/code", Public: true, Tag: "help", Summary: "Type the sign-in code (a same-origin form: code=the digits); right, sets the customer cookie and redirects back",
			Status: http.StatusSeeOther, handler: help.guardPost(help.finishSignIn)},
		{Method: "POST", Pattern: "/help/sign-out", Public: true, Tag: "help", Summary: "Sign the customer out of the help centre (a same-origin form); redirects back",
			Status: http.StatusSeeOther, handler: help.guardPost(help.signOut)},

		// Help articles for the console: agents read (internal ones too), admins edit.
		{Method: "GET", Pattern: "/api/v1/articles", Perm: auth.ConversationsRead, Tag: "help", Summary: "List articles, by ID",
			Query:    []Param{{"lang", "a language"}, {"status", "draft or published"}, {"category", "a category"}, {"after", "an article id: the next page"}, {"limit", "at most 500"}},
			Response: listOf[articleView]{}, handler: s.listArticles},
		{Method: "POST", Pattern: "/api/v1/articles", Perm: auth.SettingsWrite, Tag: "help", Summary: "Create an article (a language variant joins a group)",
			Request: articleInput{}, Response: articleView{}, Status: http.StatusCreated, handler: s.createArticle},
		{Method: "GET", Pattern: "/api/v1/articles/search", Perm: auth.ConversationsRead, Tag: "help", Summary: "Search articles as a customer would, internal ones included (not recorded)",
			Query: []Param{{"q", "the words"}, {"lang", "prefer this language"}, {"limit", "at most 50"}}, Response: articleSearchView{}, handler: s.searchArticles},
		{Method: "POST", Pattern: "/api/v1/articles/import", Perm: auth.SettingsWrite, Tag: "help", Summary: "Import articles from JSON lines (created or updated by id; published unless a line says otherwise)",
			Response: importView{}, handler: s.importArticles},
		{Method: "GET", Pattern: "/api/v1/articles/export", Perm: auth.MetricsRead, Tag: "help", Summary: "Export articles as JSON lines (what import reads)",
			Query: []Param{{"lang", "a language"}, {"status", "draft or published"}}, handler: s.exportArticles},
		{Method: "GET", Pattern: "/api/v1/articles/{id}", Perm: auth.ConversationsRead, Tag: "help", Summary: "An article", Response: articleView{}, handler: s.getArticle},
		{Method: "PUT", Pattern: "/api/v1/articles/{id}", Perm: auth.SettingsWrite, Tag: "help", Summary: "Change an article (send the revision you edited; a stale one is refused with 409)",
			Request: articleInput{}, Response: articleView{}, handler: s.updateArticle},
		{Method: "DELETE", Pattern: "/api/v1/articles/{id}", Perm: auth.SettingsWrite, Tag: "help", Summary: "Delete an article", Status: http.StatusNoContent, handler: s.deleteArticle},
		{Method: "GET", Pattern: "/api/v1/articles/{id}/revisions", Perm: auth.ConversationsRead, Tag: "help", Summary: "An article's revisions, newest first",
			Response: listOf[revisionView]{}, handler: s.articleRevisions},
		{Method: "GET", Pattern: "/api/v1/help/lay-phrases", Perm: auth.MetricsRead, Tag: "help", Summary: "The lay-to-professional map's stored entries (the built-in ones apply too)",
			Response: listOf[layPhraseView]{}, handler: s.listLayPhrases},
		{Method: "PUT", Pattern: "/api/v1/help/lay-phrases", Perm: auth.SettingsWrite, Tag: "help", Summary: "Add or change a phrase of the lay map (by language and phrase; weight 0 turns it off)",
			Request: layPhraseView{}, Response: layPhraseView{}, handler: s.putLayPhrase},
		{Method: "DELETE", Pattern: "/api/v1/help/lay-phrases/{id}", Perm: auth.SettingsWrite, Tag: "help", Summary: "Remove a stored phrase", Status: http.StatusNoContent, handler: s.deleteLayPhrase},
		{Method: "GET", Pattern: "/api/v1/help/failed-searches", Perm: auth.MetricsRead, Tag: "help", Summary: "Failed searches (nothing found, or nothing opened), grouped by their words, most frequent first",
			Query:    []Param{{"since", "RFC 3339; default 30 days ago"}, {"until", "RFC 3339; default now"}, {"limit", "at most 1000"}},
			Response: listOf[failedSearchView]{}, handler: s.failedSearches},

		// Self-service: the catalogue (every signed-in role reads it; supervisors write it),
		// cases, and the status tracker customers open from the link they were sent (public:
		// the signed token is the credential, and any token that does not open a case is the
		// same 404).
		{Method: "GET", Pattern: "/api/v1/services", Perm: auth.ConversationsRead, Tag: "self-service", Summary: "The service catalogue: each service's channels, limits (rules over the request, with the channel that can finish it) and stages",
			Response: listOf[serviceView]{}, handler: s.listServices},
		{Method: "GET", Pattern: "/api/v1/services/{id}", Perm: auth.ConversationsRead, Tag: "self-service", Summary: "A service of the catalogue", Response: serviceView{}, handler: s.getService},
		{Method: "PUT", Pattern: "/api/v1/services/{id}", Perm: auth.ServicesWrite, Tag: "self-service", Summary: "Create or replace a service (limits are rules such as \"transfer_amount > 50000 -> branch\"; no stages means received, in review, waiting for you, approved, done)",
			Request: selfservice.Input{}, Response: serviceView{}, handler: s.putService},
		{Method: "POST", Pattern: "/api/v1/cases", Perm: auth.ConversationsWrite, Tag: "self-service", Summary: "Open a case for a customer (over a limit it is kept, with the channel that can finish it); the customer is told on their fitting channel; the answer carries the tracker link",
			Request: selfservice.CaseInput{}, Response: caseView{}, Status: http.StatusCreated, handler: s.createCase},
		{Method: "GET", Pattern: "/api/v1/cases", Perm: auth.CustomersRead, Tag: "self-service", Summary: "Cases, newest first, each with a fresh tracker link",
			Query: []Param{{"customer", "a customer id: their cases (and those of customers merged into them)"}, {"limit", "at most 200"}}, Response: listOf[caseView]{}, handler: s.listCases},
		{Method: "GET", Pattern: "/api/v1/cases/{id}", Perm: auth.CustomersRead, Tag: "self-service", Summary: "A case with its stage history and the notification each stage sent", Response: caseView{}, handler: s.getCase},
		{Method: "POST", Pattern: "/api/v1/cases/{id}/stage", Perm: auth.ConversationsWrite, Tag: "self-service", Summary: "Move a case to a stage of its service: an event, and exactly one notification on the customer's fitting channel (the stage it is in already changes nothing)",
			Request: stageRequest{}, Response: caseStageView{}, handler: s.setCaseStage},
		{Method: "GET", Pattern: "/s/{token}", Public: true, Tag: "tracker", Summary: "The status tracker of a case (HTML): its stages, the current one, what happens next; in the customer's language. Rate-limited; an unknown, tampered or expired link is the same 404",
			Query: []Param{{"lang", "he, ar, ru, en, am or fr (default: the customer's language)"}}, handler: track.show},
		{Method: "POST", Pattern: "/s/{token}/display", Public: true, Tag: "tracker", Summary: "The tracker's display switches (a same-origin form: toggle=large|contrast|simple, back=the page): remembered in the customer's profile and the visitor's cookie; redirects back",
			Status: http.StatusSeeOther, handler: help.guardPost(track.switchCaseDisplay)},
		{Method: "GET", Pattern: "/r/{token}", Public: true, Tag: "surveys", Summary: "The page an emailed survey's link opens (HTML): the CSAT or NPS question with its scores and a comment, in the customer's language; opening it records nothing. Rate-limited; an unknown, tampered or expired link is the same 404",
			Query: []Param{{"lang", "he, ar, ru, en, am or fr (default: the language the survey was asked in)"}}, handler: surveys.show},
		{Method: "POST", Pattern: "/r/{token}", Public: true, Tag: "surveys", Summary: "The survey's answer (a same-origin form: score and comment, or optout=1): recorded as survey.answered (via link) or the opt-out; a survey answered already keeps its first answer; redirects to the page, which then thanks",
			Status: http.StatusSeeOther, handler: help.guardPost(surveys.post)},
		{Method: "POST", Pattern: "/display", Public: true, Tag: "help", Summary: "The display switches of every customer page (a same-origin form: toggle=large|contrast|simple, back=the page): remembered in the visitor's cookie; redirects back",
			Status: http.StatusSeeOther, handler: help.guardPost(help.switchDisplay)},
		{Method: "GET", Pattern: "/f/{service}", Public: true, Tag: "flows", Summary: "A service's guided flow (HTML): first its channels and limits, then the step the visitor's flow is at",
			Query: []Param{{"lang", "he, ar, ru, en, am or fr (default: the browser's language)"}}, handler: flows.show},
		{Method: "POST", Pattern: "/f/{service}", Public: true, Tag: "flows", Summary: "A step of the guided flow (a same-origin form: action=start|next|back, a=the answer); limits are checked at the step that answers them; the last step opens the case",
			Status: http.StatusSeeOther, handler: help.guardPost(flows.post)},

		// Contact-centre menus: trees (every signed-in role reads them; supervisors write
		// them), the calls waiting and the hand-over an agent reads before answering, and the
		// visual menu a caller opens from the SMS link (public: the signed token is the
		// credential, and any token that does not open a call is the same 404).
		{Method: "GET", Pattern: "/api/v1/menus", Perm: auth.ConversationsRead, Tag: "menus", Summary: "The menu trees: nodes with prompts per language, options (key, words, label) and actions",
			Response: listOf[ivr.Tree]{}, handler: s.listMenus},
		{Method: "GET", Pattern: "/api/v1/menus/{id}", Perm: auth.ConversationsRead, Tag: "menus", Summary: "A menu tree", Response: ivr.Tree{}, handler: s.getMenu},
		{Method: "PUT", Pattern: "/api/v1/menus/{id}", Perm: auth.MenusWrite, Tag: "menus", Summary: "Create or replace a menu tree (validated: no option leading nowhere, every prompt and label in every menu language, a way out of every node); a voice channel answers from it when its menu setting names it",
			Request: ivr.Tree{}, Response: ivr.Tree{}, handler: s.putMenu},
		{Method: "GET", Pattern: "/api/v1/calls", Perm: auth.ConversationsRead, Tag: "menus", Summary: "Calls waiting in line, longest-waiting first",
			Query: []Param{{"limit", "at most 200"}}, Response: listOf[ivr.Call]{}, handler: s.listCalls},
		{Method: "GET", Pattern: "/api/v1/calls/{id}/context", Perm: auth.ConversationsRead, Tag: "menus", Summary: "Before answering a call (by its id or the provider's call id): who is calling, why (the last menu choice), the menu path, what was tried on the visual menu, and the open conversation",
			Response: ivr.Handover{}, handler: s.callContext},
		{Method: "GET", Pattern: "/api/v1/conversations/{id}/call", Perm: auth.ConversationsRead, Tag: "menus", Summary: "The hand-over context of the latest call that joined this conversation (404 when none did)",
			Response: ivr.Handover{}, handler: s.conversationCall},
		{Method: "GET", Pattern: "/m/{token}", Public: true, Tag: "menus", Summary: "The visual menu of a call (HTML): the phone menu on screen, the place in line, the nearest branch, self-service; rate-limited; an unknown, tampered or expired link is the same 404",
			Query: []Param{{"lang", "he, ar, ru or en (default: the call's language)"}, {"node", "a node of the menu"}, {"city", "a city: its branches"}, {"near", "lat,lon: the nearest branch's city"}}, handler: menus.show},
		{Method: "POST", Pattern: "/m/{token}", Public: true, Tag: "menus", Summary: "An action on the visual menu (a same-origin form: action=callback|done|whatsapp): a callback instead of waiting, or done (the call is released and recorded as contained)",
			Status: http.StatusSeeOther, handler: help.guardPost(menus.post)},

		// Branches: supervisors configure them; agents, the phone menu and flows book and
		// take tickets through the same service; clerks call, serve and finish tickets.
		{Method: "GET", Pattern: "/api/v1/branches", Perm: auth.ConversationsRead, Tag: "branches", Summary: "The branches, each with its hours (calendar), services and desks",
			Response: listOf[branch.Branch]{}, handler: s.listBranches},
		{Method: "GET", Pattern: "/api/v1/branches/{id}", Perm: auth.ConversationsRead, Tag: "branches", Summary: "A branch (by id or slug)", Response: branch.Branch{}, handler: s.getBranch},
		{Method: "PUT", Pattern: "/api/v1/branches/{id}", Perm: auth.BranchesWrite, Tag: "branches", Summary: "Change a branch: details, slug, calendar of its hours, services offered and desks (matched by name)",
			Request: branch.Input{}, Response: branch.Branch{}, handler: s.putBranch},
		{Method: "GET", Pattern: "/api/v1/branches/{id}/slots", Perm: auth.ConversationsRead, Tag: "branches", Summary: "Free appointment slots for a service, inside the branch's hours (holidays and eves respected), with how many desks are free",
			Query: []Param{{"service", "a catalogue service the branch offers"}, {"from", "a date like 2026-12-07 (default today)"}, {"days", "how many days, at most 60 (default 7)"}}, Response: slotsView{}, handler: s.branchSlots},
		{Method: "GET", Pattern: "/api/v1/branches/{id}/appointments", Perm: auth.ConversationsRead, Tag: "branches", Summary: "A day's appointments at the branch, cancelled ones included",
			Query: []Param{{"day", "a date like 2026-12-07 (default today)"}}, Response: listOf[branch.Appointment]{}, handler: s.listAppointments},
		{Method: "POST", Pattern: "/api/v1/appointments", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Book an appointment on any channel (a slot taken meanwhile is 409 slot_taken; the reminder goes the day before on the customer's fitting channel)",
			Request: branch.BookInput{}, Response: appointmentView{}, Status: http.StatusCreated, handler: s.bookAppointment},
		{Method: "GET", Pattern: "/api/v1/appointments/{id}", Perm: auth.ConversationsRead, Tag: "branches", Summary: "An appointment with its signed customer link", Response: appointmentView{}, handler: s.getAppointment},
		{Method: "DELETE", Pattern: "/api/v1/appointments/{id}", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Cancel an appointment (frees the slot; no reminder goes)", Response: appointmentView{}, handler: s.cancelAppointment},
		{Method: "POST", Pattern: "/api/v1/branches/{id}/tickets", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Take a queue ticket for a customer (phone or customer_id gets the close-to-your-turn message)",
			Request: branch.TicketInput{}, Response: ticketView{}, Status: http.StatusCreated, handler: s.takeTicket},
		{Method: "GET", Pattern: "/api/v1/branches/{id}/queue", Perm: auth.ConversationsRead, Tag: "branches", Summary: "Today's queue: the tickets called to desks and those waiting", Response: branch.Board{}, handler: s.branchQueue},
		{Method: "POST", Pattern: "/api/v1/branches/{id}/check-in", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Check a visitor in by their ticket's code", Request: checkInRequest{}, Response: ticketView{}, handler: s.checkInTicket},
		{Method: "GET", Pattern: "/api/v1/branches/{id}/figures", Perm: auth.MetricsRead, Tag: "branches", Summary: "Waiting and service times per service (medians and 90th percentiles), tickets, no-shows and appointments",
			Query: []Param{{"since", "RFC 3339; default 30 days ago"}, {"until", "RFC 3339; default now"}}, Response: figuresView{}, handler: s.branchFigures},
		{Method: "POST", Pattern: "/api/v1/desks/{id}/call-next", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "The clerk's next: finish the desk's current ticket and call the lowest waiting number it serves (404 when nobody waits)",
			Response: ticketView{}, handler: s.callNext},
		{Method: "POST", Pattern: "/api/v1/tickets/{id}/status", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Serve, finish or mark a called ticket as a no-show", Request: ticketStatusRequest{}, Response: ticketView{}, handler: s.setTicketStatus},

		// The clerk's desk page (signed in; forms post back to it).
		{Method: "GET", Pattern: "/desk/{desk}", Perm: auth.ConversationsRead, Tag: "branches", Summary: "The clerk's desk page (HTML): who is at the desk, how many wait, call next, serve, done, no-show", handler: branches.deskPage},
		{Method: "POST", Pattern: "/desk/{desk}/call", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Call the next number to the desk (a form); back to the desk page", Status: http.StatusSeeOther, handler: branches.deskCall},
		{Method: "POST", Pattern: "/desk/{desk}/tickets/{id}", Perm: auth.ConversationsWrite, Tag: "branches", Summary: "Serve, finish or no-show the desk's ticket (a form: action=serve|done|no-show)", Status: http.StatusSeeOther, handler: branches.deskTicket},

		// The public branch pages: server-rendered, complete without JavaScript. Tickets and
		// appointments open by their signed link (any token that opens nothing is the same
		// 404); POSTs are same-origin forms, rate-limited per address.
		{Method: "GET", Pattern: "/q/{token}", Public: true, Tag: "branch-pages", Summary: "A queue ticket (HTML): number, people ahead and estimated wait (live), check-in code and QR code",
			Query: []Param{{"lang", "he, ar, ru or en (default: the ticket's language)"}}, handler: branches.showTicket},
		{Method: "POST", Pattern: "/q/{token}/leave", Public: true, Tag: "branch-pages", Summary: "Give up the ticket's place (a form)", Status: http.StatusSeeOther, handler: help.guardPost(branches.leaveTicket)},
		{Method: "GET", Pattern: "/b/{branch}/ticket", Public: true, Tag: "branch-pages", Summary: "Take a number from home (HTML form: the service, a phone for the close-to-your-turn SMS, pick-up of an order)", handler: branches.takeForm},
		{Method: "POST", Pattern: "/b/{branch}/ticket", Public: true, Tag: "branch-pages", Summary: "Take the number (a form); redirects to the ticket's page", Status: http.StatusSeeOther, handler: help.guardPost(branches.take)},
		{Method: "GET", Pattern: "/b/{branch}/book", Public: true, Tag: "branch-pages", Summary: "Book an appointment (HTML): the services, then the chosen one's free slots this week",
			Query: []Param{{"service", "a service the branch offers"}, {"lang", "he, ar, ru or en"}}, handler: branches.bookForm},
		{Method: "POST", Pattern: "/b/{branch}/book", Public: true, Tag: "branch-pages", Summary: "Book the slot (a form: service, slot, name, phone); redirects to the appointment's page", Status: http.StatusSeeOther, handler: help.guardPost(branches.book)},
		{Method: "GET", Pattern: "/a/{token}", Public: true, Tag: "branch-pages", Summary: "An appointment (HTML): when, where, which desk; cancel", handler: branches.showAppointment},
		{Method: "POST", Pattern: "/a/{token}/cancel", Public: true, Tag: "branch-pages", Summary: "Cancel the appointment (a form)", Status: http.StatusSeeOther, handler: help.guardPost(branches.cancelAppointment)},
		{Method: "GET", Pattern: "/b/{branch}/display", Public: true, Tag: "branch-pages", Summary: "The branch display (HTML): numbers called to each desk, in big type, live", handler: branches.display},
		{Method: "GET", Pattern: "/kiosk/{branch}", Public: true, Tag: "branch-pages", Summary: "The branch kiosk (HTML, touch-friendly, no sign-in): take a ticket, check in, search help, the services", handler: branches.kiosk},
		{Method: "GET", Pattern: "/kiosk/{branch}/services", Public: true, Tag: "branch-pages", Summary: "The kiosk's catalogue of the branch's services", handler: branches.kioskServices},
		{Method: "GET", Pattern: "/kiosk/{branch}/help", Public: true, Tag: "branch-pages", Summary: "The kiosk's help-centre search", Query: []Param{{"q", "the question"}}, handler: branches.kioskHelp},
		{Method: "POST", Pattern: "/kiosk/{branch}/ticket", Public: true, Tag: "branch-pages", Summary: "Take a ticket at the kiosk (a form); shows it on screen", Status: http.StatusSeeOther, handler: help.guardPost(branches.kioskTake)},
		{Method: "GET", Pattern: "/kiosk/{branch}/t/{token}", Public: true, Tag: "branch-pages", Summary: "A ticket on the kiosk's screen, with a form to text it to a phone", handler: branches.kioskTicket},
		{Method: "POST", Pattern: "/kiosk/{branch}/t/{token}/text", Public: true, Tag: "branch-pages", Summary: "Text the ticket to the phone number typed (a form)", Status: http.StatusSeeOther, handler: help.guardPost(branches.kioskText)},
		{Method: "GET", Pattern: "/kiosk/{branch}/checkin", Public: true, Tag: "branch-pages", Summary: "Check in on arrival: type the ticket's code, or open the QR code's link", Query: []Param{{"code", "the five-digit code"}}, handler: branches.kioskCheckInForm},
		{Method: "POST", Pattern: "/kiosk/{branch}/checkin", Public: true, Tag: "branch-pages", Summary: "Check in with the code (a form)", handler: help.guardPost(branches.kioskCheckIn)},

		// The web chat widget: the script a site embeds, the visitor's session, settings and
		// socket, the visitor's messages, and the demo site that embeds it. Public: the
		// visitor's token, which the channel's adapter checks, is the credential, and the
		// channel's allowed_origins decides which sites may call from a browser.
		{Method: "GET", Pattern: "/widget.js", Public: true, Tag: "widget", Summary: "The chat widget's script, embedded by a site with one script tag (503 when the binary was built without it)", handler: newWidgetScript(widgetFiles()).ServeHTTP},
		{Method: "POST", Pattern: "/widget/{channel}/session", Public: true, Tag: "widget", Summary: "Issue a visitor identity (visitor_id and its token) for the channel's widget; stores nothing",
			Response: widgetSessionView{}, Status: http.StatusCreated, handler: s.limited(s.widgetSession)},
		{Method: "OPTIONS", Pattern: "/widget/{channel}/session", Public: true, Tag: "widget", Summary: "CORS preflight for the widget on an allowed site", Status: http.StatusNoContent, handler: s.limited(s.widgetPreflight)},
		{Method: "GET", Pattern: "/widget/{channel}/config", Public: true, Tag: "widget", Summary: "The widget's title, greeting and languages",
			Query: []Param{{"lang", "the visitor's language (he, ar, ru, en …)"}}, Response: widgetConfigView{}, handler: s.limited(s.widgetConfig)},
		{Method: "GET", Pattern: "/widget/{channel}/live", Public: true, Tag: "widget", Summary: "The visitor's WebSocket: their conversation so far, then each new message as it commits",
			Query: []Param{{"visitor_id", "from the session"}, {"token", "from the session"}}, handler: s.limited(s.widgetLive)},
		// Proactive help: the widget's signals and its visitor's answer to an offer (public like
		// the widget's messages: the visitor's token is checked, the page token is the
		// server's own, and the rate is the webhooks'); the rules, written by supervisors.
		{Method: "POST", Pattern: "/widget/{channel}/signals", Public: true, Tag: "assist", Summary: "The widget reports the page it is on (its signed page token) or how long it stayed on screen; answers with the visit's one offer of help, if a rule made it",
			Request: assist.SignalInput{}, Response: signalAnswer{}, handler: s.limited(s.widgetSignal)},
		{Method: "OPTIONS", Pattern: "/widget/{channel}/signals", Public: true, Tag: "assist", Summary: "CORS preflight for the widget's signals", Status: http.StatusNoContent, handler: s.limited(s.widgetPreflight)},
		{Method: "POST", Pattern: "/widget/{channel}/offers/{id}", Public: true, Tag: "assist", Summary: "The visitor accepts or dismisses the offer (accepting a chat or a callback opens the conversation, with what the visitor searched and tried); a second answer is 409",
			Request: assist.DecisionInput{}, Response: decisionAnswer{}, handler: s.limited(s.widgetDecide)},
		{Method: "OPTIONS", Pattern: "/widget/{channel}/offers/{id}", Public: true, Tag: "assist", Summary: "CORS preflight for the widget's answers", Status: http.StatusNoContent, handler: s.limited(s.widgetPreflight)},
		{Method: "GET", Pattern: "/api/v1/assist/rules", Perm: auth.ConversationsRead, Tag: "assist", Summary: "The proactive-help rules, highest priority first", Response: listOf[assist.Rule]{}, handler: s.listAssistRules},
		{Method: "GET", Pattern: "/api/v1/assist/rules/{id}", Perm: auth.ConversationsRead, Tag: "assist", Summary: "A proactive-help rule", Response: assist.Rule{}, handler: s.getAssistRule},
		{Method: "PUT", Pattern: "/api/v1/assist/rules/{id}", Perm: auth.AssistWrite, Tag: "assist", Summary: "Create or replace a rule: when (\"searches_without_click >= 2\", \"dwell:claims > 90\", \"abandoned_at == what_happened\") → offer chat, article or callback",
			Request: assist.RuleInput{}, Response: assist.Rule{}, handler: s.putAssistRule},
		{Method: "DELETE", Pattern: "/api/v1/assist/rules/{id}", Perm: auth.AssistWrite, Tag: "assist", Summary: "Delete a rule", Status: http.StatusNoContent, handler: s.deleteAssistRule},
		{Method: "POST", Pattern: "/hooks/webchat/{channel}", Public: true, Tag: "webhooks", Summary: "A visitor's message from the widget (token checked by the adapter; readable cross-origin from allowed sites)", handler: s.widgetHook},
		{Method: "OPTIONS", Pattern: "/hooks/webchat/{channel}", Public: true, Tag: "webhooks", Summary: "CORS preflight for the widget's messages", Status: http.StatusNoContent, handler: s.widgetPreflight},
		{Method: "GET", Pattern: "/demo/site", Public: true, Tag: "demo", Summary: "The demo insurer's home page with the chat widget embedded (HTML; only when the demo's web chat channel exists)",
			Query: []Param{{"lang", "he (default), ar, ru, en, am or fr"}}, handler: newDemoSite(help).ServeHTTP},
	}
}

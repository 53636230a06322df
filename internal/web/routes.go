package web

import (
	"net/http"

	"github.com/gesher-cs/gesher/internal/auth"
	"github.com/gesher-cs/gesher/internal/canned"
	"github.com/gesher-cs/gesher/internal/channel"
	"github.com/gesher-cs/gesher/internal/metrics"
	"github.com/gesher-cs/gesher/internal/policy"
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
		{Method: "GET", Pattern: "/api/v1/customers/{id}", Perm: auth.CustomersRead, Tag: "customers", Summary: "A customer with identities and profile", Response: customerView{}, handler: s.getCustomer},
		{Method: "PATCH", Pattern: "/api/v1/customers/{id}", Perm: auth.CustomersWrite, Tag: "customers", Summary: "Edit name, languages or profile",
			Request: customerPatch{}, Response: customerView{}, handler: s.patchCustomer},
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
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/status", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Resolve, reopen or set pending",
			Request: statusRequest{}, Response: conversationView{}, handler: s.setConversationStatus},
		{Method: "POST", Pattern: "/api/v1/conversations/{id}/messages", Perm: auth.ConversationsWrite, Tag: "conversations", Summary: "Reply to the customer (queued for delivery on the channel they last used, or the one given)",
			Request: replyRequest{}, Response: messageView{}, Status: http.StatusAccepted, handler: s.reply},
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
			Query:    []Param{{"from", "start date (2026-11-01) or RFC 3339 time; default 30 days before to"}, {"to", "end (exclusive); default now"}, {"channel", "a channel kind"}, {"agent", "a user id"}, {"bucket", "day, week or month"}, {"tz", "IANA zone for day boundaries, e.g. Asia/Jerusalem"}, {"format", "csv for a CSV export"}},
			Response: metrics.Result{}, handler: s.getMetric},

		// Live updates for the console.
		{Method: "GET", Pattern: "/api/v1/live", Perm: auth.ConversationsRead, Tag: "live", Summary: "WebSocket of live events (messages, assignments, status changes)", handler: s.live},

		// The agent console: the single-page app (public: it holds no data, the API checks
		// roles) and the read model its inbox needs in one round trip.
		{Method: "GET", Pattern: "/app/{path...}", Public: true, Tag: "console", Summary: "The agent console (HTML single-page app; unknown paths answer its index.html)", handler: newConsole(consoleFiles()).ServeHTTP},
		{Method: "GET", Pattern: "/api/v1/inbox", Perm: auth.ConversationsRead, Tag: "console", Summary: "One inbox view with each conversation's customer and last message, and the count of every view",
			Query:    []Param{{"view", "mine (default), unassigned, open, pending or resolved"}, {"channel", "a channel id"}, {"before", "RFC 3339 time: last activity before it"}, {"limit", "at most 200"}},
			Response: inboxView{}, handler: s.inbox},
		{Method: "GET", Pattern: "/api/v1/inbox/channels", Perm: auth.ConversationsRead, Tag: "console", Summary: "The channels' names and kinds, for the inbox filter and message marks (no settings, no secrets)",
			Response: listOf[channelBrief]{}, handler: s.inboxChannels},

		// The public help centre: server-rendered pages (HTML, no JavaScript needed). The
		// POSTs are same-origin forms, rate-limited per address.
		{Method: "GET", Pattern: "/help", Public: true, Tag: "help", Summary: "The help centre's home: search and topics (HTML)",
			Query: []Param{{"lang", "he, ar, ru or en (default: the browser's language)"}, {"category", "list one topic's articles"}}, handler: help.home},
		{Method: "GET", Pattern: "/help/search", Public: true, Tag: "help", Summary: "The answer page: the best answer's passage inline, then other articles (HTML)",
			Query: []Param{{"q", "the question, in the customer's own words"}, {"lang", "he, ar, ru or en"}}, handler: help.search},
		{Method: "GET", Pattern: "/help/articles/{id}", Public: true, Tag: "help", Summary: "An article (HTML); opened from a search it records the click",
			Query: []Param{{"lang", "the page's language"}, {"s", "the search it was opened from"}, {"r", "its rank in that search"}}, handler: help.article},
		{Method: "POST", Pattern: "/help/articles/{id}/feedback", Public: true, Tag: "help", Summary: "\"Did this answer your question?\" (a form: helpful=yes|no, s=search id); redirects back",
			Status: http.StatusSeeOther, handler: help.guardPost(help.feedback)},
		{Method: "POST", Pattern: "/help/articles/{id}/read", Public: true, Tag: "help", Summary: "The article opened from search s stayed on screen long enough to be read (sent by the page's script)",
			Query: []Param{{"s", "the search it was opened from"}}, Status: http.StatusNoContent, handler: help.guardPost(help.read)},
		{Method: "GET", Pattern: "/help/static/{name}", Public: true, Tag: "help", Summary: "The help centre's style sheet and script", handler: help.staticAsset},

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
			Query: []Param{{"lang", "he, ar, ru or en (default: the customer's language)"}}, handler: track.show},
		{Method: "GET", Pattern: "/f/{service}", Public: true, Tag: "flows", Summary: "A service's guided flow (HTML): first its channels and limits, then the step the visitor's flow is at",
			Query: []Param{{"lang", "he, ar, ru or en (default: the browser's language)"}}, handler: flows.show},
		{Method: "POST", Pattern: "/f/{service}", Public: true, Tag: "flows", Summary: "A step of the guided flow (a same-origin form: action=start|next|back, a=the answer); limits are checked at the step that answers them; the last step opens the case",
			Status: http.StatusSeeOther, handler: help.guardPost(flows.post)},

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
		{Method: "POST", Pattern: "/hooks/webchat/{channel}", Public: true, Tag: "webhooks", Summary: "A visitor's message from the widget (token checked by the adapter; readable cross-origin from allowed sites)", handler: s.widgetHook},
		{Method: "OPTIONS", Pattern: "/hooks/webchat/{channel}", Public: true, Tag: "webhooks", Summary: "CORS preflight for the widget's messages", Status: http.StatusNoContent, handler: s.widgetPreflight},
		{Method: "GET", Pattern: "/demo/site", Public: true, Tag: "demo", Summary: "The demo insurer's home page with the chat widget embedded (HTML; only when the demo's web chat channel exists)",
			Query: []Param{{"lang", "he (default), ar, ru or en"}}, handler: newDemoSite(help).ServeHTTP},
	}
}

package auth

// Role is what a user is to the service. Roles are ordered: a supervisor can do everything an
// agent can, and an admin everything a supervisor can.
type Role string

// The three roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// ParseRole checks s.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAgent, RoleSupervisor, RoleAdmin:
		return r, nil
	}
	return "", &ValidationError{Field: "role", Reason: "must be agent, supervisor or admin"}
}

// rank orders roles; an unknown role ranks below every real one and so can do nothing.
func (r Role) rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleSupervisor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Permission is one thing a route may require. The web route table names one per route.
type Permission string

// The permissions. Each is granted to the role named in minRole and every role above it.
const (
	ConversationsRead   Permission = "conversations:read"   // see conversations, messages and notes
	ConversationsWrite  Permission = "conversations:write"  // reply, add notes, resolve, reopen
	ConversationsAssign Permission = "conversations:assign" // assign a conversation or transfer it to a colleague
	CustomersRead       Permission = "customers:read"       // see customer profiles, identities and timelines
	CustomersWrite      Permission = "customers:write"      // edit a profile, add an identity
	CustomersMerge      Permission = "customers:merge"      // merge two customers or undo a merge (supervisor+)
	UsersRead           Permission = "users:read"           // list colleagues, so anyone can pick whom to transfer to
	UsersWrite          Permission = "users:write"          // create, edit and disable users (admin)
	TokensWrite         Permission = "tokens:write"         // create and revoke API tokens for any user (admin)
	ChannelsRead        Permission = "channels:read"        // see channels and their logs (supervisor+)
	ChannelsWrite       Permission = "channels:write"       // create and configure channels, hold their secrets (admin)
	EventsRead          Permission = "events:read"          // read the raw event log (supervisor+)
	MetricsRead         Permission = "metrics:read"         // see dashboards and reports (supervisor+)
	SettingsWrite       Permission = "settings:write"       // change service-wide settings (admin)
	CannedWrite         Permission = "canned:write"         // write the team's canned responses (supervisor+)
	LabelsWrite         Permission = "labels:write"         // keep the team's list of conversation labels (supervisor+)
	PolicyWrite         Permission = "policy:write"         // change channels' service levels and business calendars (supervisor+)
	ServicesWrite       Permission = "services:write"       // write the self-service catalogue: services, their channels, limits, stages and flows (supervisor+)
	MenusWrite          Permission = "menus:write"          // write the contact centre's menu trees: prompts, options and actions of the phone and visual menu (supervisor+)
	AssistWrite         Permission = "assist:write"         // write the proactive-help rules: when a visitor is offered a chat, an article or a callback (supervisor+)
	BranchesWrite       Permission = "branches:write"       // configure branches: hours, services offered, desks (supervisor+)
	SegmentsWrite       Permission = "segments:write"       // write segments, their channel-fit matrices, adoption targets and personas, and coaching tutorials (supervisor+)
)

// Permissions returns every permission, in a stable order, so that tests can walk every route
// against every role. The slice is the caller's to keep.
func Permissions() []Permission {
	return []Permission{
		ConversationsRead, ConversationsWrite, ConversationsAssign,
		CustomersRead, CustomersWrite, CustomersMerge,
		UsersRead, UsersWrite, TokensWrite,
		ChannelsRead, ChannelsWrite,
		EventsRead, MetricsRead, SettingsWrite, CannedWrite, LabelsWrite, PolicyWrite, ServicesWrite, AssistWrite, MenusWrite, SegmentsWrite, BranchesWrite,
	}
}

// Roles returns the roles from least to most powerful.
func Roles() []Role { return []Role{RoleAgent, RoleSupervisor, RoleAdmin} }

// minRole is the least role holding p, or "" for a permission nobody holds (an unknown one).
func minRole(p Permission) Role {
	switch p {
	case ConversationsRead, ConversationsWrite, ConversationsAssign,
		CustomersRead, CustomersWrite, UsersRead:
		return RoleAgent
	case CustomersMerge, ChannelsRead, EventsRead, MetricsRead, CannedWrite, LabelsWrite, PolicyWrite, ServicesWrite, AssistWrite, MenusWrite, SegmentsWrite, BranchesWrite:
		return RoleSupervisor
	case UsersWrite, TokensWrite, ChannelsWrite, SettingsWrite:
		return RoleAdmin
	}
	return ""
}

// Can reports whether r holds p. Unknown roles and unknown permissions are always refused.
func (r Role) Can(p Permission) bool {
	need := minRole(p)
	return need != "" && r.rank() > 0 && r.rank() >= need.rank()
}

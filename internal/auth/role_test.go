package auth

import "testing"

// TestRoleCan is the access matrix. Read it as a table: a row per permission, a column per
// role. Changing who may do what means changing a line here.
func TestRoleCan(t *testing.T) {
	const Y, N = true, false
	matrix := []struct {
		perm                     Permission
		agent, supervisor, admin bool
	}{
		{ConversationsRead /*    */, Y, Y, Y},
		{ConversationsWrite /*   */, Y, Y, Y},
		{ConversationsAssign /*  */, Y, Y, Y},
		{CustomersRead /*        */, Y, Y, Y},
		{CustomersWrite /*       */, Y, Y, Y},
		{CustomersMerge /*       */, N, Y, Y},
		{UsersRead /*            */, Y, Y, Y},
		{UsersWrite /*           */, N, N, Y},
		{TokensWrite /*          */, N, N, Y},
		{ChannelsRead /*         */, N, Y, Y},
		{ChannelsWrite /*        */, N, N, Y},
		{EventsRead /*           */, N, Y, Y},
		{MetricsRead /*          */, N, Y, Y},
		{SettingsWrite /*        */, N, N, Y},
		{CannedWrite /*          */, N, Y, Y},
		{LabelsWrite /*          */, N, Y, Y},
		{PolicyWrite /*          */, N, Y, Y},
		{ServicesWrite /*        */, N, Y, Y},
		{AssistWrite /*          */, N, Y, Y},
		{MenusWrite /*           */, N, Y, Y},
		{BranchesWrite /*        */, N, Y, Y},
		{SegmentsWrite /*        */, N, Y, Y},
	}
	seen := map[Permission]bool{}
	for _, row := range matrix {
		seen[row.perm] = true
		for role, want := range map[Role]bool{RoleAgent: row.agent, RoleSupervisor: row.supervisor, RoleAdmin: row.admin} {
			if got := role.Can(row.perm); got != want {
				t.Errorf("%s.Can(%s): got %v, want %v", role, row.perm, got, want)
			}
		}
	}
	for _, p := range Permissions() {
		if !seen[p] {
			t.Errorf("permission %s is missing from the matrix", p)
		}
	}
	if len(seen) != len(Permissions()) {
		t.Errorf("matrix has %d permissions, Permissions() has %d", len(seen), len(Permissions()))
	}
}

func TestUnknownRolesAndPermissionsAreRefused(t *testing.T) {
	for _, r := range []Role{"", "owner", "Admin", " admin"} {
		for _, p := range Permissions() {
			if r.Can(p) {
				t.Errorf("%q.Can(%s): got true, want false", r, p)
			}
		}
	}
	for _, r := range Roles() {
		for _, p := range []Permission{"", "conversations:*", "Conversations:read", "admin"} {
			if r.Can(p) {
				t.Errorf("%s.Can(%q): got true, want false", r, p)
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles() {
		if got, err := ParseRole(string(r)); got != r || err != nil {
			t.Errorf("ParseRole(%q): got %q, %v", r, got, err)
		}
	}
	for _, s := range []string{"", "Admin", "root", "agent "} {
		if _, err := ParseRole(s); err == nil {
			t.Errorf("ParseRole(%q): got no error", s)
		}
	}
}

func TestPermissionsAreDistinctAndScoped(t *testing.T) {
	seen := map[Permission]bool{}
	for _, p := range Permissions() {
		if seen[p] {
			t.Errorf("%s listed twice", p)
		}
		seen[p] = true
	}
	// Callers may not change the package's list through the returned slice.
	ps := Permissions()
	ps[0] = "tampered"
	if Permissions()[0] == "tampered" {
		t.Error("Permissions returns a shared slice")
	}
}

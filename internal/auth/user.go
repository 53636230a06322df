package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gesher-cs/gesher/internal/event"
	"github.com/gesher-cs/gesher/internal/store"
)

// User is a person who signs in to the console: an agent, a supervisor or an admin.
// The password hash never leaves this package.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Languages    []string  `json:"languages"`    // BCP 47 tags, most fluent first
	Availability string    `json:"availability"` // online, away or offline
	Disabled     bool      `json:"disabled"`
	TOTPEnabled  bool      `json:"totp_enabled"` // signing in takes a code from an authenticator app too
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// NewUser is what CreateUser and EnsureUser need.
type NewUser struct {
	Email     string
	Name      string
	Role      Role
	Password  string
	Languages []string
	Actor     event.Actor // who is creating the user; the system when unset
}

// UserPatch changes some of a user's fields; nil fields stay as they are.
type UserPatch struct {
	Name         *string
	Role         *Role
	Languages    *[]string
	Availability *string
	Disabled     *bool
}

// checked is a NewUser after validation.
type checked struct {
	email, name string
	role        Role
	langs       []string
}

func checkNewUser(nu NewUser) (checked, error) {
	var c checked
	var err error
	if c.email, err = NormalizeEmail(nu.Email); err != nil {
		return c, err
	}
	if c.name, err = normalizeName(nu.Name); err != nil {
		return c, err
	}
	if c.role, err = ParseRole(string(nu.Role)); err != nil {
		return c, err
	}
	if c.langs, err = normalizeLanguages(nu.Languages); err != nil {
		return c, err
	}
	return c, ValidatePassword(nu.Password)
}

// CreateUser adds a user and records event.UserCreated in the same transaction. The email is
// normalised (see NormalizeEmail); an address already in use, in any letter case, is
// ErrEmailTaken. New users start offline.
func (s *Service) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	c, err := checkNewUser(nu)
	if err != nil {
		return User{}, err
	}
	// Hash before the transaction: on SQLite every writer waits while a transaction is open.
	hash, err := s.hash(ctx, nu.Password)
	if err != nil {
		return User{}, err
	}
	now := s.clock.Now()
	u := User{ID: store.NewID(now), Email: c.email, Name: c.name, Role: c.role, Languages: c.langs,
		Availability: AvailabilityOffline, CreatedAt: fromMS(ms(now)), UpdatedAt: fromMS(ms(now))}
	err = s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		// Checking first keeps a caller's enclosing PostgreSQL transaction usable in the
		// common case; the unique index still settles a race.
		var n int
		if err := tx.QueryRow(ctx, sqlEmailExists, u.Email).Scan(&n); err != nil {
			return fmt.Errorf("auth: check email: %w", err)
		}
		if n > 0 {
			return ErrEmailTaken
		}
		if _, err := tx.Exec(ctx, sqlInsertUser, u.ID, u.Email, u.Name, string(u.Role), hash,
			joinLanguages(u.Languages), u.Availability, ms(now), ms(now)); err != nil {
			if store.IsUniqueViolation(err) {
				return ErrEmailTaken
			}
			return fmt.Errorf("auth: insert user: %w", err)
		}
		_, err := s.events.Append(ctx, event.Event{Kind: event.UserCreated, Actor: actorOr(nu.Actor)},
			map[string]any{"user_id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role})
		return err
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// EnsureUser makes sure a user with nu's email exists, can sign in with nu.Password, is
// enabled, and has nu's name, role and languages. It creates the user if needed and writes
// nothing when all of that already holds, so seeding can run at every start.
func (s *Service) EnsureUser(ctx context.Context, nu NewUser) (User, error) {
	c, err := checkNewUser(nu)
	if err != nil {
		return User{}, err
	}
	u, hash, err := s.userWithHash(ctx, c.email)
	if errors.Is(err, ErrNotFound) {
		u, err = s.CreateUser(ctx, nu)
		if !errors.Is(err, ErrEmailTaken) {
			return u, err
		}
		// Someone created it meanwhile; bring theirs in line below.
		u, hash, err = s.userWithHash(ctx, c.email)
	}
	if err != nil {
		return User{}, err
	}
	samePassword, err := s.verify(ctx, hash, nu.Password)
	if err != nil {
		return User{}, fmt.Errorf("auth: ensure %s: %w", c.email, err)
	}
	if samePassword && u.Name == c.name && u.Role == c.role && slices.Equal(u.Languages, c.langs) && !u.Disabled {
		return u, nil
	}
	var newHash any
	if !samePassword {
		h, err := s.hash(ctx, nu.Password)
		if err != nil {
			return User{}, err
		}
		newHash = h
	}
	langs := c.langs
	enabled := false
	return s.patch(ctx, u.ID, UserPatch{Name: &c.name, Role: &c.role, Languages: &langs, Disabled: &enabled}, newHash, nu.Actor)
}

// GetUser returns the user with id, or ErrNotFound.
func (s *Service) GetUser(ctx context.Context, id string) (User, error) {
	u, err := scanUser(s.db.Q(ctx).QueryRow(ctx, sqlUserByID, id))
	if store.IsNoRows(err) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: get user %s: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with email, in any letter case, or ErrNotFound.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, ErrNotFound
	}
	u, err := scanUser(s.db.Q(ctx).QueryRow(ctx, sqlUserByEmail, e))
	if store.IsNoRows(err) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("auth: user by email: %w", err)
	}
	return u, nil
}

// ListUsers returns every user, disabled ones included, by name.
func (s *Service) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Q(ctx).Query(ctx, sqlListUsers)
	if err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("auth: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: list users: %w", err)
	}
	// Sorted here, not in SQL: PostgreSQL orders text by its collation and SQLite by bytes, and
	// the list should read the same on both.
	slices.SortStableFunc(out, func(a, b User) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Email, b.Email)
	})
	return out, nil
}

// UpdateUser applies p and records UserUpdated with the fields that changed. Disabling a user
// ends their sessions at once; their API tokens stop working too, since TokenUser refuses
// disabled users. The last enabled admin can be neither demoted nor disabled, so an
// installation always has someone who can manage it.
func (s *Service) UpdateUser(ctx context.Context, id string, p UserPatch, actor event.Actor) (User, error) {
	if p.Name != nil {
		n, err := normalizeName(*p.Name)
		if err != nil {
			return User{}, err
		}
		p.Name = &n
	}
	if p.Role != nil {
		r, err := ParseRole(string(*p.Role))
		if err != nil {
			return User{}, err
		}
		p.Role = &r
	}
	if p.Languages != nil {
		l, err := normalizeLanguages(*p.Languages)
		if err != nil {
			return User{}, err
		}
		p.Languages = &l
	}
	if p.Availability != nil {
		a, err := parseAvailability(*p.Availability)
		if err != nil {
			return User{}, err
		}
		p.Availability = &a
	}
	return s.patch(ctx, id, p, nil, actor)
}

// patch applies a validated patch, and a new password hash when newHash is a string.
func (s *Service) patch(ctx context.Context, id string, p UserPatch, newHash any, actor event.Actor) (User, error) {
	var out User
	err := s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		old, err := scanUser(tx.QueryRow(ctx, sqlUserByID, id))
		if store.IsNoRows(err) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("auth: update user %s: %w", id, err)
		}
		changes := map[string]any{}
		var name, role, langs, avail, disabled any
		if p.Name != nil && *p.Name != old.Name {
			name, changes["name"] = *p.Name, *p.Name
		}
		if p.Role != nil && *p.Role != old.Role {
			role, changes["role"] = string(*p.Role), *p.Role
		}
		if p.Languages != nil && !slices.Equal(*p.Languages, old.Languages) {
			langs, changes["languages"] = joinLanguages(*p.Languages), *p.Languages
		}
		if p.Availability != nil && *p.Availability != old.Availability {
			avail, changes["availability"] = *p.Availability, *p.Availability
		}
		if p.Disabled != nil && *p.Disabled != old.Disabled {
			disabled, changes["disabled"] = boolInt(*p.Disabled), *p.Disabled
		}
		if newHash != nil {
			changes["password"] = "changed"
		}
		// An unchanged patch writes nothing, so a form saved twice leaves no trace in the log.
		if len(changes) == 0 {
			out = old
			return nil
		}
		// Without an enabled admin nobody could create users or fix channels short of editing
		// the database; the guard reads inside the transaction so it sees this change's
		// effect. (Two admins demoting each other at once on PostgreSQL could still both pass.)
		losesAdmin := old.Role == RoleAdmin && !old.Disabled &&
			((role != nil && *p.Role != RoleAdmin) || (disabled != nil && *p.Disabled))
		if losesAdmin {
			var admins int
			if err := tx.QueryRow(ctx, sqlCountEnabledAdmins).Scan(&admins); err != nil {
				return fmt.Errorf("auth: count admins: %w", err)
			}
			if admins <= 1 {
				field := "role"
				if disabled != nil {
					field = "disabled"
				}
				return &ValidationError{Field: field, Reason: "this is the last admin; make someone else admin first"}
			}
		}
		now := s.clock.Now()
		if _, err := tx.Exec(ctx, sqlPatchUser, name, role, langs, avail, disabled, newHash, ms(now), id); err != nil {
			return fmt.Errorf("auth: update user %s: %w", id, err)
		}
		// A disabled user must lose access now, not when their sessions expire; a new password
		// is often set because the old one leaked.
		if (disabled != nil && *p.Disabled) || newHash != nil {
			if _, err := tx.Exec(ctx, sqlDeleteUserSessions, id); err != nil {
				return fmt.Errorf("auth: end sessions of %s: %w", id, err)
			}
		}
		if _, err := s.events.Append(ctx, event.Event{Kind: UserUpdated, Actor: actorOr(actor)},
			map[string]any{"user_id": id, "changes": changes}); err != nil {
			return err
		}
		out, err = scanUser(tx.QueryRow(ctx, sqlUserByID, id))
		return err
	})
	if err != nil {
		return User{}, err
	}
	return out, nil
}

// SetPassword replaces a user's password and ends all their sessions: a password is most often
// changed because the old one may be known to someone else. API tokens are left alone.
func (s *Service) SetPassword(ctx context.Context, id, pw string, actor event.Actor) error {
	if err := ValidatePassword(pw); err != nil {
		return err
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		res, err := tx.Exec(ctx, sqlSetPassword, hash, ms(s.clock.Now()), id)
		if err != nil {
			return fmt.Errorf("auth: set password of %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, sqlDeleteUserSessions, id); err != nil {
			return fmt.Errorf("auth: end sessions of %s: %w", id, err)
		}
		_, err = s.events.Append(ctx, event.Event{Kind: PasswordChanged, Actor: actorOr(actor)}, map[string]any{"user_id": id})
		return err
	})
}

// Authenticate checks an email and password. An unknown email, a wrong password and a disabled
// user all give ErrBadCredentials, after the same amount of hashing, so neither the answer nor
// its timing tells an attacker which emails have accounts. A password stored with other
// parameters than the current ones is re-hashed on success.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	u, hash, err := s.userWithHash(ctx, email)
	if errors.Is(err, ErrNotFound) {
		dummy, err := s.dummyHash()
		if err != nil {
			return User{}, fmt.Errorf("auth: authenticate: %w", err)
		}
		if _, err := s.verify(ctx, dummy, password); err != nil {
			return User{}, fmt.Errorf("auth: authenticate: %w", err)
		}
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	ok, err := s.verify(ctx, hash, password)
	if err != nil {
		return User{}, fmt.Errorf("auth: authenticate %s: %w", u.ID, err)
	}
	if !ok || u.Disabled {
		return User{}, ErrBadCredentials
	}
	// Parameters are only ever raised by an operator, so any difference is an upgrade (or a
	// deliberate downgrade, which should apply just the same).
	if p, _, _, err := parseHash(hash); err == nil && p != s.opt.Argon {
		s.rehash(ctx, u.ID, hash, password)
	}
	return u, nil
}

// rehash stores password with the current parameters. Failing is not worth failing a sign-in
// for: the old hash still works, and the next sign-in tries again.
func (s *Service) rehash(ctx context.Context, id, oldHash, password string) {
	h, err := s.hash(ctx, password)
	if err == nil {
		_, err = s.exec(ctx, sqlRehash, h, id, oldHash)
	}
	if err != nil {
		s.opt.Logger.WarnContext(ctx, "auth: re-hashing a password with new parameters failed", "user", id, "err", err)
	}
}

// userWithHash finds a user and their password hash by email; an invalid email is ErrNotFound.
func (s *Service) userWithHash(ctx context.Context, email string) (User, string, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, "", ErrNotFound
	}
	var u User
	var hash, langs string
	var disabled, created, updated int64
	dest := append(userCols(&u, &langs, &disabled, &created, &updated), &hash)
	err = s.db.Q(ctx).QueryRow(ctx, sqlUserHashByEmail, e).Scan(dest...)
	if store.IsNoRows(err) {
		return User{}, "", ErrNotFound
	}
	if err != nil {
		return User{}, "", fmt.Errorf("auth: user by email: %w", err)
	}
	finishUser(&u, langs, disabled, created, updated)
	return u, hash, nil
}

type scanner interface{ Scan(dest ...any) error }

// userCols are the users columns every query here selects, in sqlSelectUser's order.
func userCols(u *User, langs *string, disabled, created, updated *int64) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Role, langs, &u.Availability, disabled, created, updated, &u.TOTPEnabled}
}

func finishUser(u *User, langs string, disabled, created, updated int64) {
	u.Languages, u.Disabled, u.CreatedAt, u.UpdatedAt = splitLanguages(langs), disabled != 0, fromMS(created), fromMS(updated)
}

func scanUser(r scanner) (User, error) {
	var u User
	var langs string
	var disabled, created, updated int64
	if err := r.Scan(userCols(&u, &langs, &disabled, &created, &updated)...); err != nil {
		return User{}, err
	}
	finishUser(&u, langs, disabled, created, updated)
	return u, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// ArgonParams are the argon2id cost parameters. They are written into every hash, so they can
// be raised at any time: old hashes still verify with the parameters they were made with, and
// Authenticate re-hashes a password with the current ones when its owner signs in.
type ArgonParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of hash output
}

// DefaultArgon is the production cost: 64 MiB and 2 passes, one lane. That is above OWASP's
// minimum (19 MiB, 2 passes) and near RFC 9106's second recommendation (64 MiB, 3 passes, 4
// lanes); one lane because concurrent sign-ins already use every core, and Service bounds how
// many hashes run at once so a burst of sign-ins cannot exhaust memory.
func DefaultArgon() ArgonParams {
	return ArgonParams{Memory: 64 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// CheapArgon is a deliberately weak cost for tests and throwaway demo databases, where hashing
// dozens of passwords must take milliseconds. Never use it for real users.
func CheapArgon() ArgonParams {
	return ArgonParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters, checked when hashing and when reading a stored hash. The upper bounds
// keep a corrupted or hostile hash string from making one verification take gigabytes or
// minutes.
const (
	maxMemory = 1 << 20 // KiB: 1 GiB
	maxTime   = 64
	minSalt   = 8
	maxSalt   = 64
	minKey    = 16
	maxKey    = 128
)

// Password length limits. The minimum follows NIST SP 800-63B's advice to prefer length over
// composition rules; the maximum only stops a megabyte "password" from being hashed.
const (
	MinPasswordLen = 10   // characters
	MaxPasswordLen = 1024 // bytes
)

// ErrMalformedHash means a stored password hash is not an argon2id string this package can read.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// Validate checks that p is within the bounds this package hashes and verifies with.
func (p ArgonParams) Validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d outside 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("threads must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		// RFC 9106: memory is at least 8 KiB per lane.
		return fmt.Errorf("memory %d KiB outside %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSalt || p.SaltLen > maxSalt:
		return fmt.Errorf("salt length %d outside %d..%d", p.SaltLen, minSalt, maxSalt)
	case p.KeyLen < minKey || p.KeyLen > maxKey:
		return fmt.Errorf("key length %d outside %d..%d", p.KeyLen, minKey, maxKey)
	}
	return nil
}

// ValidatePassword checks a new password against the length policy.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return &ValidationError{Field: "password", Reason: fmt.Sprintf("must be at least %d characters", MinPasswordLen)}
	}
	if len(pw) > MaxPasswordLen {
		return &ValidationError{Field: "password", Reason: fmt.Sprintf("must be at most %d bytes", MaxPasswordLen)}
	}
	return nil
}

// b64 is the PHC string format's base64: standard alphabet, no padding. Strict rejects
// non-zero trailing bits, so every hash has exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

// HashPassword hashes pw with argon2id and returns it in the PHC string format,
// $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>. It does not apply the length
// policy; see ValidatePassword.
func HashPassword(pw string, p ArgonParams) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("auth: argon2 parameters: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodeHash(p, salt, key), nil
}

// encodeHash writes the PHC string; parseHash reads exactly what it writes.
func encodeHash(p ArgonParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches encoded, a hash made by HashPassword (with any
// parameters). A malformed hash is an error wrapping ErrMalformedHash, never a match.
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// parseHash reads a PHC argon2id string. It accepts only the spelling HashPassword writes:
// the fields in order, decimal numbers without signs or leading zeros, unpadded base64.
func parseHash(encoded string) (p ArgonParams, salt, key []byte, err error) {
	bad := func(why string) (ArgonParams, []byte, []byte, error) {
		return ArgonParams{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	// Go's base64 decoder skips line breaks; refusing them keeps one spelling per hash.
	if strings.ContainsAny(encoded, "\r\n") {
		return bad("line break")
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want $argon2id$v=…$m=…,t=…,p=…$salt$hash")
	}
	if parts[1] != "argon2id" {
		return bad("not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version")
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return bad("want m, t and p")
	}
	var nums [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return bad("want m, t and p in that order")
		}
		n, err := parseDecimal(v)
		if err != nil {
			return bad(name + " is not a number")
		}
		nums[i] = n
	}
	if nums[0] > maxMemory || nums[1] > maxTime || nums[2] > 255 {
		return bad("parameters out of range")
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return bad("salt is not base64")
	}
	if key, err = b64.DecodeString(parts[5]); err != nil {
		return bad("hash is not base64")
	}
	p = ArgonParams{Memory: uint32(nums[0]), Time: uint32(nums[1]), Threads: uint8(nums[2]),
		SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	if err := p.Validate(); err != nil {
		return bad(err.Error())
	}
	return p, salt, key, nil
}

// parseDecimal accepts only canonical unsigned decimals ("0", "19", not "+19", "019" or "").
func parseDecimal(s string) (uint64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("not canonical")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a digit")
		}
	}
	return strconv.ParseUint(s, 10, 32)
}

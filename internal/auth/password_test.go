package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestHashAndVerifyPassword(t *testing.T) {
	enc, err := HashPassword("correct horse battery", CheapArgon())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("got %q, want the PHC argon2id format with the parameters used", enc)
	}
	ok, err := VerifyPassword(enc, "correct horse battery")
	if err != nil || !ok {
		t.Errorf("right password: got %v, %v; want true, nil", ok, err)
	}
	for _, wrong := range []string{"correct horse batterY", "correct horse battery ", "", "correct horse"} {
		if ok, err := VerifyPassword(enc, wrong); ok || err != nil {
			t.Errorf("wrong password %q: got %v, %v; want false, nil", wrong, ok, err)
		}
	}
	again, _ := HashPassword("correct horse battery", CheapArgon())
	if again == enc {
		t.Error("two hashes of one password are equal; want different salts")
	}
}

func TestVerifyReadsParametersFromTheHash(t *testing.T) {
	// A hash made with other parameters than today's still verifies: they come from the string.
	p := ArgonParams{Memory: 256, Time: 3, Threads: 2, SaltLen: 24, KeyLen: 48}
	enc, err := HashPassword("a password with other costs", p)
	if err != nil {
		t.Fatal(err)
	}
	got, salt, key, err := parseHash(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got != p || len(salt) != 24 || len(key) != 48 {
		t.Errorf("got %+v (salt %d, key %d bytes), want %+v", got, len(salt), len(key), p)
	}
	if !strings.Contains(enc, "$m=256,t=3,p=2$") {
		t.Errorf("got %q, want m=256,t=3,p=2 in it", enc)
	}
	if ok, err := VerifyPassword(enc, "a password with other costs"); !ok || err != nil {
		t.Errorf("got %v, %v; want true, nil", ok, err)
	}
	// Changing a parameter in the string changes the hash computed, so the password fails.
	changed := strings.Replace(enc, "t=3", "t=2", 1)
	if ok, err := VerifyPassword(changed, "a password with other costs"); ok || err != nil {
		t.Errorf("with t changed: got %v, %v; want false, nil", ok, err)
	}
}

func TestVerifyRejectsTamperedHashes(t *testing.T) {
	enc, err := HashPassword("0123456789", CheapArgon())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(enc, "$") // "", argon2id, v=19, m=…, salt, hash
	join := func(p ...string) string { return strings.Join(p, "$") }
	flip := func(s string) string { // change the first character to another base64 one
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	cases := []struct {
		name      string
		encoded   string
		malformed bool
	}{
		{"hash changed", join(parts[0], parts[1], parts[2], parts[3], parts[4], flip(parts[5])), false},
		{"salt changed", join(parts[0], parts[1], parts[2], parts[3], flip(parts[4]), parts[5]), false},
		{"hash shortened", join(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5][4:]), false}, // 3 bytes fewer
		{"empty", "", true},
		{"argon2i", join(parts[0], "argon2i", parts[2], parts[3], parts[4], parts[5]), true},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
		{"version 16", join(parts[0], parts[1], "v=16", parts[3], parts[4], parts[5]), true},
		{"no version", join(parts[0], parts[1], parts[3], parts[4], parts[5]), true},
		{"params reordered", join(parts[0], parts[1], parts[2], "t=1,m=64,p=1", parts[4], parts[5]), true},
		{"zero time", join(parts[0], parts[1], parts[2], "m=64,t=0,p=1", parts[4], parts[5]), true},
		{"zero lanes", join(parts[0], parts[1], parts[2], "m=64,t=1,p=0", parts[4], parts[5]), true},
		{"too little memory", join(parts[0], parts[1], parts[2], "m=7,t=1,p=1", parts[4], parts[5]), true},
		{"huge memory", join(parts[0], parts[1], parts[2], "m=4294967295,t=1,p=1", parts[4], parts[5]), true},
		{"lanes overflow", join(parts[0], parts[1], parts[2], "m=64,t=1,p=257", parts[4], parts[5]), true},
		{"leading zero", join(parts[0], parts[1], parts[2], "m=064,t=1,p=1", parts[4], parts[5]), true},
		{"plus sign", join(parts[0], parts[1], parts[2], "m=+64,t=1,p=1", parts[4], parts[5]), true},
		{"padded salt", join(parts[0], parts[1], parts[2], parts[3], parts[4]+"==", parts[5]), true},
		{"salt not base64", join(parts[0], parts[1], parts[2], parts[3], "!!!!!!!!!!!", parts[5]), true},
		{"short salt", join(parts[0], parts[1], parts[2], parts[3], "AAAA", parts[5]), true},
		{"short hash", join(parts[0], parts[1], parts[2], parts[3], parts[4], "AAAA"), true},
		{"extra field", enc + "$", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, err := VerifyPassword(c.encoded, "0123456789")
			if ok {
				t.Fatalf("%q verified; want no match", c.encoded)
			}
			if got := errors.Is(err, ErrMalformedHash); got != c.malformed {
				t.Errorf("%q: got error %v, want malformed=%v", c.encoded, err, c.malformed)
			}
		})
	}
}

func TestArgonParamsBounds(t *testing.T) {
	if err := DefaultArgon().Validate(); err != nil {
		t.Errorf("DefaultArgon: %v", err)
	}
	if err := CheapArgon().Validate(); err != nil {
		t.Errorf("CheapArgon: %v", err)
	}
	for _, p := range []ArgonParams{
		{},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		{Memory: 16, Time: 1, Threads: 4, SaltLen: 16, KeyLen: 32},
		{Memory: 2 << 20, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if _, err := HashPassword("0123456789", p); err == nil {
			t.Errorf("HashPassword with %+v: got no error", p)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	for _, c := range []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"123456789", false},
		{"1234567890", true},
		{"שלום עולם!", true}, // ten characters, more bytes
		{"日本語日本語日本語", false}, // nine characters, 27 bytes: characters count, not bytes
		{strings.Repeat("x", MaxPasswordLen), true},
		{strings.Repeat("x", MaxPasswordLen+1), false},
	} {
		err := ValidatePassword(c.pw)
		var ve *ValidationError
		if c.ok && err != nil {
			t.Errorf("%q: got %v, want ok", c.pw, err)
		}
		if !c.ok && (!errors.As(err, &ve) || ve.Field != "password") {
			t.Errorf("%q: got %v, want a ValidationError on password", c.pw, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	enc, err := HashPassword("0123456789", CheapArgon())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		enc,
		strings.Replace(enc, "m=64", "m=8", 1),
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$cGFzc3dvcmRwYXNzd29yZHBhc3N3b3JkcGFzc3dv",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"$argon2id$v=19$m=,t=,p=$x$y",
		"$argon2id$v=19$m=64,t=1,p=1,x=2$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$$$$$",
		"$",
		"",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
	} {
		f.Add(s, "0123456789")
	}
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		p, salt, key, perr := parseHash(encoded)
		if perr == nil {
			if again := encodeHash(p, salt, key); again != encoded {
				t.Fatalf("parsed %q, but it writes back as %q; want one spelling per hash", encoded, again)
			}
			// Within the bounds, but fuzzing at a gigabyte per input is pointless: the
			// parser, not argon2, is under test.
			if uint64(p.Memory)*uint64(p.Time) > 1<<16 {
				return
			}
		}
		ok, err := VerifyPassword(encoded, pw)
		if (err == nil) != (perr == nil) {
			t.Fatalf("VerifyPassword error %v, parser error %v; want them to agree", err, perr)
		}
		if err != nil && ok {
			t.Fatalf("%q: a malformed hash matched", encoded)
		}
	})
}

func BenchmarkVerifyPassword(b *testing.B) {
	enc, err := HashPassword("0123456789", DefaultArgon())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := VerifyPassword(enc, "0123456789"); !ok {
			b.Fatal("no match")
		}
	}
}

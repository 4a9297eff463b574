package store

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/participation-graph/participation-graph/domain"
)

// Fuzz targets for every parser of client input in the store: list cursors, change-feed
// cursors, ids, dates, date-times, enum values and search texts. Each must refuse bad input
// with the store's own error, never panic, and read back what it writes.

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor("NAME", pos{"Ryedale", "mus_0123456789abcdef01234567"}), uint8(kindString))
	f.Add(encodeCursor("OCCURRED_AT", pos{time.Date(2014, 3, 5, 18, 30, 0, 0, time.UTC), "evt_0123456789abcdef01234567"}), uint8(kindTime))
	f.Add(encodeCursor("LEVEL", pos{3, "evt_0123456789abcdef01234567"}), uint8(kindInt))
	f.Add("eyJmIjoiTkFNRSJ9", uint8(kindString))
	f.Add("%%%", uint8(kindTime))
	fields := map[valueKind]domain.OrderField{kindString: "NAME", kindTime: "OCCURRED_AT", kindInt: "LEVEL"}
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		kind := valueKind(k % 3)
		field := fields[kind]
		p, err := decodeCursor("after", field, kind, s)
		if err != nil {
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != "after" {
				t.Fatalf("error %v is not a validation error on after", err)
			}
			return
		}
		back, err := decodeCursor("after", field, kind, encodeCursor(field, p))
		if err != nil || back.id != p.id || back.compare(p) != 0 {
			t.Fatalf("cursor %q read as %+v, re-encoded it reads as %+v (%v)", s, p, back, err)
		}
	})
}

func FuzzDecodeChangeCursor(f *testing.F) {
	for _, s := range []string{domain.EncodeChangeCursor(0), domain.EncodeChangeCursor(42), domain.EncodeChangeCursor(1 << 62), "Y2hhbmdlOi0x", "", "change:5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seq, err := domain.DecodeChangeCursor(s)
		if err != nil {
			var ve *domain.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a validation error", err)
			}
			return
		}
		if seq < 0 {
			t.Fatalf("cursor %q read as a negative position %d", s, seq)
		}
		if back, err := domain.DecodeChangeCursor(domain.EncodeChangeCursor(seq)); err != nil || back != seq {
			t.Fatalf("position %d does not survive encoding: %d %v", seq, back, err)
		}
	})
}

func FuzzEntityOf(f *testing.F) {
	f.Add("mus_0123456789abcdef01234567")
	f.Add(domain.StableID(domain.EntityEvent, "x"))
	f.Add("key_0123456789abcdef0123456")
	f.Add("_")
	f.Fuzz(func(t *testing.T, id string) {
		e, ok := domain.EntityOf(id)
		if !ok {
			return
		}
		prefix, rest, _ := strings.Cut(id, "_")
		if e.Prefix() != prefix || len(rest) != 24 || !isHex(rest) {
			t.Fatalf("%q taken for a %s id", id, e)
		}
	})
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2014-06-30", "2015-02-29", "2016-02-29", "0000-01-01", "9999-12-31", "2014-6-3", "2014-06-30T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d domain.Date
		err := d.UnmarshalGQL(s)
		if err != nil {
			var ie *domain.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an input error", err)
			}
			return
		}
		if string(d) != s || domain.DateOf(d.Time()) != d {
			t.Fatalf("%q read as %q, which is %q as a time", s, d, domain.DateOf(d.Time()))
		}
	})
}

func FuzzUnmarshalDateTime(f *testing.F) {
	for _, s := range []string{"2014-03-05T18:30:00Z", "2014-03-05T18:30:00.123456789+01:00", "2014-03-05", "yesterday", "2014-13-40T25:61:61Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := domain.UnmarshalDateTime(s)
		if err != nil {
			var ie *domain.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an input error", err)
			}
			return
		}
		var b strings.Builder
		domain.MarshalDateTime(tm).MarshalGQL(&b)
		back, err := domain.UnmarshalDateTime(strings.Trim(b.String(), `"`))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("%q read as %v, written as %s, read back as %v (%v)", s, tm, b.String(), back, err)
		}
	})
}

func FuzzEnumValue(f *testing.F) {
	for _, s := range []string{"EMPOWER", "empower", "", "INFORM ", "COLLABORATE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var l domain.ParticipationLevel
		err := l.UnmarshalGQL(s)
		if (err == nil) != domain.ParticipationLevels.Valid(domain.ParticipationLevel(s)) {
			t.Fatalf("%q: error %v, but valid = %v", s, err, domain.ParticipationLevels.Valid(domain.ParticipationLevel(s)))
		}
	})
}

// FuzzSearch checks a search text always becomes a pattern that matches that very text,
// literally and case-insensitively, and that a database accepts (no NUL byte).
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"Ryedale", "a.b*c", "(unclosed", `\d+`, "Café", "x\x00y", strings.Repeat("ab", 150), "$where", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		b := &filterBuilder{}
		b.search(&q, "name")
		if len(b.parts) == 0 {
			if strings.TrimSpace(domain.SearchText(q)) != "" {
				t.Fatalf("%q gave no condition", q)
			}
			return
		}
		or := b.parts[0].Value.(bson.A)
		pattern := or[0].(bson.D)[0].Value.(bson.D)[0].Value.(string)
		if strings.ContainsRune(pattern, 0) {
			t.Fatalf("pattern %q holds a NUL byte", pattern)
		}
		re, err := regexp.Compile("(?i)" + pattern)
		if err != nil {
			t.Fatalf("pattern %q of %q does not compile: %v", pattern, q, err)
		}
		text := []rune(strings.TrimSpace(domain.SearchText(q)))
		if want := string(text[:min(len(text), domain.MaxSearch)]); !re.MatchString(want) {
			t.Fatalf("pattern %q does not match its own text %q", pattern, want)
		}
	})
}

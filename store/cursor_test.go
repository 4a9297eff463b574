package store

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

func TestCursorRoundTrip(t *testing.T) {
	at := time.Date(2014, 3, 5, 18, 30, 0, 123000000, time.UTC)
	for _, tc := range []struct {
		name string
		kind valueKind
		v    any
	}{
		{"String", kindString, "Hackney Museum"},
		{"EmptyString", kindString, ""},
		{"Time", kindTime, at},
		{"Int", kindInt, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := encodeCursor("F", pos{tc.v, "mus_1"})
			got, err := decodeCursor("after", "F", tc.kind, c)
			if err != nil {
				t.Fatal(err)
			}
			if got.id != "mus_1" || got.compare(pos{tc.v, "mus_1"}) != 0 {
				t.Errorf("decoded %+v, want %v / mus_1", got, tc.v)
			}
		})
	}
}

func TestCursorErrors(t *testing.T) {
	good := encodeCursor("NAME", pos{"x", "mus_1"})
	for name, tc := range map[string]struct {
		field domain.OrderField
		kind  valueKind
		in    string
	}{
		"NotBase64":     {"NAME", kindString, "!!!"},
		"NotJSON":       {"NAME", kindString, "bm90IGpzb24"},
		"OtherOrdering": {"CREATED_AT", kindTime, good},
		"WrongKind":     {"NAME", kindInt, good},
		"Empty":         {"NAME", kindString, ""},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := decodeCursor("after", tc.field, tc.kind, tc.in)
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || ve.Fields[0].Field != "after" {
				t.Errorf("got %v, want a validation error on after", err)
			}
		})
	}
}

func TestPlanArguments(t *testing.T) {
	n := func(i int) *int { return &i }
	s := func(v string) *string { return &v }
	for name, tc := range map[string]struct {
		args  PageArgs
		field string // "" when valid
	}{
		"Default":        {PageArgs{}, ""},
		"Max":            {PageArgs{First: n(MaxPageSize)}, ""},
		"TooMany":        {PageArgs{First: n(MaxPageSize + 1)}, "first"},
		"Negative":       {PageArgs{Last: n(-1)}, "last"},
		"BothDirections": {PageArgs{First: n(1), Last: n(1)}, "last"},
		"BothCursors":    {PageArgs{After: s("a"), Before: s("b"), Last: n(1)}, "before"},
		"BeforeOnFirst":  {PageArgs{First: n(2), Before: s("b")}, "before"},
		"AfterOnLast":    {PageArgs{Last: n(2), After: s("a")}, "after"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := newPlan(tc.args, "NAME", false, kindString)
			var ve *domain.ValidationError
			switch {
			case tc.field == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tc.field != "" && (!errors.As(err, &ve) || ve.Fields[0].Field != tc.field):
				t.Errorf("got %v, want a validation error on %s", err, tc.field)
			}
		})
	}
}

// TestWindow pages through positions in memory both ways, as nested lists do.
func TestWindow(t *testing.T) {
	var rows []pos
	for i, v := range []string{"a", "b", "b", "c", "d"} {
		rows = append(rows, pos{v, string(rune('1' + i))})
	}
	ids := func(ps []pos) (out []string) {
		for _, p := range ps {
			out = append(out, p.id)
		}
		return out
	}
	two := 2
	var got []string
	args := PageArgs{First: &two}
	for {
		p, err := newPlan(args, "F", false, kindString)
		if err != nil {
			t.Fatal(err)
		}
		page, next, prev := p.window(rows)
		if (args.After != nil) != prev {
			t.Errorf("hasPreviousPage = %v after %v", prev, args.After)
		}
		got = append(got, ids(page)...)
		if !next {
			break
		}
		c := encodeCursor("F", page[len(page)-1])
		args.After = &c
	}
	if want := []string{"1", "2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Errorf("forward pages = %v, want %v", got, want)
	}
	// Backward from the end: last 2, then the 2 before, then the first.
	got = nil
	args = PageArgs{Last: &two}
	for {
		p, _ := newPlan(args, "F", false, kindString)
		page, next, prev := p.window(rows)
		if (args.Before != nil) != next {
			t.Errorf("hasNextPage = %v before %v", next, args.Before)
		}
		got = append(ids(page), got...)
		if !prev {
			break
		}
		c := encodeCursor("F", page[0])
		args.Before = &c
	}
	if want := []string{"1", "2", "3", "4", "5"}; !slices.Equal(got, want) {
		t.Errorf("backward pages = %v, want %v", got, want)
	}
	// Descending order reads the same positions the other way round.
	desc := slices.Clone(rows)
	slices.Reverse(desc)
	p, _ := newPlan(PageArgs{First: &two}, "F", true, kindString)
	page, _, _ := p.window(desc)
	if want := []string{"5", "4"}; !slices.Equal(ids(page), want) {
		t.Errorf("first page descending = %v, want %v", ids(page), want)
	}
}

func TestEmpowermentGap(t *testing.T) {
	for _, tc := range []struct {
		level domain.ParticipationLevel
		rung  domain.ArnsteinRung
		want  bool
	}{
		{domain.LevelEmpower, domain.RungPlacation, true},
		{domain.LevelCollaborate, domain.RungManipulation, true},
		{domain.LevelCollaborate, domain.RungPartnership, false},
		{domain.LevelInvolve, domain.RungManipulation, false},
		{domain.LevelEmpower, "", false},
	} {
		if got := domain.EmpowermentGap(tc.level, tc.rung); got != tc.want {
			t.Errorf("EmpowermentGap(%s, %s) = %v, want %v", tc.level, tc.rung, got, tc.want)
		}
	}
}

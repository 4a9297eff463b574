package domain

import (
	"math/rand/v2"
	"testing"
)

// The byte-wise search gives the pattern's answer on every text, ASCII or not.
func TestTextSearchEqualsThePattern(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 5))
	alphabet := []string{"a", "A", "b", "K", "k", "s", "S", "ſ", "K", "é", "É", "’", "–", " ", "-", ".", "(", "co", "Co", "CO"}
	word := func(n int) string {
		s := ""
		for range n {
			s += alphabet[rnd.IntN(len(alphabet))]
		}
		return s
	}
	for range 50000 {
		q, v := word(1+rnd.IntN(3)), word(rnd.IntN(24))
		tx := newText(&q)
		if tx.re == nil {
			continue // searches for nothing
		}
		if got, want := tx.matches(v), tx.re.MatchString(v); got != want {
			t.Fatalf("search %q in %q: %t, the pattern says %t", q, v, got, want)
		}
	}
}

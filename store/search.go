package store

import (
	"bytes"
	"reflect"
	"sort"

	"github.com/participation-graph/participation-graph/domain"
)

// A top-level list with a search tests every record of its collection: at 100,000
// decision events, walking the records (each in its own place in memory, with its title
// and description in two more) took 70 ms for a search that matches none. A table's
// searchIndex keeps the search keys of every record's searched texts
// (domain.AppendSearchKey) one after another in one block, so that a search is one pass
// of bytes.Index over it, and the records whose keys hold the search's key are the ones
// that match it. The few records whose texts hold a sign that Unicode folds to an ASCII
// letter are tested one by one when the search may meet it (domain.Search.Key). The
// index is built on the first search and follows the table's writes after that.
type searchIndex struct {
	buf    []byte  // the keys of each region's texts, each text followed by a zero byte
	starts []int32 // region r is buf[starts[r]:starts[r+1]]
	owner  []int32 // region → its record's index in table.entries, -1 once replaced
	region []int32 // record index → its region
	folds  []int32 // the regions whose texts hold a sign FoldsToASCII reports
	dead   int     // bytes of replaced regions
}

// add appends the keys of rec's texts as record at's region, retiring the region it had.
func (x *searchIndex) add(at int, rec domain.Searched) {
	for len(x.region) <= at {
		x.region = append(x.region, -1)
	}
	if old := x.region[at]; old >= 0 {
		x.owner[old] = -1
		x.dead += int(x.starts[old+1] - x.starts[old])
	}
	r := int32(len(x.owner))
	fold := false
	for v := range rec.Searched {
		x.buf = append(domain.AppendSearchKey(x.buf, v), 0)
		fold = fold || domain.FoldsToASCII(v)
	}
	x.starts = append(x.starts, int32(len(x.buf)))
	x.owner = append(x.owner, int32(at))
	x.region[at] = r
	if fold {
		x.folds = append(x.folds, r)
	}
}

// searchIndexOf returns t's index, building it when there is none or when replaced
// records hold most of it. The caller holds the model's read lock.
func (t *table[T, F]) searchIndexOf() *searchIndex {
	t.searchMu.Lock()
	defer t.searchMu.Unlock()
	if t.index != nil && t.index.dead <= len(t.index.buf)/2 {
		return t.index
	}
	x := &searchIndex{starts: []int32{0}}
	for _, e := range t.entries {
		x.add(e.at, any(e.rec).(domain.Searched))
	}
	t.index = x
	return x
}

// indexSearched keeps t's search index in step with a record just put as entry e. The
// caller holds the model's write lock.
func (t *table[T, F]) indexSearched(e *entry[T]) {
	t.searchMu.Lock()
	defer t.searchMu.Unlock()
	if t.index != nil {
		t.index.add(e.at, any(e.rec).(domain.Searched))
	}
}

// hits returns, as a bit per record index (table.entries), the records of t whose texts
// match s, whose key is key.
func (t *table[T, F]) hits(s domain.Search, key string) []uint64 {
	x := t.searchIndexOf()
	bits := make([]uint64, (len(t.entries)+63)/64)
	k := []byte(key)
	for pos := 0; ; {
		j := bytes.Index(x.buf[pos:], k)
		if j < 0 {
			break
		}
		at := pos + j
		r := sort.Search(len(x.owner), func(i int) bool { return int(x.starts[i+1]) > at })
		if e := x.owner[r]; e >= 0 {
			bits[e>>6] |= 1 << (e & 63)
		}
		pos = int(x.starts[r+1])
	}
	if s.Folds() {
		for _, r := range x.folds {
			e := x.owner[r]
			if e < 0 {
				continue
			}
			if s.In(any(t.entries[e].rec).(domain.Searched).Searched) {
				bits[e>>6] |= 1 << (e & 63)
			} else {
				bits[e>>6] &^= 1 << (e & 63)
			}
		}
	}
	return bits
}

// withoutSearch returns the search of filter f (its field Search, which every filter
// with a search has) and a copy of f without it; f itself when it has none.
func withoutSearch[F any](f *F) (*string, *F) {
	field := reflect.ValueOf(f).Elem().FieldByName("Search")
	if !field.IsValid() || field.Type() != reflect.TypeFor[*string]() || field.IsNil() {
		return nil, f
	}
	q := field.Interface().(*string)
	rest := new(F)
	*rest = *f
	reflect.ValueOf(rest).Elem().FieldByName("Search").SetZero()
	return q, rest
}

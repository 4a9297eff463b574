package csvout

import (
	"bytes"
	"encoding/csv"
	"testing"
)

type flushRecorder struct {
	bytes.Buffer
	flushes int
}

func (f *flushRecorder) Flush() { f.flushes++ }

func TestWriter(t *testing.T) {
	var out flushRecorder
	w, err := New(&out, "id", "title")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Row("a1", `He said "yes", then
left`); err != nil {
		t.Fatal(err)
	}
	if err := w.Row("a2", "Café"); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "id,title\r\na1,\"He said \"\"yes\"\", then\r\nleft\"\r\na2,Café\r\n"
	if out.String() != want {
		t.Errorf("CSV = %q, want %q", out.String(), want)
	}
	if out.flushes != 1 {
		t.Errorf("%d flushes of the underlying writer, want 1", out.flushes)
	}
	rows, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][1] != "He said \"yes\", then\nleft" {
		t.Errorf("read back %q, %v", rows, err)
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"Youth panel":            "Youth panel",
		"=HYPERLINK(\"x\")":      "'=HYPERLINK(\"x\")",
		"+1":                     "'+1",
		"-2":                     "'-2",
		"@SUM(A1)":               "'@SUM(A1)",
		"\tx":                    "'\tx",
		"Museum of East Anglian": "Museum of East Anglian",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

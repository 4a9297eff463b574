// Package csvout writes the CSV exports: RFC 4180 (comma-separated, CRLF line ends,
// quoted where needed), UTF-8, a header row first, rows written out as they come so that
// an export of any size holds one row in memory, and free text made safe for
// spreadsheets.
package csvout

import (
	"encoding/csv"
	"io"
	"strings"
)

// Writer writes the rows of one CSV file.
type Writer struct {
	csv   *csv.Writer
	flush func()
}

// New returns a Writer to w that has written the header row. When w can be flushed (an
// http.ResponseWriter), Flush pushes what was written to the client.
func New(w io.Writer, header ...string) (*Writer, error) {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	out := &Writer{csv: cw, flush: func() {}}
	if f, ok := w.(interface{ Flush() }); ok {
		out.flush = f.Flush
	}
	return out, out.Row(header...)
}

// Row writes one row; the cells are written as given (see Text for free text). Its error
// is the underlying writer's.
func (w *Writer) Row(cells ...string) error { return w.csv.Write(cells) }

// Flush writes out the buffered rows and flushes the underlying writer, returning the
// first write error met so far.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return err
	}
	w.flush()
	return nil
}

// Text returns s as a cell that spreadsheets show as text: one starting with =, +, -, @,
// a tab or a carriage return would be taken for a formula (and run) by Excel, LibreOffice
// and Google Sheets, so it gets a leading apostrophe, which they hide. Titles and names
// are typed by people outside the reader's control, hence the care.
func Text(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

package api

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph"
	"github.com/participation-graph/participation-graph/network"
)

// exportFormat is one file of the network exports.
type exportFormat struct {
	name, contentType string
	write             func(io.Writer, *network.Network) error
	// stream writes straight to the client: the format's rows go out as they are made
	// (CSV). The others are made whole first, so that a failure is still a 500.
	stream bool
}

// exportFormats are the network's export files, by name under /export/.
var exportFormats = []exportFormat{
	{"network.graphml", "application/graphml+xml; charset=utf-8", network.WriteGraphML, false},
	{"network.gexf", "application/gexf+xml; charset=utf-8", network.WriteGEXF, false},
	{"network.json", "application/json", network.WriteJSON, false},
	{"network-nodes.csv", csvContentType, network.WriteNodesCSV, true},
	{"network-edges.csv", csvContentType, network.WriteEdgesCSV, true},
}

// exportNetwork serves /export/<name> in one format: the partnership network the query
// parameters select (NetworkFilter's fields), as the caller may see it. A bad parameter
// is a 400 saying which and why.
func exportNetwork(res *graph.Resolver, format exportFormat, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := network.ParseQuery(r.URL.Query())
		if err != nil {
			http.Error(w, "bad filter: "+err.Error(), http.StatusBadRequest)
			return
		}
		n, err := res.NetworkExport(r.Context(), &f)
		if err != nil {
			var ve *domain.ValidationError
			if errors.As(err, &ve) {
				http.Error(w, "bad filter: "+ve.Error(), http.StatusBadRequest)
				return
			}
			log.ErrorContext(r.Context(), "network export failed", "err", err)
			http.Error(w, "the network is not available right now; try again shortly", http.StatusServiceUnavailable)
			return
		}
		if format.stream {
			w.Header().Set("Content-Type", format.contentType)
			w.Header().Set("Content-Disposition", `attachment; filename="`+format.name+`"`)
			if err := format.write(w, n); err != nil {
				log.DebugContext(r.Context(), "network export ended early", "err", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := format.write(&buf, n); err != nil {
			log.ErrorContext(r.Context(), "network export failed", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", format.contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+format.name+`"`)
		_, _ = buf.WriteTo(w)
	})
}

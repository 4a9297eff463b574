package network

import (
	"io"
	"strconv"

	"github.com/participation-graph/participation-graph/internal/csvout"
)

// WriteNodesCSV writes n's nodes as the nodes table of Gephi's spreadsheet import:
// Id and Label first, then kind and the metrics, one row per node.
func WriteNodesCSV(w io.Writer, n *Network) error {
	cw, err := csvout.New(w, "Id", "Label", "kind", "degree", "weightedDegree", "betweenness", "component")
	if err != nil {
		return err
	}
	for _, x := range n.Nodes {
		if err := cw.Row(x.ID, csvout.Text(x.Label), string(x.Kind), strconv.Itoa(x.Degree), strconv.Itoa(x.WeightedDegree),
			strconv.FormatFloat(x.Betweenness, 'g', -1, 64), strconv.Itoa(x.Component)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteEdgesCSV writes n's edges as the edges table of Gephi's spreadsheet import:
// Source (the museum), Target (the community), Type (Undirected), Id (the partnership),
// Label (its title) and Weight first, then status, dates and maxLevel (empty when unknown),
// one row per partnership.
func WriteEdgesCSV(w io.Writer, n *Network) error {
	cw, err := csvout.New(w, "Source", "Target", "Type", "Id", "Label", "Weight", "status", "startDate", "endDate", "maxLevel")
	if err != nil {
		return err
	}
	for _, e := range n.Edges {
		v := edgeValues(e)
		opt := func(name string) string {
			if v[name] == nil {
				return ""
			}
			return text(v[name])
		}
		if err := cw.Row(e.Source, e.Target, "Undirected", e.ID, csvout.Text(e.Title), strconv.Itoa(e.Weight),
			string(e.Status), opt("startDate"), opt("endDate"), opt("maxLevel")); err != nil {
			return err
		}
	}
	return cw.Flush()
}

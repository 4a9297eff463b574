package network

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"strconv"
)

// Every export carries the same attributes: node and edge ids are the API's ids.
type attr struct {
	name, kind string // kind: string, int or double
}

var (
	nodeAttrs = []attr{{"kind", "string"}, {"label", "string"}, {"degree", "int"}, {"weightedDegree", "int"},
		{"betweenness", "double"}, {"component", "int"}}
	edgeAttrs = []attr{{"label", "string"}, {"status", "string"}, {"weight", "int"}, {"startDate", "string"},
		{"endDate", "string"}, {"maxLevel", "string"}}
)

// values are a node's or edge's attribute values by name; a missing value is nil.
type values map[string]any

func nodeValues(n *Node) values {
	return values{"kind": string(n.Kind), "label": n.Label, "degree": n.Degree, "weightedDegree": n.WeightedDegree,
		"betweenness": n.Betweenness, "component": n.Component}
}

func edgeValues(e *Edge) values {
	vals := values{"label": e.Title, "status": string(e.Status), "weight": e.Weight, "startDate": nil, "endDate": nil, "maxLevel": nil}
	if e.StartDate != nil {
		vals["startDate"] = string(*e.StartDate)
	}
	if e.EndDate != nil {
		vals["endDate"] = string(*e.EndDate)
	}
	if e.MaxLevel != nil {
		vals["maxLevel"] = string(*e.MaxLevel)
	}
	return vals
}

func text(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case int:
		return strconv.Itoa(v)
	}
	return v.(string)
}

// multigraph reports whether two edges join the same museum and community.
func multigraph(n *Network) bool {
	seen := make(map[[2]string]bool, len(n.Edges))
	for _, e := range n.Edges {
		k := [2]string{e.Source, e.Target}
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

type graphML struct {
	XMLName xml.Name     `xml:"graphml"`
	NS      string       `xml:"xmlns,attr"`
	Keys    []graphMLKey `xml:"key"`
	Graph   struct {
		ID          string        `xml:"id,attr"`
		EdgeDefault string        `xml:"edgedefault,attr"`
		Nodes       []graphMLNode `xml:"node"`
		Edges       []graphMLEdge `xml:"edge"`
	} `xml:"graph"`
}

type graphMLKey struct {
	ID   string `xml:"id,attr"`
	For  string `xml:"for,attr"`
	Name string `xml:"attr.name,attr"`
	Type string `xml:"attr.type,attr"`
}

type graphMLNode struct {
	ID   string         `xml:"id,attr"`
	Data []graphMLDatum `xml:"data"`
}

type graphMLEdge struct {
	ID     string         `xml:"id,attr"`
	Source string         `xml:"source,attr"`
	Target string         `xml:"target,attr"`
	Data   []graphMLDatum `xml:"data"`
}

type graphMLDatum struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func graphMLData(prefix string, attrs []attr, vals values) []graphMLDatum {
	var out []graphMLDatum
	for _, a := range attrs {
		if v := vals[a.name]; v != nil {
			out = append(out, graphMLDatum{Key: prefix + a.name, Value: text(v)})
		}
	}
	return out
}

// WriteGraphML writes n as GraphML: an undirected graph whose node and edge attributes
// are declared as <key>s (node keys "n_…", edge keys "e_…"); a missing value (an open end
// date, no level) is left out. Errors are w's.
func WriteGraphML(w io.Writer, n *Network) error {
	var doc graphML
	doc.NS = "http://graphml.graphdrawing.org/xmlns"
	for _, a := range nodeAttrs {
		doc.Keys = append(doc.Keys, graphMLKey{ID: "n_" + a.name, For: "node", Name: a.name, Type: a.kind})
	}
	for _, a := range edgeAttrs {
		doc.Keys = append(doc.Keys, graphMLKey{ID: "e_" + a.name, For: "edge", Name: a.name, Type: a.kind})
	}
	doc.Graph.ID, doc.Graph.EdgeDefault = "partnerships", "undirected"
	for _, x := range n.Nodes {
		doc.Graph.Nodes = append(doc.Graph.Nodes, graphMLNode{ID: x.ID, Data: graphMLData("n_", nodeAttrs, nodeValues(x))})
	}
	for _, e := range n.Edges {
		doc.Graph.Edges = append(doc.Graph.Edges, graphMLEdge{ID: e.ID, Source: e.Source, Target: e.Target,
			Data: graphMLData("e_", edgeAttrs, edgeValues(e))})
	}
	return writeXML(w, doc)
}

type gexf struct {
	XMLName xml.Name `xml:"gexf"`
	NS      string   `xml:"xmlns,attr"`
	Version string   `xml:"version,attr"`
	Meta    struct {
		Creator     string `xml:"creator"`
		Description string `xml:"description"`
	} `xml:"meta"`
	Graph struct {
		DefaultEdgeType string           `xml:"defaultedgetype,attr"`
		Mode            string           `xml:"mode,attr"`
		Attributes      []gexfAttributes `xml:"attributes"`
		Nodes           []gexfNode       `xml:"nodes>node"`
		Edges           []gexfEdge       `xml:"edges>edge"`
	} `xml:"graph"`
}

type gexfAttributes struct {
	Class string          `xml:"class,attr"`
	Attrs []gexfAttribute `xml:"attribute"`
}

type gexfAttribute struct {
	ID    string `xml:"id,attr"`
	Title string `xml:"title,attr"`
	Type  string `xml:"type,attr"`
}

type gexfNode struct {
	ID     string      `xml:"id,attr"`
	Label  string      `xml:"label,attr"`
	Values []gexfValue `xml:"attvalues>attvalue"`
}

type gexfEdge struct {
	ID     string      `xml:"id,attr"`
	Source string      `xml:"source,attr"`
	Target string      `xml:"target,attr"`
	Label  string      `xml:"label,attr,omitempty"`
	Weight int         `xml:"weight,attr"`
	Values []gexfValue `xml:"attvalues>attvalue"`
}

type gexfValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

// gexfTypes are GEXF's names of the attribute kinds.
var gexfTypes = map[string]string{"string": "string", "int": "integer", "double": "double"}

func gexfDeclare(class string, attrs []attr) gexfAttributes {
	out := gexfAttributes{Class: class}
	for _, a := range attrs {
		out.Attrs = append(out.Attrs, gexfAttribute{ID: a.name, Title: a.name, Type: gexfTypes[a.kind]})
	}
	return out
}

func gexfValues(attrs []attr, vals values) []gexfValue {
	var out []gexfValue
	for _, a := range attrs {
		if v := vals[a.name]; v != nil {
			out = append(out, gexfValue{For: a.name, Value: text(v)})
		}
	}
	return out
}

// WriteGEXF writes n as GEXF 1.3: a static undirected graph with declared node and edge
// attributes. Node and edge labels are GEXF's own label attributes, an edge's weight its
// own weight attribute; the other attributes are attvalues. Errors are w's.
func WriteGEXF(w io.Writer, n *Network) error {
	var doc gexf
	doc.NS, doc.Version = "http://gexf.net/1.3", "1.3"
	doc.Meta.Creator = "Participation Graph"
	doc.Meta.Description = "Partnership network: museums and communities as nodes, partnerships as edges"
	doc.Graph.DefaultEdgeType, doc.Graph.Mode = "undirected", "static"
	var nodeOwn, edgeOwn []attr // the attributes that are not GEXF's own
	for _, a := range nodeAttrs {
		if a.name != "label" {
			nodeOwn = append(nodeOwn, a)
		}
	}
	for _, a := range edgeAttrs {
		if a.name != "label" && a.name != "weight" {
			edgeOwn = append(edgeOwn, a)
		}
	}
	doc.Graph.Attributes = []gexfAttributes{gexfDeclare("node", nodeOwn), gexfDeclare("edge", edgeOwn)}
	for _, x := range n.Nodes {
		doc.Graph.Nodes = append(doc.Graph.Nodes, gexfNode{ID: x.ID, Label: x.Label, Values: gexfValues(nodeOwn, nodeValues(x))})
	}
	for _, e := range n.Edges {
		doc.Graph.Edges = append(doc.Graph.Edges, gexfEdge{ID: e.ID, Source: e.Source, Target: e.Target, Label: e.Title,
			Weight: e.Weight, Values: gexfValues(edgeOwn, edgeValues(e))})
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// WriteJSON writes n as node-link JSON, the form NetworkX's node_link_graph reads
// (directed, multigraph, graph, nodes, edges; in NetworkX before 3.4 pass
// link="edges"). Each node has its id and attributes; each edge its source, target, id and
// attributes (null for a missing value). It is a multigraph, with each edge's id as its
// key, only when two partnerships join the same museum and community. Errors are w's.
func WriteJSON(w io.Writer, n *Network) error {
	multi := multigraph(n)
	nodes := make([]values, len(n.Nodes))
	for i, x := range n.Nodes {
		m := nodeValues(x)
		m["id"] = x.ID
		nodes[i] = m
	}
	edges := make([]values, len(n.Edges))
	for i, e := range n.Edges {
		m := edgeValues(e)
		m["source"], m["target"], m["id"] = e.Source, e.Target, e.ID
		if multi {
			m["key"] = e.ID
		}
		edges[i] = m
	}
	return json.NewEncoder(w).Encode(map[string]any{
		"directed":   false,
		"multigraph": multi,
		"graph":      map[string]any{"name": "Participation Graph partnership network"},
		"nodes":      nodes,
		"edges":      edges,
	})
}

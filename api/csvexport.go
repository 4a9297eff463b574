package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/participation-graph/participation-graph/domain"
	"github.com/participation-graph/participation-graph/graph"
	"github.com/participation-graph/participation-graph/internal/csvout"
	"github.com/participation-graph/participation-graph/loader"
	"github.com/participation-graph/participation-graph/network"
	"github.com/participation-graph/participation-graph/store"
)

// csvContentType is the media type of the CSV exports (RFC 4180 with its header
// parameter, RFC 7111), in UTF-8.
const csvContentType = "text/csv; charset=utf-8; header=present"

// eventColumns are the columns of /export/decision-events.csv. Nothing personal: people
// appear only as counts.
var eventColumns = []string{"id", "title", "kind", "occurredAt", "museumId", "museumName", "partnershipId",
	"communityIds", "communityNames", "outcomeCodes", "participationLevel", "assessedRung", "empowermentGap",
	"communityParticipantCount", "staffParticipantCount", "decisionCount", "adoptedCount", "amendedCount",
	"rejectedCount", "deferredCount", "implementedCount", "visibility", "sample"}

// eventPage is how many events the decision-event export reads at a time: the largest
// page a list serves.
const eventPage = 100

// exportEvents serves /export/decision-events.csv: one row per decision event that
// decisionEvents would list with the filter the query parameters give (see
// network.ParseEventQuery), as the caller may see them, newest first. It reads the list
// a page at a time through the same store call as decisionEvents and writes each page out
// before reading the next, so an export of any size holds one page in memory; each page
// has the request time limit, for reading it and for the client to take it. A bad
// parameter is a 400 saying which and why.
func exportEvents(s *store.Store, limit time.Duration, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := network.ParseEventQuery(r.URL.Query())
		if err != nil {
			http.Error(w, "bad filter: "+err.Error(), http.StatusBadRequest)
			return
		}
		ctx := loader.With(r.Context(), loader.New(s))
		rc := http.NewResponseController(w)
		var out *csvout.Writer
		var after *string
		for {
			pctx, cancel := context.WithTimeout(ctx, limit)
			rows, next, err := eventRows(pctx, s, &f, after)
			cancel()
			if err != nil {
				if out == nil {
					exportFailed(w, r, log, err)
				} else {
					// The status is sent: ending the body early is all that is left, and a
					// client reading the CSV sees a truncated last line or none.
					log.ErrorContext(r.Context(), "decision-event export failed mid-way", "err", err)
					_ = rc.Flush()
				}
				return
			}
			_ = rc.SetWriteDeadline(time.Now().Add(limit))
			if out == nil {
				w.Header().Set("Content-Type", csvContentType)
				w.Header().Set("Content-Disposition", `attachment; filename="decision-events.csv"`)
				if out, err = csvout.New(w, eventColumns...); err != nil {
					return
				}
			}
			for _, row := range rows {
				if err := out.Row(row...); err != nil {
					return // the client went away
				}
			}
			if err := out.Flush(); err != nil || next == nil {
				return
			}
			after = next
		}
	})
}

// eventRows reads the page of events after the cursor and returns their rows and the
// cursor of the next page (nil after the last).
func eventRows(ctx context.Context, s *store.Store, f *domain.DecisionEventFilter, after *string) ([][]string, *string, error) {
	n := eventPage
	// The list call of decisionEvents, without priming the request's loaders with the
	// events, which would keep every row of the export in memory to its end; the loaders
	// keep only the museums, communities and outcomes the rows name.
	page, err := s.Events.List(ctx, f, nil, store.PageArgs{First: &n, After: after})
	if err != nil {
		return nil, nil, err
	}
	events := page.Nodes()
	var museumIDs, communityIDs, outcomeIDs []string
	for _, e := range events {
		museumIDs = append(museumIDs, e.MuseumID)
		communityIDs = append(communityIDs, e.CommunityIDs...)
		outcomeIDs = append(outcomeIDs, e.OutcomeIDs...)
	}
	l := loader.For(ctx)
	museums, err := lookup(ctx, l.Museum, museumIDs, func(m *domain.Museum) string { return m.Name })
	if err != nil {
		return nil, nil, err
	}
	communities, err := lookup(ctx, l.Community, communityIDs, func(c *domain.Community) string { return c.Name })
	if err != nil {
		return nil, nil, err
	}
	outcomes, err := lookup(ctx, l.Outcome, outcomeIDs, func(o *domain.Outcome) string { return o.Code })
	if err != nil {
		return nil, nil, err
	}
	rows := make([][]string, len(events))
	for i, e := range events {
		results := map[domain.DecisionResult]int{}
		for _, d := range e.Decisions {
			results[d.Result]++
		}
		var partnership, rung string
		if e.PartnershipID != nil {
			partnership = *e.PartnershipID
		}
		if e.AssessedRung != nil {
			rung = string(*e.AssessedRung)
		}
		var names, codes []string
		for _, id := range e.CommunityIDs {
			names = append(names, csvout.Text(communities[id]))
		}
		for _, id := range e.OutcomeIDs {
			codes = append(codes, outcomes[id])
		}
		rows[i] = []string{e.ID, csvout.Text(e.Title), string(e.Kind), e.OccurredAt.UTC().Format(time.RFC3339Nano),
			e.MuseumID, csvout.Text(museums[e.MuseumID]), partnership,
			strings.Join(e.CommunityIDs, ";"), strings.Join(names, ";"), strings.Join(codes, ";"),
			string(e.ParticipationLevel), rung, strconv.FormatBool(e.EmpowermentGap),
			strconv.Itoa(e.CommunityParticipantCount), strconv.Itoa(e.StaffParticipantCount),
			strconv.Itoa(e.DecisionCount), strconv.Itoa(results["ADOPTED"]), strconv.Itoa(results["AMENDED"]),
			strconv.Itoa(results["REJECTED"]), strconv.Itoa(results["DEFERRED"]), strconv.Itoa(e.ImplementedCount),
			string(e.Visibility), strconv.FormatBool(e.Sample)}
	}
	var next *string
	if page.PageInfo().HasNextPage {
		next = page.PageInfo().EndCursor
	}
	return rows, next, nil
}

// lookup loads the records of ids in one batch and returns what of each the export
// shows; a record that is not found (or not visible) shows as empty.
func lookup[T any](ctx context.Context, l *loader.Loader[string, *T], ids []string, show func(*T) string) (map[string]string, error) {
	ids = domain.Unique(ids)
	recs, errs := l.LoadEach(ctx, ids)
	out := make(map[string]string, len(ids))
	for i, id := range ids {
		switch err := errs[i]; {
		case errors.Is(err, domain.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out[id] = show(recs[i])
		}
	}
	return out, nil
}

// summaryColumns are the columns of /export/summary.csv; the level counts follow.
var summaryColumns = []string{"key", "label", "eventCount", "decisionCount", "implementedCount",
	"communityParticipants", "agencyShare", "empowermentGapCount"}

// exportSummary serves /export/summary.csv: participationSummary's buckets, one row each,
// for the groupBy dimension and the decision-event filter the other query parameters
// give, as the caller may see them. A bad parameter is a 400 saying which and why.
func exportSummary(res *graph.Resolver, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var by network.Dimension
		if err := by.UnmarshalGQL(q.Get("groupBy")); err != nil || len(q["groupBy"]) != 1 {
			http.Error(w, "bad filter: groupBy: give one of MUSEUM, COMMUNITY, YEAR, LEVEL, OUTCOME, KIND", http.StatusBadRequest)
			return
		}
		filter := url.Values{}
		for k, v := range q {
			if k != "groupBy" {
				filter[k] = v
			}
		}
		f, err := network.ParseEventQuery(filter)
		if err != nil {
			http.Error(w, "bad filter: "+err.Error(), http.StatusBadRequest)
			return
		}
		buckets, err := res.SummaryExport(r.Context(), &f, by)
		if err != nil {
			exportFailed(w, r, log, err)
			return
		}
		header := summaryColumns
		for _, l := range domain.ParticipationLevels {
			header = append(header[:len(header):len(header)], "level"+string(l))
		}
		w.Header().Set("Content-Type", csvContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="summary-`+strings.ToLower(string(by))+`.csv"`)
		out, err := csvout.New(w, header...)
		if err != nil {
			return
		}
		for _, b := range buckets {
			row := []string{b.Key, csvout.Text(b.Label), strconv.Itoa(b.EventCount), strconv.Itoa(b.DecisionCount),
				strconv.Itoa(b.ImplementedCount), strconv.Itoa(b.CommunityParticipants),
				strconv.FormatFloat(b.AgencyShare, 'g', -1, 64), strconv.Itoa(b.EmpowermentGapCount)}
			counts := map[domain.ParticipationLevel]int{}
			for _, lc := range b.Levels {
				counts[lc.Level] = lc.Count
			}
			for _, l := range domain.ParticipationLevels {
				row = append(row, strconv.Itoa(counts[l]))
			}
			if err := out.Row(row...); err != nil {
				return
			}
		}
		_ = out.Flush()
	})
}

// exportFailed answers an export that failed before its first byte: 400 for a filter the
// store refuses, 503 otherwise (the details are logged, never sent).
func exportFailed(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var ve *domain.ValidationError
	var ie *domain.InputError
	switch {
	case errors.As(err, &ve):
		http.Error(w, "bad filter: "+ve.Error(), http.StatusBadRequest)
	case errors.As(err, &ie):
		http.Error(w, "bad filter: "+ie.Error(), http.StatusBadRequest)
	default:
		log.ErrorContext(r.Context(), "export failed", "path", r.URL.Path, "err", err)
		http.Error(w, "the export is not available right now; try again shortly", http.StatusServiceUnavailable)
	}
}

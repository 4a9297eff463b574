package network

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/participation-graph/participation-graph/domain"
)

// eventParams are the query parameters ParseEventQuery reads: DecisionEventFilter's fields.
var eventParams = []string{"museumId", "communityId", "partnershipId", "kinds", "levels", "minLevel", "rungs",
	"occurredAfter", "occurredBefore", "outcomeCodes", "empowermentGap", "assessed", "visibility", "search",
	"sample", "includeArchived"}

// ParseEventQuery reads a decision-event filter from URL query parameters named as
// DecisionEventFilter's fields: museumId, communityId, partnershipId, search (one value
// each); kinds, levels, rungs, outcomeCodes (repeated, or comma-separated); minLevel and
// visibility (an enum value); occurredAfter, occurredBefore (RFC 3339 instants); and
// empowermentGap, assessed, sample, includeArchived (true or false). Enum values are
// checked as GraphQL checks them. An unknown parameter or a bad value is an error whose
// message says which and why.
func ParseEventQuery(q url.Values) (domain.DecisionEventFilter, error) {
	var f domain.DecisionEventFilter
	for _, name := range slices.Sorted(maps.Keys(q)) {
		vals := q[name]
		var err error
		switch name {
		case "museumId":
			f.MuseumID, err = single(name, vals)
		case "communityId":
			f.CommunityID, err = single(name, vals)
		case "partnershipId":
			f.PartnershipID, err = single(name, vals)
		case "search":
			f.Search, err = single(name, vals)
		case "kinds":
			f.Kinds, err = enumList[domain.DecisionEventKind](name, vals)
		case "levels":
			f.Levels, err = enumList[domain.ParticipationLevel](name, vals)
		case "rungs":
			f.Rungs, err = enumList[domain.ArnsteinRung](name, vals)
		case "outcomeCodes":
			f.OutcomeCodes = listParam(vals)
		case "minLevel":
			f.MinLevel, err = enumParam[domain.ParticipationLevel](name, vals)
		case "visibility":
			f.Visibility, err = enumParam[domain.Visibility](name, vals)
		case "occurredAfter":
			f.OccurredAfter, err = timeParam(name, vals)
		case "occurredBefore":
			f.OccurredBefore, err = timeParam(name, vals)
		case "empowermentGap":
			f.EmpowermentGap, err = boolParam(name, vals)
		case "assessed":
			f.Assessed, err = boolParam(name, vals)
		case "sample":
			f.Sample, err = boolParam(name, vals)
		case "includeArchived":
			f.IncludeArchived, err = boolParam(name, vals)
		default:
			err = fmt.Errorf("unknown parameter %q; the filters are %v", name, eventParams)
		}
		if err != nil {
			return domain.DecisionEventFilter{}, err
		}
	}
	return f, nil
}

// unmarshaler is a pointer to a store enum, which GraphQL reads with UnmarshalGQL.
type unmarshaler[E any] interface {
	*E
	UnmarshalGQL(v any) error
}

// enumValue reads one enum value as GraphQL would, so that both refuse the same values
// with the same message.
func enumValue[E ~string, P unmarshaler[E]](name, s string) (E, error) {
	var e E
	if err := P(&e).UnmarshalGQL(s); err != nil {
		return e, fmt.Errorf("%s: %w", name, err)
	}
	return e, nil
}

func enumParam[E ~string, P unmarshaler[E]](name string, vals []string) (*E, error) {
	s, err := single(name, vals)
	if err != nil {
		return nil, err
	}
	e, err := enumValue[E, P](name, *s)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func enumList[E ~string, P unmarshaler[E]](name string, vals []string) ([]E, error) {
	var out []E
	for _, s := range listParam(vals) {
		e, err := enumValue[E, P](name, s)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func timeParam(name string, vals []string) (*time.Time, error) {
	s, err := single(name, vals)
	if err != nil {
		return nil, err
	}
	t, err := domain.UnmarshalDateTime(*s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &t, nil
}

func boolParam(name string, vals []string) (*bool, error) {
	s, err := single(name, vals)
	if err != nil {
		return nil, err
	}
	b, err := strconv.ParseBool(*s)
	if err != nil {
		return nil, fmt.Errorf("%s: %q is not true or false", name, *s)
	}
	return &b, nil
}

package domain

import (
	"time"
)

// Derive fills the event's derived fields (participant and decision counts, level and
// rung ranks, empowerment gap) from its own data, as every write does. It is for events
// built in memory and never stored, such as generated sample data used in benchmarks.
func (e *DecisionEvent) Derive() { e.derive() }

// Meta holds the fields the store maintains on every record.
type Meta struct {
	ID         string     `bson:"_id"`
	Version    int        `bson:"version"`
	CreatedAt  time.Time  `bson:"createdAt"`
	UpdatedAt  time.Time  `bson:"updatedAt"`
	Archived   bool       `bson:"archived"`
	ArchivedAt *time.Time `bson:"archivedAt,omitempty"`
	// Sample marks the fictional sample data, never real records.
	Sample bool `bson:"sample"`
}

func (m *Meta) Base() *Meta { return m }

// IsNode marks every record as a GraphQL Node.
func (Meta) IsNode() {}

// IsRecord marks every record as a GraphQL Record.
func (Meta) IsRecord() {}

// GetID returns the record's id.
func (m Meta) GetID() string { return m.ID }

// GetVersion returns the record's version.
func (m Meta) GetVersion() int { return m.Version }

// GetCreatedAt returns when the record was created.
func (m Meta) GetCreatedAt() time.Time { return m.CreatedAt }

// GetUpdatedAt returns when the record last changed.
func (m Meta) GetUpdatedAt() time.Time { return m.UpdatedAt }

// GetArchived reports whether the record is archived.
func (m Meta) GetArchived() bool { return m.Archived }

// GetArchivedAt returns when the record was archived, or nil.
func (m Meta) GetArchivedAt() *time.Time { return m.ArchivedAt }

// GetSample reports whether the record is sample data.
func (m Meta) GetSample() bool { return m.Sample }

// Programme is a funded programme of work, such as Our Museum.
type Programme struct {
	Meta        `bson:",inline"`
	Name        string  `bson:"name"`
	Description *string `bson:"description,omitempty"`
	Funder      *string `bson:"funder,omitempty"`
	Website     *string `bson:"website,omitempty"`
	StartDate   *Date   `bson:"startDate,omitempty"`
	EndDate     *Date   `bson:"endDate,omitempty"`
	// SortStart is StartDate, or "" when unknown, so that ordering by start date can page.
	SortStart string `bson:"sortStart"`
}

// Outcome is one outcome a programme judged success by.
type Outcome struct {
	Meta        `bson:",inline"`
	ProgrammeID string  `bson:"programmeId"`
	Number      int     `bson:"number"`
	Code        string  `bson:"code"`
	Title       string  `bson:"title"`
	Description *string `bson:"description,omitempty"`
	Source      *string `bson:"source,omitempty"`
}

// ProgrammeMembership is a museum's membership of a programme.
type ProgrammeMembership struct {
	Meta        `bson:",inline"`
	ProgrammeID string `bson:"programmeId"`
	MuseumID    string `bson:"museumId"`
	StartDate   Date   `bson:"startDate"`
	EndDate     *Date  `bson:"endDate,omitempty"`
}

// Museum is a museum, gallery, archive or museum service.
type Museum struct {
	Meta        `bson:",inline"`
	Name        string           `bson:"name"`
	Kind        OrganisationKind `bson:"kind"`
	Description *string          `bson:"description,omitempty"`
	City        *string          `bson:"city,omitempty"`
	Region      *string          `bson:"region,omitempty"`
	Country     *string          `bson:"country,omitempty"`
	Website     *string          `bson:"website,omitempty"`
	ParentID    *string          `bson:"parentId,omitempty"`
}

// Community is a community a museum works with.
type Community struct {
	Meta        `bson:",inline"`
	Name        string        `bson:"name"`
	Kind        CommunityKind `bson:"kind"`
	Description *string       `bson:"description,omitempty"`
	Area        *string       `bson:"area,omitempty"`
}

// Consent is what a person has agreed to.
type Consent struct {
	RecordParticipation bool       `bson:"recordParticipation"`
	PublishName         bool       `bson:"publishName"`
	Contact             bool       `bson:"contact"`
	GivenAt             *time.Time `bson:"givenAt,omitempty"`
	WithdrawnAt         *time.Time `bson:"withdrawnAt,omitempty"`
}

// Person is a community member or member of staff. DisplayName and Email are personal data:
// the API shows them only to callers allowed to see them.
type Person struct {
	Meta        `bson:",inline"`
	Pseudonym   string     `bson:"pseudonym"`
	DisplayName *string    `bson:"displayName,omitempty"`
	Email       *string    `bson:"email,omitempty"`
	CommunityID *string    `bson:"communityId,omitempty"`
	Consent     Consent    `bson:"consent"`
	Erased      bool       `bson:"erased"`
	ErasedAt    *time.Time `bson:"erasedAt,omitempty"`
}

// PersonNotPersonal names the stored fields of a person that are never personal data,
// which is what a person is reduced to wherever no caller's rights apply (webhook
// payloads). A field added to Person later is personal until it is listed here.
var PersonNotPersonal = map[string]bool{"_id": true, "version": true, "createdAt": true, "updatedAt": true, "archived": true,
	"archivedAt": true, "sample": true, "pseudonym": true, "communityId": true, "erased": true, "erasedAt": true}

// Partnership is a museum working with a community.
type Partnership struct {
	Meta               `bson:",inline"`
	Title              string              `bson:"title"`
	MuseumID           string              `bson:"museumId"`
	CommunityID        string              `bson:"communityId"`
	Purpose            *string             `bson:"purpose,omitempty"`
	Status             PartnershipStatus   `bson:"status"`
	StartDate          *Date               `bson:"startDate,omitempty"`
	EndDate            *Date               `bson:"endDate,omitempty"`
	ParticipationModel *ParticipationModel `bson:"participationModel,omitempty"`
	ProgrammeID        *string             `bson:"programmeId,omitempty"`
	OutcomeIDs         []string            `bson:"outcomeIds"`
	// SortStart is StartDate, or "" when unknown, so that ordering by start date can page
	// with a cursor (a missing field cannot be compared).
	SortStart string `bson:"sortStart"`
}

// Participant is someone who took part in a decision event.
type Participant struct {
	PersonID    *string         `bson:"personId,omitempty"`
	CommunityID *string         `bson:"communityId,omitempty"`
	Role        ParticipantRole `bson:"role"`
}

// Decision is one decision taken at an event.
type Decision struct {
	Text               string         `bson:"text"`
	DecidedBy          DecidedBy      `bson:"decidedBy"`
	Result             DecisionResult `bson:"result"`
	Implemented        *bool          `bson:"implemented,omitempty"`
	ImplementationNote *string        `bson:"implementationNote,omitempty"`
}

// Evidence is evidence of what happened at an event.
type Evidence struct {
	Kind  EvidenceKind `bson:"kind"`
	Title string       `bson:"title"`
	URL   *string      `bson:"url,omitempty"`
	Note  *string      `bson:"note,omitempty"`
}

// DecisionEvent is a meeting, panel, session or vote where decisions were taken. The
// counts, ranks and empowerment gap are derived by the store on every write, so that the
// database can filter and sort on them.
type DecisionEvent struct {
	Meta                           `bson:",inline"`
	Title                          string             `bson:"title"`
	Description                    *string            `bson:"description,omitempty"`
	Kind                           DecisionEventKind  `bson:"kind"`
	OccurredAt                     time.Time          `bson:"occurredAt"`
	MuseumID                       string             `bson:"museumId"`
	PartnershipID                  *string            `bson:"partnershipId,omitempty"`
	CommunityIDs                   []string           `bson:"communityIds"`
	ParticipationLevel             ParticipationLevel `bson:"participationLevel"`
	AssessedRung                   *ArnsteinRung      `bson:"assessedRung,omitempty"`
	Participants                   []Participant      `bson:"participants"`
	AnonymousCommunityParticipants int                `bson:"anonymousCommunityParticipants"`
	AnonymousStaffParticipants     int                `bson:"anonymousStaffParticipants"`
	Decisions                      []Decision         `bson:"decisions"`
	OutcomeIDs                     []string           `bson:"outcomeIds"`
	Evidence                       []Evidence         `bson:"evidence"`
	Visibility                     Visibility         `bson:"visibility"`

	CommunityParticipantCount int  `bson:"communityParticipantCount"`
	StaffParticipantCount     int  `bson:"staffParticipantCount"`
	DecisionCount             int  `bson:"decisionCount"`
	ImplementedCount          int  `bson:"implementedCount"`
	LevelRank                 int  `bson:"levelRank"`
	RungRank                  int  `bson:"rungRank"`
	EmpowermentGap            bool `bson:"empowermentGap"`
}

// derive recomputes the event's derived fields from its own data.
func (e *DecisionEvent) derive() {
	e.CommunityParticipantCount, e.StaffParticipantCount = e.AnonymousCommunityParticipants, e.AnonymousStaffParticipants
	for _, p := range e.Participants {
		if p.Role.Community() {
			e.CommunityParticipantCount++
		} else {
			e.StaffParticipantCount++
		}
	}
	e.DecisionCount, e.ImplementedCount = len(e.Decisions), 0
	for _, d := range e.Decisions {
		if d.Implemented != nil && *d.Implemented {
			e.ImplementedCount++
		}
	}
	e.LevelRank = e.ParticipationLevel.Rank()
	e.RungRank = 0
	var rung ArnsteinRung
	if e.AssessedRung != nil {
		rung = *e.AssessedRung
		e.RungRank = rung.Rank()
	}
	e.EmpowermentGap = EmpowermentGap(e.ParticipationLevel, rung)
}

// Activity is a capability-building activity.
type Activity struct {
	Meta             `bson:",inline"`
	Kind             ActivityKind `bson:"kind"`
	Title            string       `bson:"title"`
	Description      *string      `bson:"description,omitempty"`
	MuseumID         string       `bson:"museumId"`
	PartnershipID    *string      `bson:"partnershipId,omitempty"`
	StartDate        Date         `bson:"startDate"`
	EndDate          *Date        `bson:"endDate,omitempty"`
	ParticipantCount *int         `bson:"participantCount,omitempty"`
	Hours            *float64     `bson:"hours,omitempty"`
	Skills           []string     `bson:"skills"`
	// SkillKeys holds the skills in lower case, for case-insensitive equality filters.
	SkillKeys  []string `bson:"skillKeys"`
	OutcomeIDs []string `bson:"outcomeIds"`
}

// Reflection is a piece of reflective practice.
type Reflection struct {
	Meta             `bson:",inline"`
	MuseumID         string           `bson:"museumId"`
	PartnershipID    *string          `bson:"partnershipId,omitempty"`
	DecisionEventID  *string          `bson:"decisionEventId,omitempty"`
	Author           ReflectionAuthor `bson:"author"`
	WrittenOn        Date             `bson:"writtenOn"`
	Text             string           `bson:"text"`
	ChallengesRaised []string         `bson:"challengesRaised"`
	ChangesAgreed    []string         `bson:"changesAgreed"`
	Visibility       Visibility       `bson:"visibility"`
}

// Publication is a report, evaluation or study.
type Publication struct {
	Meta        `bson:",inline"`
	Title       string          `bson:"title"`
	Authors     []string        `bson:"authors"`
	Year        int             `bson:"year"`
	Kind        PublicationKind `bson:"kind"`
	URL         *string         `bson:"url,omitempty"`
	Publisher   *string         `bson:"publisher,omitempty"`
	ProgrammeID *string         `bson:"programmeId,omitempty"`
	MuseumIDs   []string        `bson:"museumIds"`
}

// Restriction returns the event's museum and whether the event is RESTRICTED.
func (e *DecisionEvent) Restriction() (museum string, restricted bool) {
	return e.MuseumID, e.Visibility == VisibilityRestricted
}

// Restriction returns the reflection's museum and whether it is RESTRICTED.
func (r *Reflection) Restriction() (museum string, restricted bool) {
	return r.MuseumID, r.Visibility == VisibilityRestricted
}

package graph

import (
	"github.com/participation-graph/participation-graph/graph/model"
	"github.com/participation-graph/participation-graph/store"
)

// maxNodes bounds how many ids one nodes() call may ask for.
const maxNodes = 100

func activityPayload(a *store.Activity) *model.ActivityPayload {
	return &model.ActivityPayload{Activity: a}
}

func eventPayload(e *store.DecisionEvent) *model.DecisionEventPayload {
	return &model.DecisionEventPayload{DecisionEvent: e}
}

func partnershipPayload(p *store.Partnership) *model.PartnershipPayload {
	return &model.PartnershipPayload{Partnership: p}
}

func reflectionPayload(r *store.Reflection) *model.ReflectionPayload {
	return &model.ReflectionPayload{Reflection: r}
}

func publicationPayload(p *store.Publication) *model.PublicationPayload {
	return &model.PublicationPayload{Publication: p}
}

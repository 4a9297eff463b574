package store

// Derive fills the event's derived fields (participant and decision counts, level and
// rung ranks, empowerment gap) from its own data, as every write does. It is for events
// built in memory and never stored, such as generated sample data used in benchmarks.
func (e *DecisionEvent) Derive() { e.derive() }

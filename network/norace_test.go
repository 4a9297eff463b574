//go:build !race

package network_test

// slowdown stretches time bounds under the race detector (see race_test.go).
const slowdown = 1

//go:build race

package network_test

// slowdown stretches time bounds under the race detector, which slows the embedded
// database and every goroutine several times over.
const slowdown = 10

// Package buildinfo says which build of the server is running: its module version, the
// version-control revision it was built from and the Go version that built it, as the Go
// toolchain recorded them in the binary. The -version flag prints it, /metrics exposes it
// as participation_build_info and traces carry it as service.version.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Info describes one build.
type Info struct {
	// Version is the main module's version: a tag such as v1.2.0, a pseudo-version
	// derived from the revision, or (devel) when the toolchain knew none.
	Version string
	// Revision is the version-control revision, with "-dirty" appended when the working
	// tree had uncommitted changes; "unknown" when the build recorded none (as with
	// -buildvcs=false).
	Revision string
	// GoVersion is the version of the Go toolchain that built the binary.
	GoVersion string
}

// Read returns the running binary's build information. It never fails: what the binary
// does not record is reported as (devel) or unknown.
func Read() Info {
	info := Info{Version: "(devel)", Revision: "unknown", GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return info
	}
	return fromBuild(bi)
}

// fromBuild extracts the build's description from what the toolchain recorded.
func fromBuild(bi *debug.BuildInfo) Info {
	info := Info{Version: bi.Main.Version, Revision: "unknown", GoVersion: bi.GoVersion}
	if info.Version == "" {
		info.Version = "(devel)"
	}
	if info.GoVersion == "" {
		info.GoVersion = runtime.Version()
	}
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if s.Value != "" {
				info.Revision = s.Value
			}
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty && info.Revision != "unknown" {
		info.Revision += "-dirty"
	}
	return info
}

// String is the one-line description -version prints.
func (i Info) String() string {
	return fmt.Sprintf("participation-graph %s (revision %s, built with %s)", i.Version, i.Revision, i.GoVersion)
}

package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"strings"

	"github.com/participation-graph/participation-graph/backup"
	"github.com/participation-graph/participation-graph/internal/progress"
	"github.com/participation-graph/participation-graph/store"
)

// backupCmd is the export or import subcommand.
type backupCmd struct {
	name  string // "export" or "import"
	dir   string
	merge bool
}

// parseBackupCmd recognises `export --out DIR` and `import DIR [--merge]` at the start of
// args. It returns the arguments left for the server's flags and the subcommand's own
// flags, or a nil command when args start with neither.
func parseBackupCmd(args []string) (*backupCmd, []string, func(*flag.FlagSet), error) {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return nil, args, nil, nil
	}
	c := &backupCmd{name: args[0]}
	args = args[1:]
	if c.name == "import" {
		switch {
		case len(args) > 0 && isHelp(args[0]):
		case len(args) == 0 || strings.HasPrefix(args[0], "-"):
			return nil, nil, nil, errors.New("import: say which backup directory to read: import DIR [--merge] (import -help)")
		default:
			c.dir, args = args[0], args[1:]
		}
		return c, args, func(fs *flag.FlagSet) {
			fs.BoolVar(&c.merge, "merge", false, "add the backup's records to a database that has records already, keeping those it has")
		}, nil
	}
	return c, args, func(fs *flag.FlagSet) {
		fs.StringVar(&c.dir, "out", "", "the new directory to write the backup to")
	}, nil
}

// run exports or imports, showing its progress on progressOut and logging what it did.
func (c *backupCmd) run(ctx context.Context, s *store.Store, log *slog.Logger, progressOut *os.File) error {
	if c.name == "export" {
		if c.dir == "" {
			return errors.New("export: say where to write the backup: export --out DIR")
		}
		p := progress.New(progressOut, "exporting documents", 0)
		m, err := backup.Export(ctx, s, c.dir, backup.Options{Progress: p})
		p.Done() // after a failure too: it shows how far the export got
		if err != nil {
			return err
		}
		n := 0
		for _, f := range m.Collections {
			n += f.Documents
		}
		log.Info("exported the database", "dir", c.dir, "database", m.Database, "collections", len(m.Collections),
			"documents", n, "feedPosition", m.FeedPosition)
		return nil
	}
	p := progress.New(progressOut, "importing documents", 0)
	res, err := backup.Import(ctx, s, c.dir, backup.Options{Merge: c.merge, Progress: p})
	p.Done()
	written, kept := 0, 0
	for name, n := range res.Written {
		written += n
		kept += res.Kept[name]
	}
	if err != nil {
		return err
	}
	log.Info("imported the backup", "dir", c.dir, "database", s.Name(), "merge", c.merge, "written", written, "keptExisting", kept)
	return nil
}

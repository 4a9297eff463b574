package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// commandInfo describes a subcommand for -help.
type commandInfo struct {
	name, synopsis, summary string
}

// commands are the subcommands, in the order -help lists them.
var commands = []commandInfo{
	{"seed", "--sample [--scale N]", "load the fictional sample data into the database, then exit"},
	{"export", "--out DIR", "write a backup of the database to a new directory"},
	{"import", "DIR [--merge]", "restore a backup into the database"},
}

// helpError is the answer to -help: the usage text, to be printed on standard output
// with success. It is flag.ErrHelp for errors.Is.
type helpError struct{ text string }

func (e *helpError) Error() string { return "help requested" }

func (e *helpError) Is(target error) bool { return target == flag.ErrHelp }

// isHelp reports whether arg asks for help, as the flag package reads it.
func isHelp(arg string) bool {
	switch strings.TrimLeft(arg, "-") {
	case "h", "help":
		return strings.HasPrefix(arg, "-")
	}
	return false
}

// writeUsage writes -help's text: for the server (cmd empty) the commands and every
// flag; for a subcommand, its own flags (own adds them to a flag set) and a pointer to
// the server's.
func writeUsage(w io.Writer, fs *flag.FlagSet, cmd string, own func(*flag.FlagSet)) {
	if cmd == "" {
		fmt.Fprintf(w, "Participation Graph: the GraphQL API of how museums and communities work together.\n\n")
		fmt.Fprintf(w, "Usage:\n  participation-graph [flags]            serve the API and the playground\n")
		fmt.Fprintf(w, "  participation-graph COMMAND [flags]    run a command and exit\n\nCommands:\n")
		for _, c := range commands {
			fmt.Fprintf(w, "  %-8s %s (%s %s)\n", c.name, c.summary, c.name, c.synopsis)
		}
		fmt.Fprintf(w, "\n`participation-graph COMMAND -help` shows a command's own flags.\n\n")
		fmt.Fprintf(w, "Flags (each overrides the environment variable named in brackets):\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		return
	}
	for _, c := range commands {
		if c.name == cmd {
			fmt.Fprintf(w, "Usage: participation-graph %s %s [flags]\n\n%s.\n", c.name, c.synopsis,
				strings.ToUpper(c.summary[:1])+c.summary[1:])
		}
	}
	if own != nil {
		mine := flag.NewFlagSet(cmd, flag.ContinueOnError)
		own(mine)
		fmt.Fprintf(w, "\nFlags:\n")
		mine.SetOutput(w)
		mine.PrintDefaults()
	}
	fmt.Fprintf(w, "\nThe server's settings choose the database and apply here too (-mongodb-uri, -mongodb-database,\n"+
		"-data-dir, -db-timeout, … and their variables); `participation-graph -help` lists them all.\n")
}

// optionalBool is an on/off setting whose default depends on another (APP_ENV), so it
// stays unset until its variable or flag gives it. As a flag it is boolean: -playground
// turns it on, -playground=false off.
type optionalBool struct {
	set, value bool
}

func (b *optionalBool) String() string {
	if b == nil || !b.set {
		return ""
	}
	return strconv.FormatBool(b.value)
}

// Set reads true or false (or 1, 0, t, f, as strconv.ParseBool does).
func (b *optionalBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("must be true or false, not %q", s)
	}
	b.set, b.value = true, v
	return nil
}

// IsBoolFlag lets the flag stand alone (-playground) for true.
func (b *optionalBool) IsBoolFlag() bool { return true }

// or returns the setting, or def when nothing set it.
func (b *optionalBool) or(def bool) bool {
	if b.set {
		return b.value
	}
	return def
}

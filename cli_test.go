package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/participation-graph/participation-graph/internal/buildinfo"
)

// runOut runs the command line args with env and returns its error and what it wrote.
func runOut(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	err = run(context.Background(), args, func(k string) string { return env[k] }, out, out)
	b, _ := os.ReadFile(out.Name())
	return string(b), err
}

func TestHelp(t *testing.T) {
	for _, c := range []struct {
		name        string
		args        []string
		want, never []string
	}{
		{"Server", []string{"-help"},
			[]string{"\n  seed     load", "\n  export   write", "\n  import   restore", "-playground\n", "-version\n", "-port string"},
			[]string{"-sample\n", "-merge\n"}},
		{"Seed", []string{"seed", "-help"}, []string{"participation-graph seed --sample", "-sample\n", "-scale int"}, []string{"-port"}},
		{"Export", []string{"export", "--help"}, []string{"participation-graph export --out DIR", "-out string"}, []string{"-port", "-merge"}},
		{"Import", []string{"import", "-h"}, []string{"participation-graph import DIR [--merge]", "-merge\n"}, []string{"-port", "-out"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := runOut(t, nil, c.args...)
			if !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("%v: %v, want the help (which exits 0)", c.args, err)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("the help lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.never {
				if strings.Contains(out, n) {
					t.Errorf("the help lists %q, which is not this command's:\n%s", n, out)
				}
			}
		})
	}
	t.Run("OneLineEach", func(t *testing.T) {
		out, _ := runOut(t, nil, "-help")
		if n := len(regexp.MustCompile(`(?m)^  (seed|export|import) +\S.*$`).FindAllString(out, -1)); n != 3 {
			t.Errorf("%d command lines, want one for each of seed, export and import:\n%s", n, out)
		}
	})
	t.Run("UnknownCommand", func(t *testing.T) {
		if _, err := runOut(t, nil, "serve"); err == nil || !strings.Contains(err.Error(), `unknown command "serve"`) {
			t.Errorf("serve: %v, want an unknown command", err)
		}
	})
}

func TestVersion(t *testing.T) {
	out, err := runOut(t, map[string]string{"PORT": "not even a port"}, "-version")
	if err != nil {
		t.Fatal(err)
	}
	b := buildinfo.Read()
	if out != b.String()+"\n" || !strings.Contains(out, b.GoVersion) || !strings.Contains(out, b.Revision) {
		t.Errorf("-version printed %q, want %q", out, b.String())
	}
}

func TestBoolFlags(t *testing.T) {
	prod := func(k string) string { return map[string]string{"APP_ENV": "production"}[k] }
	for _, c := range []struct {
		name string
		env  func(string) string
		args []string
		want bool
	}{
		{"ProductionDefault", prod, nil, false},
		{"FlagAlone", prod, []string{"-playground"}, true},
		{"FlagTrue", prod, []string{"--playground=true"}, true},
		{"FlagFalse", func(string) string { return "" }, []string{"-playground=false"}, false},
		{"FlagOverVariable", func(k string) string { return map[string]string{"PLAYGROUND": "false"}[k] }, []string{"-playground"}, true},
		{"Variable", func(k string) string { return map[string]string{"PLAYGROUND": "0"}[k] }, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := loadConfig(c.args, c.env, "", nil)
			if err != nil || cfg.Playground != c.want {
				t.Errorf("%v: playground %v, %v; want %v", c.args, cfg.Playground, err, c.want)
			}
		})
	}
	cfg, err := loadConfig([]string{"-introspection", "-field-suggestions=false", "-webhook-allow-private=false", "-app-env", "production"},
		func(string) string { return "" }, "", nil)
	if err != nil || !cfg.Introspection || cfg.Suggestions || cfg.WebhookAllowPrivate || cfg.Playground {
		t.Errorf("config %+v, %v; want introspection on and the rest off", cfg, err)
	}
	for _, c := range []struct {
		args []string
		env  map[string]string
		says string
	}{
		{[]string{"-playground=maybe"}, nil, "-playground"},
		{nil, map[string]string{"INTROSPECTION": "maybe"}, "INTROSPECTION"},
		{[]string{"-no-such-flag"}, nil, "-help"},
	} {
		if _, err := loadConfig(c.args, func(k string) string { return c.env[k] }, "", nil); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v %v: %v, want an error naming %s", c.args, c.env, err, c.says)
		}
	}
}

// TestSeedShowsProgress: seed --sample off a terminal writes one summary line of the
// records it loaded.
func TestSeedShowsProgress(t *testing.T) {
	out, err := runOut(t, map[string]string{"DATA_DIR": t.TempDir()}, "seed", "--sample", "--scale", "400")
	if err != nil {
		t.Fatal(err)
	}
	// 400 events, 20 people, 40 activities and 40 reflections.
	re := regexp.MustCompile(`(?m)^loading sample data \(records\): 500/500 in [0-9.]+m?s \([0-9,]+/s\)$`)
	if !re.MatchString(out) || strings.Contains(out, "\r") {
		t.Errorf("seed wrote\n%s\nwant one line matching %s and no carriage returns", out, re)
	}
}

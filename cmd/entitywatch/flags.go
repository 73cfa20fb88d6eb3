package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// parseInterspersed parses flags that may come before, between or after
// positional arguments ("history Inspur --format text"), returning the
// positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseFlagsOnly parses the flags of a command that takes no other
// arguments; on a stray argument it names it and prints the usage.
func parseFlagsOnly(fs *flag.FlagSet, args []string) bool {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return false // the flag package has said why
	}
	if len(pos) > 0 {
		fmt.Fprintf(fs.Output(), "entitywatch %s: unexpected argument %q (this command takes only flags)\n", fs.Name(), pos[0])
		fs.Usage()
		return false
	}
	return true
}

// common holds the flags every store command takes.
type common struct {
	db     string
	format string
}

func (c *common) register(fs *flag.FlagSet, formats string) {
	def := os.Getenv("ENTITYWATCH_DB")
	if def == "" {
		def = "entitywatch.db"
	}
	fs.StringVar(&c.db, "db", def, "database file (default $ENTITYWATCH_DB or ./entitywatch.db)")
	if formats != "" {
		fs.StringVar(&c.format, "format", "json", "output format: "+formats)
	}
}

func (c *common) checkFormat(stderr io.Writer, cmd string, allowed ...string) bool {
	for _, a := range allowed {
		if c.format == a {
			return true
		}
	}
	fmt.Fprintf(stderr, "entitywatch %s: --format must be one of %v, not %q\n", cmd, allowed, c.format)
	return false
}

func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: entitywatch %s %s\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

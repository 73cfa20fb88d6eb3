package ingest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/entitywatch/entitywatch"
)

// seeds adds every document of one extension to a fuzz corpus.
func seeds(f *testing.F, ext string) {
	for _, pattern := range []string{"../fixtures/federalregister/*" + ext, "testdata/*" + ext} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
}

// checkParse holds for any input: no panic, an error that wraps a
// sentinel, or a complete result that parses the same way twice.
func checkParse(t *testing.T, data []byte) {
	rule, err := ParseRule(bytes.NewReader(data))
	if err != nil {
		if rule != nil {
			t.Fatalf("rule returned with error %v", err)
		}
		for _, s := range []error{entitywatch.ErrMalformed, entitywatch.ErrNotARule, entitywatch.ErrUnaccounted, entitywatch.ErrUnknownDestination, entitywatch.ErrUnsupported} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no sentinel: %v", err)
	}
	for i, c := range rule.Changes {
		switch c.Action {
		case entitywatch.Add, entitywatch.Remove, entitywatch.Revise, entitywatch.Move:
		default:
			t.Fatalf("change %d: action %q", i, c.Action)
		}
		if c.CountryCode == "" || strings.TrimSpace(c.Name) == "" {
			t.Fatalf("change %d: country %q name %q", i, c.CountryCode, c.Name)
		}
	}
	again, err := ParseRule(bytes.NewReader(data))
	if err != nil || !reflect.DeepEqual(rule, again) {
		t.Fatalf("second parse differs (err %v)", err)
	}
}

func FuzzParseRuleXML(f *testing.F) {
	seeds(f, ".xml")
	f.Fuzz(checkParse)
}

func FuzzParseRuleHTML(f *testing.F) {
	seeds(f, ".html")
	f.Fuzz(checkParse)
}

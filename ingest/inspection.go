package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/entitywatch/entitywatch"
)

var summaryHeading = regexp.MustCompile(`(?s)SUMMARY:\s*(.*?)(?:\n\s*(?:DATES|EFFECTIVE DATE|ADDRESSES|FOR FURTHER INFORMATION CONTACT):|\z)`)

// InspectionCounts reads the counts a document's SUMMARY states from its
// plain text (the public inspection desk's raw_text_url, or any text with
// a "SUMMARY:" heading). ok is false when the text has no SUMMARY.
func InspectionCounts(text []byte) (counts entitywatch.SummaryCounts, ok bool) {
	m := summaryHeading.FindSubmatch(text)
	if m == nil {
		return counts, false
	}
	return summaryCounts(string(m[1]), func(string, ...any) {}), true
}

// FetchInspectionText downloads the plain text of a document on public
// inspection (raw_text_url), from the FR host only, at the download rate.
func (c *Client) FetchInspectionText(ctx context.Context, d PublicInspectionDoc) ([]byte, error) {
	c.init()
	if c.baseErr != nil {
		return nil, fmt.Errorf("fetch inspection text %s: %w", d.DocumentNumber, c.baseErr)
	}
	if d.RawTextURL == "" {
		return nil, fmt.Errorf("fetch inspection text %s: %w: no raw_text_url", d.DocumentNumber, ErrNotFound)
	}
	u, err := url.Parse(d.RawTextURL)
	if err != nil {
		return nil, fmt.Errorf("fetch inspection text %s: %w: %v", d.DocumentNumber, ErrForeignHost, err)
	}
	if err := c.allowed(u); err != nil {
		return nil, fmt.Errorf("fetch inspection text %s: %w", d.DocumentNumber, err)
	}
	body, err := c.fetch(ctx, u.String(), c.doc, "text/plain", nil)
	if err != nil {
		return nil, fmt.Errorf("fetch inspection text %s: %w", d.DocumentNumber, err)
	}
	return body, nil
}

// FetchInspectionText reads the plain text of a document on public
// inspection from the folder: the raw_text_url's path under DIR, else
// DIR/public-inspection/NUMBER.txt.
func (s DirSource) FetchInspectionText(ctx context.Context, d PublicInspectionDoc) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !documentNumber.MatchString(d.DocumentNumber) {
		return nil, fmt.Errorf("read %q: not a document number", d.DocumentNumber)
	}
	var tries []string
	if u, err := url.Parse(d.RawTextURL); err == nil && u.Path != "" {
		tries = append(tries, strings.TrimPrefix(path.Clean("/"+u.Path), "/"))
	}
	tries = append(tries, "public-inspection/"+d.DocumentNumber+".txt")
	for _, name := range tries {
		b, err := s.readFile(name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read inspection text %s: %w", d.DocumentNumber, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("read inspection text %s: %w", d.DocumentNumber, ErrNotFound)
}

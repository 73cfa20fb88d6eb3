package ingest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/entitywatch/entitywatch"
)

// DirSource reads a folder laid out like the Federal Register API instead
// of the network, for air-gapped sites, demos and tests. It has the
// Client's four methods:
//
//   - Document reads DIR/api/v1/documents/NUMBER.json, exactly the API's
//     document JSON;
//   - Search reads every DIR/api/v1/documents/*.json and keeps those
//     published in the window, oldest first (the folder is taken to hold
//     what the API's search would return: it is not filtered further);
//   - FetchText maps the URL path of full_text_xml_url onto DIR
//     (https://www.federalregister.gov/documents/full_text/xml/2025/03/28/2025-05427.xml
//     is DIR/documents/full_text/xml/2025/03/28/2025-05427.xml), then tries
//     DIR/NUMBER.xml, then body_html_url's path, then DIR/NUMBER.html;
//   - PublicInspection reads DIR/api/v1/public-inspection-documents/current.json,
//     or returns nothing when it is absent.
//
// Every file is opened through an os.Root, so no path (a URL's, a
// document number's, a symbolic link's) reaches outside DIR. A missing
// document or text is ErrNotFound.
type DirSource struct {
	// Dir is the folder, such as fixtures/federalregister.
	Dir string
}

// maxDirFile caps a file a DirSource reads.
const maxDirFile = 64 << 20

// readFile reads name (slash-separated, relative to Dir).
func (s DirSource) readFile(name string) ([]byte, error) {
	root, err := os.OpenRoot(s.Dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(path.Clean(name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, path.Join(s.Dir, name))
		}
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDirFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxDirFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxDirFile)
	}
	return b, nil
}

// Document returns the metadata in DIR/api/v1/documents/NUMBER.json.
func (s DirSource) Document(ctx context.Context, number string) (DocumentMeta, error) {
	if err := ctx.Err(); err != nil {
		return DocumentMeta{}, err
	}
	if !documentNumber.MatchString(number) {
		return DocumentMeta{}, fmt.Errorf("read %q: not a document number", number)
	}
	b, err := s.readFile("api/v1/documents/" + number + ".json")
	if err != nil {
		return DocumentMeta{}, fmt.Errorf("read %s: %w", number, err)
	}
	var m DocumentMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return DocumentMeta{}, fmt.Errorf("read %s: %w", number, err)
	}
	if !strings.EqualFold(m.DocumentNumber, number) {
		return DocumentMeta{}, fmt.Errorf("read %s: %w: the file holds document %q", number, ErrInconsistent, m.DocumentNumber)
	}
	return m, nil
}

// Search returns the documents in DIR/api/v1/documents published in
// [from, to], oldest first (then by document number).
func (s DirSource) Search(ctx context.Context, from, to entitywatch.Date) ([]DocumentMeta, error) {
	if from.IsZero() || to.IsZero() || to.Before(from.Time) {
		return nil, fmt.Errorf("search: bad window %s..%s", from, to)
	}
	root, err := os.OpenRoot(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	names, err := fs.Glob(root.FS(), "api/v1/documents/*.json")
	root.Close()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	var out []DocumentMeta
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m, err := s.Document(ctx, strings.TrimSuffix(path.Base(name), ".json"))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if pd := m.PublicationDate; !pd.Before(from.Time) && !pd.After(to.Time) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b DocumentMeta) int {
		return cmp.Or(a.PublicationDate.Compare(b.PublicationDate.Time), cmp.Compare(a.DocumentNumber, b.DocumentNumber))
	})
	return out, nil
}

// FetchText returns a document's full text from the folder and its format,
// "xml" or "html", trying in turn the path of full_text_xml_url,
// DIR/NUMBER.xml, the path of body_html_url and DIR/NUMBER.html.
func (s DirSource) FetchText(ctx context.Context, m DocumentMeta) (raw []byte, format string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	num := m.DocumentNumber
	if !documentNumber.MatchString(num) {
		return nil, "", fmt.Errorf("read %q: not a document number", num)
	}
	type candidate struct{ name, format string }
	var tries []candidate
	add := func(rawURL, format string) error {
		if rawURL == "" {
			return nil
		}
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("read %s: %q: %w", num, rawURL, err)
		}
		p := path.Clean("/" + u.Path)
		if p == "/" {
			return fmt.Errorf("read %s: %q has no path", num, rawURL)
		}
		tries = append(tries, candidate{strings.TrimPrefix(p, "/"), format})
		return nil
	}
	if err := add(m.FullTextXMLURL, "xml"); err != nil {
		return nil, "", err
	}
	tries = append(tries, candidate{num + ".xml", "xml"})
	if err := add(m.BodyHTMLURL, "html"); err != nil {
		return nil, "", err
	}
	tries = append(tries, candidate{num + ".html", "html"})
	for _, t := range tries {
		b, err := s.readFile(t.name)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("read %s: %w", num, err)
		}
		return b, t.format, nil
	}
	return nil, "", fmt.Errorf("read %s: %w: no full text in %s", num, ErrNotFound, s.Dir)
}

// PublicInspection returns the documents in
// DIR/api/v1/public-inspection-documents/current.json, or none when the
// file is absent.
func (s DirSource) PublicInspection(ctx context.Context) ([]PublicInspectionDoc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := s.readFile("api/v1/public-inspection-documents/current.json")
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("public inspection: %w", err)
	}
	var p inspectionPage
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("public inspection: %w", err)
	}
	if p.Count != nil && *p.Count != len(p.Results) {
		return nil, fmt.Errorf("public inspection: %w: count %d, %d results", ErrInconsistent, *p.Count, len(p.Results))
	}
	return p.Results, nil
}

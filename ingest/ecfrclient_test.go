package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entitywatch/entitywatch"
)

func TestECFRClient_FetchPart744(t *testing.T) {
	const doc = `<?xml version="1.0"?><DIV5 N="744" TYPE="PART"></DIV5>`
	tests := []struct {
		name      string
		responses []func(w http.ResponseWriter)
		want      string
		wantErr   string
		waits     []time.Duration
	}{
		{"ok", []func(http.ResponseWriter){xmlOK(doc)}, doc, "", nil},
		{"429_then_ok", []func(http.ResponseWriter){status(429, "7"), xmlOK(doc)}, doc, "", []time.Duration{7 * time.Second}},
		{"500_then_ok", []func(http.ResponseWriter){status(500, ""), status(503, ""), xmlOK(doc)}, doc, "", []time.Duration{time.Second, 2 * time.Second}},
		{"500_always", []func(http.ResponseWriter){status(500, ""), status(500, ""), status(500, "")}, "", "500 Internal Server Error", []time.Duration{time.Second, 2 * time.Second}},
		{"404", []func(http.ResponseWriter){status(404, "")}, "", "404 Not Found", nil},
		{"html_error_page", []func(http.ResponseWriter){func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html><body>Service unavailable</body></html>"))
		}}, "", "not XML", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			var gotPath, gotQuery, gotUA string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotQuery, gotUA = r.URL.Path, r.URL.RawQuery, r.UserAgent()
				i := int(n.Add(1)) - 1
				if i >= len(tt.responses) {
					t.Errorf("request %d: more requests than expected", i+1)
					w.WriteHeader(500)
					return
				}
				tt.responses[i](w)
			}))
			defer srv.Close()
			var waits []time.Duration
			c := &ECFRClient{BaseURL: srv.URL, Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
			body, err := c.FetchPart744(context.Background(), entitywatch.NewDate(2023, 3, 1))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrHTTP) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
			} else if err != nil || string(body) != tt.want {
				t.Fatalf("body %q, err %v", body, err)
			}
			if gotPath != "/api/versioner/v1/full/2023-03-01/title-15.xml" || gotQuery != "part=744" || !strings.Contains(gotUA, "entitywatch") {
				t.Errorf("request %s?%s (UA %q)", gotPath, gotQuery, gotUA)
			}
			if len(waits) != len(tt.waits) {
				t.Fatalf("waits %v, want %v", waits, tt.waits)
			}
			for i := range waits {
				if waits[i] != tt.waits[i] {
					t.Errorf("wait %d: %v, want %v", i, waits[i], tt.waits[i])
				}
			}
		})
	}
}

func xmlOK(body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(body))
	}
}

func status(code int, retryAfter string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		w.WriteHeader(code)
	}
}

package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/entitywatch/entitywatch/notify"
)

// memOutbox is an in-memory Outbox: the queue and delivery log a store
// keeps, surviving the Dispatchers that use it the way a database file
// survives a process.
type memOutbox struct {
	mu      sync.Mutex
	alerts  []notify.Alert
	settled map[uint64]bool
	log     map[string]notify.Delivery
	// failRecord makes Record fail from the Nth call on (0: never).
	failRecord, records int
}

func newOutbox(alerts ...notify.Alert) *memOutbox {
	return &memOutbox{alerts: alerts, settled: map[uint64]bool{}, log: map[string]notify.Delivery{}}
}

func logKey(seq uint64, route string) string { return fmt.Sprintf("%d/%s", seq, route) }

func (o *memOutbox) queue(a notify.Alert) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.alerts = append(o.alerts, a)
}

func (o *memOutbox) Pending(ctx context.Context) ([]notify.Alert, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []notify.Alert
	for _, a := range o.alerts {
		if !o.settled[a.Seq] {
			out = append(out, a)
		}
	}
	return out, nil
}

func (o *memOutbox) Delivery(ctx context.Context, seq uint64, route string) (notify.Delivery, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	d := o.log[logKey(seq, route)]
	d.Receipts = slices.Clone(d.Receipts)
	return d, nil
}

func (o *memOutbox) Record(ctx context.Context, seq uint64, route string, d notify.Delivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.records++
	if o.failRecord > 0 && o.records >= o.failRecord {
		return errors.New("disk full")
	}
	d.Receipts = slices.Clone(d.Receipts)
	o.log[logKey(seq, route)] = d
	return nil
}

func (o *memOutbox) Settle(ctx context.Context, seq uint64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.settled[seq] = true
	return nil
}

func (o *memOutbox) delivery(seq uint64, route string) notify.Delivery {
	d, _ := o.Delivery(context.Background(), seq, route)
	return d
}

// clock is the injected time of a test: Sleep records each wait and
// advances Now by it, without waiting.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{now: created} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return ctx.Err()
}

func (c *clock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// linearBackoff makes the waits of a test easy to tell apart.
func linearBackoff(attempt int) time.Duration { return time.Duration(attempt) * 10 * time.Second }

func dispatcher(o notify.Outbox, c *clock, log *bytes.Buffer, routes ...notify.Route) *notify.Dispatcher {
	d := &notify.Dispatcher{Routes: routes, Outbox: o, Sleep: c.Sleep, Now: c.Now, MaxAttempts: 5, Backoff: linearBackoff}
	if log != nil {
		d.Log = slog.New(slog.NewTextHandler(log, nil))
	}
	return d
}

func TestDispatcher_Retry(t *testing.T) {
	tests := []struct {
		name      string
		token     string
		faults    []response
		wantWaits []time.Duration
		wantPosts int
		wantErr   string // "" for success
		permanent bool
		wantState notify.Status
	}{
		{name: "delivered_first_time", token: testToken, wantPosts: 1, wantState: notify.StatusDelivered},
		{name: "rate_limited_then_ok", token: testToken,
			faults:    []response{{status: 429, header: map[string]string{"Retry-After": "1"}}},
			wantWaits: []time.Duration{time.Second}, wantPosts: 1, wantState: notify.StatusDelivered},
		{name: "server_error_3_times_then_ok", token: testToken,
			faults:    []response{{status: 500}, {status: 500}, {status: 500}},
			wantWaits: []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second}, wantPosts: 1, wantState: notify.StatusDelivered},
		{name: "rate_limit_then_server_error", token: testToken,
			faults:    []response{{status: 429, header: map[string]string{"Retry-After": "7"}}, {status: 503}, {hangUp: true}},
			wantWaits: []time.Duration{7 * time.Second, 20 * time.Second, 30 * time.Second}, wantPosts: 1, wantState: notify.StatusDelivered},
		{name: "invalid_auth_not_retried", token: "xoxb-0-0-wrong", wantErr: "invalid_auth", permanent: true, wantState: notify.StatusFailed},
		{name: "channel_not_found_not_retried", token: testToken,
			faults:  []response{{status: 200, body: `{"ok":false,"error":"channel_not_found"}`}},
			wantErr: "channel_not_found", permanent: true, wantState: notify.StatusFailed},
		{name: "down_for_good_stays_queued", token: testToken,
			faults:    []response{{status: 500}, {status: 500}, {status: 500}, {status: 500}, {status: 500}},
			wantWaits: []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second, 40 * time.Second},
			wantErr:   "500", wantState: notify.StatusSending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSlack(t)
			f.fail(tt.faults...)
			o := newOutbox(fixtureAlert(t, "2025-05427", 1))
			c := newClock()
			var log bytes.Buffer
			d := dispatcher(o, c, &log, notify.Route{Name: "slack", Sender: f.bot(tt.token)})
			err := d.Deliver(t.Context())

			posts, _, _, requests := f.snapshot()
			if len(posts) != tt.wantPosts {
				t.Errorf("%d messages posted; want %d", len(posts), tt.wantPosts)
			}
			if want := len(tt.wantWaits) + 1; requests != want {
				t.Errorf("%d requests; want %d", requests, want)
			}
			if diff := cmp.Diff(tt.wantWaits, c.waits()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			rec := o.delivery(1, "slack")
			if rec.Status != tt.wantState || rec.Attempts != requests {
				t.Errorf("record %+v; want status %s after %d attempts", rec, tt.wantState, requests)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Deliver: %v", err)
				}
				if rec.Receipt() != "1711620000.000001" || rec.Error != "" {
					t.Errorf("record %+v; want Slack's ts as receipt", rec)
				}
				if !o.settled[1] {
					t.Errorf("alert not settled")
				}
				return
			}
			var de *notify.DeliveryError
			if !errors.As(err, &de) || de.Permanent != tt.permanent || de.Seq != 1 || de.Route != "slack" || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Deliver error %v; want a DeliveryError (permanent %v) naming %q", err, tt.permanent, tt.wantErr)
			}
			if !strings.Contains(rec.Error, tt.wantErr) {
				t.Errorf("recorded error %q lacks %q", rec.Error, tt.wantErr)
			}
			// Failed for good: settled and reported loudly. Still worth
			// retrying: queued for the next run.
			if o.settled[1] != tt.permanent {
				t.Errorf("settled = %v; want %v", o.settled[1], tt.permanent)
			}
			if tt.permanent && !strings.Contains(log.String(), "level=ERROR") {
				t.Errorf("a permanent failure was not logged as an error:\n%s", log.String())
			}
			// A second run never re-sends a failed alert, and delivers a
			// queued one once the server is back.
			before := requests
			if err := d.Deliver(t.Context()); err != nil {
				t.Errorf("second Deliver: %v", err)
			}
			posts, _, _, requests = f.snapshot()
			switch {
			case tt.permanent && requests != before:
				t.Errorf("a failed alert was sent again")
			case !tt.permanent && (len(posts) != 1 || o.delivery(1, "slack").Status != notify.StatusDelivered):
				t.Errorf("after recovery: %d posts, record %+v", len(posts), o.delivery(1, "slack"))
			}
		})
	}
}

// TestDispatcher_Restart kills the process between queueing and
// delivery, and in the middle of a threaded message: a fresh Dispatcher
// over the same outbox delivers what is left, once.
func TestDispatcher_Restart(t *testing.T) {
	t.Run("killed_before_delivery", func(t *testing.T) {
		f := newFakeSlack(t)
		o := newOutbox()
		o.queue(fixtureAlert(t, "2025-05427", 1)) // the store queues, the process dies
		for range 3 {                             // each restart builds a fresh Dispatcher
			d := dispatcher(o, newClock(), nil, notify.Route{Name: "slack", Sender: f.bot(testToken)})
			if err := d.Deliver(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if posts, _, _, _ := f.snapshot(); len(posts) != 1 {
			t.Errorf("%d posts over three runs; want 1", len(posts))
		}
	})

	t.Run("killed_mid_thread", func(t *testing.T) {
		f := newFakeSlack(t)
		o := newOutbox(bigRule(300))
		// The root and first reply go out; the second reply fails and the
		// process is killed while it waits to retry.
		ctx, kill := context.WithCancel(t.Context())
		d := dispatcher(o, newClock(), nil, notify.Route{Name: "slack"})
		d.Sleep = func(ctx context.Context, _ time.Duration) error { kill(); return ctx.Err() }
		d.Routes[0].Sender = &countingSender{Sender: f.bot(testToken), failAfter: 2}
		if err := d.Deliver(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("Deliver = %v; want context.Canceled", err)
		}
		rec := o.delivery(9, "slack")
		if len(rec.Receipts) != 2 || rec.Status != notify.StatusSending || o.settled[9] {
			t.Fatalf("after the kill: record %+v, settled %v; want 2 parts sent", rec, o.settled[9])
		}

		d2 := dispatcher(o, newClock(), nil, notify.Route{Name: "slack", Sender: f.bot(testToken)})
		if err := d2.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := d2.Deliver(t.Context()); err != nil {
			t.Fatal(err)
		}
		posts, _, uploads, _ := f.snapshot()
		m := notify.Render(bigRule(300), notify.RenderOptions{Threaded: true, CSV: true})
		if len(posts) != 1+len(m.Thread) || len(uploads) != 1 {
			t.Fatalf("%d posts and %d uploads; want the root, %d replies and the CSV, each once", len(posts), len(uploads), len(m.Thread))
		}
		rootTS := o.delivery(9, "slack").Receipt()
		for i, p := range posts {
			wantThread := rootTS
			if i == 0 {
				wantThread = ""
			}
			if p.Get("thread_ts") != wantThread {
				t.Errorf("post %d thread_ts %q; want %q", i, p.Get("thread_ts"), wantThread)
			}
			var blocks []json.RawMessage
			if err := json.Unmarshal([]byte(p.Get("blocks")), &blocks); err != nil || len(blocks) > 50 {
				t.Errorf("post %d: %d blocks (%v)", i, len(blocks), err)
			}
			if i > 0 && !strings.Contains(p.Get("text"), fmt.Sprintf("part %d of %d", i, len(m.Thread))) {
				t.Errorf("post %d is not reply %d: %.80s", i, i, p.Get("text"))
			}
		}
		if !strings.Contains(posts[0].Get("text"), "The full list of 300 entries is in the thread") {
			t.Errorf("root text: %s", posts[0].Get("text"))
		}
		if uploads[0].Get("thread_ts") != rootTS {
			t.Errorf("CSV uploaded outside the thread")
		}
		if rec := o.delivery(9, "slack"); rec.Status != notify.StatusDelivered || len(rec.Receipts) != len(m.Parts()) || !o.settled[9] {
			t.Errorf("record %+v", rec)
		}
	})
}

// countingSender passes the first failAfter calls on to a Threader and
// fails the rest with a retryable error.
type countingSender struct {
	notify.Sender
	mu        sync.Mutex
	calls     int
	failAfter int
}

func (s *countingSender) next() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls > s.failAfter {
		return &notify.SendError{Err: errors.New("connection reset"), Retryable: true}
	}
	return nil
}

func (s *countingSender) Send(ctx context.Context, m notify.Message) (string, error) {
	if err := s.next(); err != nil {
		return "", err
	}
	return s.Sender.Send(ctx, m)
}

func (s *countingSender) Reply(ctx context.Context, parent string, m notify.Message) (string, error) {
	if err := s.next(); err != nil {
		return "", err
	}
	return s.Sender.(notify.Threader).Reply(ctx, parent, m)
}

func (s *countingSender) Upload(ctx context.Context, parent string, f notify.File) (string, error) {
	if err := s.next(); err != nil {
		return "", err
	}
	return s.Sender.(notify.Threader).Upload(ctx, parent, f)
}

// recorder is a Sender that keeps what it is sent.
type recorder struct {
	name string
	mu   sync.Mutex
	got  []notify.Message
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Send(ctx context.Context, m notify.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return fmt.Sprintf("%s-%d", r.name, len(r.got)), nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		out = append(out, m.ID)
	}
	return out
}

func TestDispatcher_Filters(t *testing.T) {
	alerts := []notify.Alert{
		fixtureAlert(t, "2025-05427", 1), // China, Taiwan
		fixtureAlert(t, "2025-05426", 2), // China, Iran, Pakistan, South Africa, UAE; revisions under France, Iran, Senegal, UK
		quarantineAlert(3),
		earlyWarningAlert(4),
		healthAlert(5),
	}
	routes := map[string]*recorder{"all": {name: "all"}, "china": {name: "china"}, "pakistan": {name: "pakistan"}, "germany": {name: "germany"}}
	o := newOutbox(alerts...)
	d := dispatcher(o, newClock(), nil,
		notify.Route{Name: "all", Sender: routes["all"]},
		notify.Route{Name: "china", Sender: routes["china"], Countries: []string{"CN", "HK"}},
		notify.Route{Name: "pakistan", Sender: routes["pakistan"], Countries: []string{"pk"}},
		notify.Route{Name: "germany", Sender: routes["germany"], Countries: []string{"DE"}},
	)
	if err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"all":      {"1", "2", "3", "4", "5"},
		"china":    {"1", "2", "3", "4", "5"},
		"pakistan": {"2", "3", "4", "5"},
		"germany":  {"3", "4", "5"},
	}
	for name, r := range routes {
		if diff := cmp.Diff(want[name], r.ids()); diff != "" {
			t.Errorf("route %s received (-want +got):\n%s", name, diff)
		}
	}
	// A filtered route sees its destinations and a count of the rest.
	pk := routes["pakistan"].got[0].Text
	for _, s := range []string{"Pakistan 19 (Allied Business Concerns", "Also in this rule, under other destinations: China 42 added"} {
		if !strings.Contains(pk, s) {
			t.Errorf("pakistan's alert lacks %q:\n%s", s, pk)
		}
	}
	if strings.Contains(pk, "Aeronautics Computing") {
		t.Errorf("pakistan's alert lists Chinese entities:\n%s", pk)
	}
	for seq := range uint64(5) {
		if !o.settled[seq+1] {
			t.Errorf("alert %d not settled", seq+1)
		}
	}
	// Nothing is sent twice.
	o.settled = map[uint64]bool{} // even if the store forgot the settling
	if err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	for name, r := range routes {
		if len(r.got) != len(want[name]) {
			t.Errorf("route %s got %d messages after a second run; want %d", name, len(r.got), len(want[name]))
		}
	}
}

// flaky fails every Send with a retryable error while down is set.
type flaky struct {
	recorder
	down bool
}

func (f *flaky) Send(ctx context.Context, m notify.Message) (string, error) {
	if f.down {
		return "", &notify.SendError{Err: errors.New("503 Service Unavailable"), Retryable: true}
	}
	return f.recorder.Send(ctx, m)
}

// TestDispatcher_Order checks that a route that is down holds its later
// alerts back, so they never overtake, while other routes go on.
func TestDispatcher_Order(t *testing.T) {
	o := newOutbox(healthAlert(1), quarantineAlert(2), earlyWarningAlert(3))
	down := &flaky{recorder: recorder{name: "down"}, down: true}
	up := &recorder{name: "up"}
	d := dispatcher(o, newClock(), nil, notify.Route{Name: "down", Sender: down}, notify.Route{Name: "up", Sender: up})
	err := d.Deliver(t.Context())
	var de *notify.DeliveryError
	if !errors.As(err, &de) || de.Permanent || de.Seq != 1 {
		t.Fatalf("Deliver = %v; want a retryable DeliveryError for alert 1", err)
	}
	if got := strings.Count(err.Error(), "deliver alert"); got != 1 {
		t.Errorf("%d errors; want one (later alerts wait): %v", got, err)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, up.ids()); diff != "" {
		t.Errorf("route up (-want +got):\n%s", diff)
	}
	if o.delivery(2, "down").Attempts != 0 || len(o.settled) != 0 {
		t.Errorf("alert 2 tried on a route that is down, or alerts settled: %+v", o.settled)
	}
	down.down = false
	if err := d.Deliver(t.Context()); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, down.ids()); diff != "" {
		t.Errorf("route down after recovery (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, up.ids()); diff != "" {
		t.Errorf("route up re-sent (-want +got):\n%s", diff)
	}
}

func TestDispatcher_Routes(t *testing.T) {
	r := &recorder{name: "r"}
	tests := []struct {
		name   string
		routes []notify.Route
	}{
		{"no_name", []notify.Route{{Sender: r}}},
		{"twice", []notify.Route{{Name: "a", Sender: r}, {Name: "a", Sender: r}}},
		{"no_sender", []notify.Route{{Name: "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := dispatcher(newOutbox(healthAlert(1)), newClock(), nil, tt.routes...)
			if err := d.Deliver(t.Context()); !errors.Is(err, notify.ErrRoutes) {
				t.Errorf("Deliver = %v; want ErrRoutes", err)
			}
		})
	}
}

func TestDispatcher_RecordFails(t *testing.T) {
	o := newOutbox(healthAlert(1), healthAlert(2))
	o.failRecord = 1
	r := &recorder{name: "r"}
	d := dispatcher(o, newClock(), nil, notify.Route{Name: "r", Sender: r})
	if err := d.Deliver(t.Context()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Deliver = %v; want the outbox's error", err)
	}
	if len(r.got) != 1 {
		t.Errorf("%d sent; want Deliver to stop at the first record that fails", len(r.got))
	}
}

// TestDispatcher_Redaction runs failing deliveries through a logger and
// checks that neither the log nor the errors hold a secret.
func TestDispatcher_Redaction(t *testing.T) {
	f := newFakeSlack(t)
	f.fail(response{status: 500, body: testToken}, response{status: 404, body: "no_service"})
	o := newOutbox(healthAlert(1))
	var log bytes.Buffer
	d := dispatcher(o, newClock(), &log,
		notify.Route{Name: "bot", Sender: notify.NewSlackBot("xoxb-0-0-"+strings.Repeat("z", 24), testChannel, notifyAPI(f))},
		notify.Route{Name: "hook", Sender: notify.NewSlackWebhook(f.srv.URL+"/x"+hookPath, f.srv.Client())},
		notify.Route{Name: "generic", Sender: notify.NewWebhook("http://127.0.0.1:1/hook?token="+testToken, []byte("s3cr3t-hmac-key"), nil)},
	)
	err := d.Deliver(t.Context())
	if err == nil {
		t.Fatal("Deliver succeeded")
	}
	assertNoSecrets(t, log.String())
	assertNoSecrets(t, unwrapAll(err))
	for _, route := range []string{"bot", "hook", "generic"} {
		assertNoSecrets(t, o.delivery(1, route).Error)
	}
	if strings.Contains(log.String(), strings.Repeat("z", 24)) {
		t.Errorf("token leaked into the log")
	}
}

package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Outbox is what the Dispatcher needs of the store: the queued alerts and
// a delivery log with one record per alert and route. It is the source of
// truth: the Dispatcher keeps no state between calls, so a restart
// resumes exactly where the log says.
type Outbox interface {
	// Pending returns the alerts not yet settled, in Seq order.
	Pending(ctx context.Context) ([]Alert, error)
	// Delivery returns the log's record of alert seq on route, or the
	// zero Delivery when there is none.
	Delivery(ctx context.Context, seq uint64, route string) (Delivery, error)
	// Record stores d as the record of alert seq on route, replacing the
	// previous one. The Dispatcher records after each part it sends.
	Record(ctx context.Context, seq uint64, route string, d Delivery) error
	// Settle marks alert seq as done with: delivered, failed for good or
	// not wanted on every route. Pending no longer returns it. (Re-queuing
	// an alert, as "alerts retry" does, clears its failed records and
	// unsettles it.)
	Settle(ctx context.Context, seq uint64) error
}

// Status is the state of an alert on one route.
type Status string

// The states of a Delivery.
const (
	// StatusSending: parts may have been sent, or the last attempt failed
	// in a way worth retrying; the next Deliver continues after the parts
	// in Receipts.
	StatusSending Status = "sending"
	// StatusDelivered: every part was sent. Deliver never sends it again.
	StatusDelivered Status = "delivered"
	// StatusFailed: the sender refused it for good (bad token, unknown
	// channel, message refused). Deliver does not try again until the
	// record is cleared.
	StatusFailed Status = "failed"
)

// Delivery is the delivery log's record of one alert on one route.
type Delivery struct {
	Status Status `json:"status"`
	// Receipts are the receipts of the parts sent so far, in order: the
	// first is the first message's (Slack's ts).
	Receipts []string `json:"receipts,omitempty"`
	// Attempts counts send attempts, retries included.
	Attempts int `json:"attempts"`
	// Error is the last error, without secrets.
	Error   string    `json:"error,omitempty"`
	Updated time.Time `json:"updated_at,omitzero"`
}

// Receipt returns the first part's receipt: Slack's ts of the message.
func (d Delivery) Receipt() string {
	if len(d.Receipts) == 0 {
		return ""
	}
	return d.Receipts[0]
}

// Route is one subscription: a sender and the destinations it wants.
type Route struct {
	// Name identifies the route in the delivery log; renaming a route
	// makes it a new one, which receives every alert still pending.
	Name   string
	Sender Sender
	// Countries are the destination codes the route wants; empty means
	// all. Rule alerts go to routes that want one of their destinations
	// (see Alert.Countries); other alerts go to every route.
	Countries []string
	// Render tunes how alerts are rendered for this route. The
	// Dispatcher sets Countries to the route's, and Threaded and CSV when
	// the sender is a Threader.
	Render RenderOptions
}

func (r Route) wants(a Alert) bool {
	cs := a.Countries()
	if len(r.Countries) == 0 || len(cs) == 0 {
		return true
	}
	for _, c := range r.Countries {
		if slices.Contains(cs, strings.ToUpper(c)) {
			return true
		}
	}
	return false
}

// Dispatcher delivers the alerts of an Outbox on its routes: in order,
// once each, retrying what is worth retrying.
//
// Deliver is not safe for concurrent use with the same Outbox; callers
// run one Deliver at a time.
type Dispatcher struct {
	Routes []Route
	Outbox Outbox
	// Sleep waits d or until ctx is done; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now stamps delivery records; nil means time.Now.
	Now func() time.Time
	// MaxAttempts bounds the attempts at one part in one Deliver call;
	// zero means 5. An alert still failing is left for the next call.
	MaxAttempts int
	// Backoff is the wait after the attempt-th failure (1, 2, ...) when
	// the server names none; nil means 1s, 2s, 4s, ... capped at a minute.
	Backoff func(attempt int) time.Duration
	// Log receives one record per delivery, retry and failure; nil
	// discards them.
	Log *slog.Logger
}

// DeliveryError is a failure to deliver an alert on a route.
type DeliveryError struct {
	Seq      uint64
	Document string
	Route    string
	// Permanent failures are recorded as StatusFailed; the others leave
	// the alert queued for the next Deliver.
	Permanent bool
	Err       error
}

// Error says which alert failed on which route, whether Deliver gave up,
// and why.
func (e *DeliveryError) Error() string {
	what := fmt.Sprintf("alert %d", e.Seq)
	if e.Document != "" {
		what += " (" + e.Document + ")"
	}
	kind := "will retry"
	if e.Permanent {
		kind = "gave up"
	}
	return fmt.Sprintf("deliver %s on %s: %s: %v", what, e.Route, kind, e.Err)
}

// Unwrap returns the sender's error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// ErrRoutes reports routes that cannot work: no name, a name used twice,
// no sender.
var ErrRoutes = errors.New("invalid routes")

// Deliver delivers every pending alert on every route that wants it and
// has not had it yet, in Seq order, and settles the alerts done with.
//
// For each alert and route it renders the alert, sends the parts the
// delivery log does not hold yet (retrying with backoff, waiting exactly
// as long as a Retry-After asks), and records each part's receipt as it
// goes. A permanent error is recorded as StatusFailed and logged at
// error level; an error still worth retrying after MaxAttempts stops the
// route until the next call, so later alerts do not overtake it. The
// returned error joins a *DeliveryError per failure; Deliver returns
// early only when ctx is done or the Outbox fails.
func (d *Dispatcher) Deliver(ctx context.Context) error {
	seen := map[string]bool{}
	for _, r := range d.Routes {
		if r.Name == "" || seen[r.Name] || r.Sender == nil {
			return fmt.Errorf("%w: route %q: every route needs a sender and a name of its own", ErrRoutes, r.Name)
		}
		seen[r.Name] = true
	}
	alerts, err := d.Outbox.Pending(ctx)
	if err != nil {
		return fmt.Errorf("deliver: read outbox: %w", err)
	}
	slices.SortStableFunc(alerts, func(a, b Alert) int { return cmp.Compare(a.Seq, b.Seq) })

	var errs []error
	stopped := map[string]bool{} // routes stopped until the next call
	for _, a := range alerts {
		done := true
		for _, r := range d.Routes {
			if !r.wants(a) {
				continue
			}
			if stopped[r.Name] {
				done = false
				continue
			}
			rec, err := d.Outbox.Delivery(ctx, a.Seq, r.Name)
			if err != nil {
				return errors.Join(append(errs, fmt.Errorf("deliver: read delivery log: %w", err))...)
			}
			if rec.Status == StatusDelivered || rec.Status == StatusFailed {
				continue
			}
			err = d.deliver(ctx, a, r, rec)
			var de *DeliveryError
			switch {
			case err == nil:
			case errors.As(err, &de):
				errs = append(errs, err)
				if !de.Permanent {
					stopped[r.Name] = true
					done = false
				}
			default: // the context or the Outbox
				return errors.Join(append(errs, err)...)
			}
		}
		if done {
			if err := d.Outbox.Settle(ctx, a.Seq); err != nil {
				return errors.Join(append(errs, fmt.Errorf("deliver: settle alert %d: %w", a.Seq, err))...)
			}
		}
	}
	return errors.Join(errs...)
}

// deliver sends the parts of alert a on route r that rec does not hold.
func (d *Dispatcher) deliver(ctx context.Context, a Alert, r Route, rec Delivery) error {
	log := d.logger().With("seq", a.Seq, "document", a.Document, "route", r.Name, "sender", r.Sender.Name())
	opt := r.Render
	opt.Countries = r.Countries
	threader, threaded := r.Sender.(Threader)
	opt.Threaded, opt.CSV = threaded, threaded
	parts := Render(a, opt).Parts()
	if len(rec.Receipts) > len(parts) {
		// Rendered differently when the earlier parts were sent (other
		// options, another version): what was sent stands.
		log.Warn("alert has fewer parts than were sent; marking it delivered", "sent", len(rec.Receipts), "parts", len(parts))
		parts = parts[:len(rec.Receipts)]
	}
	for i := len(rec.Receipts); i < len(parts); i++ {
		p := parts[i]
		send := func(ctx context.Context) (string, error) { return r.Sender.Send(ctx, p) }
		if threaded && i > 0 {
			parent := rec.Receipt()
			if p.Attachment != nil {
				send = func(ctx context.Context) (string, error) { return threader.Upload(ctx, parent, *p.Attachment) }
			} else {
				send = func(ctx context.Context) (string, error) { return threader.Reply(ctx, parent, p) }
			}
		}
		receipt, attempts, err := d.retry(ctx, log.With("part", p.ID), send)
		rec.Attempts += attempts
		rec.Updated = d.now()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rec.Error = err.Error()
			permanent := IsPermanent(err)
			rec.Status = StatusSending
			if permanent {
				rec.Status = StatusFailed
			}
			if rerr := d.Outbox.Record(ctx, a.Seq, r.Name, rec); rerr != nil {
				return fmt.Errorf("deliver: record alert %d on %s: %w", a.Seq, r.Name, rerr)
			}
			if permanent {
				log.Error("alert delivery failed for good; re-queue it once the cause is fixed", "part", p.ID, "attempts", rec.Attempts, "error", rec.Error)
			} else {
				log.Warn("alert delivery failed; it stays queued", "part", p.ID, "attempts", rec.Attempts, "error", rec.Error)
			}
			return &DeliveryError{Seq: a.Seq, Document: a.Document, Route: r.Name, Permanent: permanent, Err: err}
		}
		rec.Receipts = append(rec.Receipts, receipt)
		rec.Error = ""
		rec.Status = StatusSending
		if i == len(parts)-1 {
			rec.Status = StatusDelivered
		}
		if err := d.Outbox.Record(ctx, a.Seq, r.Name, rec); err != nil {
			return fmt.Errorf("deliver: record alert %d on %s: %w", a.Seq, r.Name, err)
		}
	}
	if len(parts) == len(rec.Receipts) && rec.Status != StatusDelivered {
		rec.Status = StatusDelivered
		if err := d.Outbox.Record(ctx, a.Seq, r.Name, rec); err != nil {
			return fmt.Errorf("deliver: record alert %d on %s: %w", a.Seq, r.Name, err)
		}
	}
	log.Info("alert delivered", "receipt", rec.Receipt(), "parts", len(parts), "attempts", rec.Attempts)
	return nil
}

// retry calls send until it succeeds, fails for good, or has failed
// MaxAttempts times, waiting between attempts.
func (d *Dispatcher) retry(ctx context.Context, log *slog.Logger, send func(context.Context) (string, error)) (receipt string, attempts int, err error) {
	limit := cmp.Or(d.MaxAttempts, 5)
	for attempts = 1; ; attempts++ {
		receipt, err = send(ctx)
		if err == nil {
			return receipt, attempts, nil
		}
		if ctx.Err() != nil {
			return "", attempts, ctx.Err()
		}
		if IsPermanent(err) || attempts >= limit {
			return "", attempts, err
		}
		wait := retryAfter(err)
		if wait <= 0 {
			wait = d.backoff(attempts)
		}
		log.Warn("send failed; retrying", "attempt", attempts, "wait", wait, "error", err)
		if err := d.sleep(ctx, wait); err != nil {
			return "", attempts, err
		}
	}
}

func (d *Dispatcher) backoff(attempt int) time.Duration {
	if d.Backoff != nil {
		return d.Backoff(attempt)
	}
	return min(time.Second<<min(attempt-1, 10), time.Minute)
}

func (d *Dispatcher) sleep(ctx context.Context, wait time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, wait)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Dispatcher) logger() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.New(slog.DiscardHandler)
}

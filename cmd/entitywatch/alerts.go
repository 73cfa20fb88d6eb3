package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/entitywatch/entitywatch/notify"
	"github.com/entitywatch/entitywatch/store"
)

// outbox adapts the store's alert outbox and delivery log to the
// notifier's Outbox.
type outbox struct{ db *store.DB }

func (o outbox) Pending(ctx context.Context) ([]notify.Alert, error) {
	alerts, err := o.db.Pending(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Alert, 0, len(alerts))
	for _, a := range alerts {
		na, err := toNotifyAlert(ctx, o.db, a)
		if err != nil {
			return nil, err
		}
		out = append(out, na)
	}
	return out, nil
}

func (o outbox) Delivery(ctx context.Context, seq uint64, route string) (notify.Delivery, error) {
	var d notify.Delivery
	b, err := o.db.DeliveryRecord(ctx, seq, route)
	if err != nil || b == nil {
		return d, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return d, fmt.Errorf("delivery record %d/%s: %w", seq, route, err)
	}
	return d, nil
}

func (o outbox) Record(ctx context.Context, seq uint64, route string, d notify.Delivery) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return o.db.PutDeliveryRecord(ctx, seq, route, b)
}

func (o outbox) Settle(ctx context.Context, seq uint64) error { return o.db.Settle(ctx, seq) }

// toNotifyAlert builds what the notifier renders from an outbox row and
// the stored document and version.
func toNotifyAlert(ctx context.Context, db *store.DB, a store.Alert) (notify.Alert, error) {
	na := notify.Alert{Seq: a.Seq, Kind: notify.Kind(a.Kind), Document: a.Document, Title: a.Title, Reason: a.Reason, Created: a.Created}
	if a.Document != "" {
		na.URL = notify.DocumentURL(a.Document)
	}
	if a.Kind == store.AlertEarlyWarning {
		na.PDFURL, na.Published = a.PDFURL, a.Published
		if t, err := time.Parse(time.RFC3339, a.Filed); err == nil {
			na.Filed = t
		} else if a.Filed != "" {
			na.Warnings = append(na.Warnings, "filed "+a.Filed)
		}
		if a.Counts != nil {
			na.Counts = *a.Counts
		}
		return na, nil
	}
	if a.Kind == store.AlertWeeklyReport {
		if a.FileName != "" {
			na.Report = &notify.File{Name: a.FileName, Title: a.Title, Type: a.FileType, Content: string(a.FileContent)}
		}
		return na, nil
	}
	if a.Kind == store.AlertHealth || a.Document == "" {
		return na, nil
	}
	doc, err := db.Document(ctx, a.Document)
	if errors.Is(err, store.ErrNotFound) {
		return na, nil
	}
	if err != nil {
		return na, err
	}
	na.Title, na.Citation, na.Published, na.Effective = doc.Title, doc.Citation, doc.Published, doc.Effective
	if doc.Rule != nil {
		na.Counts = doc.Rule.SummaryCounts
		if na.Effective.IsZero() {
			na.Effective = doc.Rule.EffectiveDate
		}
		if na.Published.IsZero() {
			na.Published = doc.Rule.PublicationDate
		}
	}
	if a.Kind == store.AlertApplied {
		v, err := db.AppliedVersion(ctx, a.Document)
		if err != nil {
			return na, err
		}
		na.Changes, na.Warnings = v.Changes, v.Warnings
	}
	return na, nil
}

// notifyFlags configure where alerts go.
type notifyFlags struct {
	slackChannel   string
	slackAPIURL    string
	slackCountries string
	showAliases    bool
}

func (f *notifyFlags) register(fs interface {
	StringVar(*string, string, string, string)
	BoolVar(*bool, string, bool, string)
}) {
	fs.StringVar(&f.slackChannel, "slack-channel", os.Getenv("ENTITYWATCH_SLACK_CHANNEL"), "Slack channel ID for the bot (default $ENTITYWATCH_SLACK_CHANNEL); the token is $SLACK_BOT_TOKEN")
	fs.StringVar(&f.slackAPIURL, "slack-api-url", os.Getenv("ENTITYWATCH_SLACK_API_URL"), "Slack Web API base URL (default Slack's)")
	fs.StringVar(&f.slackCountries, "slack-countries", os.Getenv("ENTITYWATCH_SLACK_COUNTRIES"), "only alert Slack about these destinations (ISO codes, comma-separated; default all)")
	fs.BoolVar(&f.showAliases, "aliases", false, "list aliases in alerts")
}

// routes builds the alert routes from flags and environment: a Slack bot
// (SLACK_BOT_TOKEN and a channel), a Slack incoming webhook
// (SLACK_WEBHOOK_URL), a signed JSON webhook (ENTITYWATCH_WEBHOOK_URL,
// ENTITYWATCH_WEBHOOK_SECRET); the console when none is configured.
func (f *notifyFlags) routes(stdout io.Writer) ([]notify.Route, error) {
	var routes []notify.Route
	var countries []string
	for _, c := range strings.Split(f.slackCountries, ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			countries = append(countries, c)
		}
	}
	opts := notify.RenderOptions{ShowAliases: f.showAliases}
	if token := os.Getenv("SLACK_BOT_TOKEN"); token != "" {
		if f.slackChannel == "" {
			return nil, fmt.Errorf("SLACK_BOT_TOKEN is set but no channel: set --slack-channel or ENTITYWATCH_SLACK_CHANNEL")
		}
		var sopts []slack.Option
		if f.slackAPIURL != "" {
			sopts = append(sopts, slack.OptionAPIURL(strings.TrimRight(f.slackAPIURL, "/")+"/"))
		}
		routes = append(routes, notify.Route{Name: "slack-bot:" + f.slackChannel, Sender: notify.NewSlackBot(token, f.slackChannel, sopts...), Countries: countries, Render: opts})
	}
	if hook := os.Getenv("SLACK_WEBHOOK_URL"); hook != "" {
		routes = append(routes, notify.Route{Name: "slack-webhook", Sender: notify.NewSlackWebhook(hook, nil), Countries: countries, Render: opts})
	}
	if hook := os.Getenv("ENTITYWATCH_WEBHOOK_URL"); hook != "" {
		secret := os.Getenv("ENTITYWATCH_WEBHOOK_SECRET")
		if secret == "" {
			return nil, fmt.Errorf("ENTITYWATCH_WEBHOOK_URL is set but ENTITYWATCH_WEBHOOK_SECRET is not: webhooks are always signed")
		}
		routes = append(routes, notify.Route{Name: "webhook", Sender: notify.NewWebhook(hook, []byte(secret), nil), Render: opts})
	}
	if len(routes) == 0 {
		routes = append(routes, notify.Route{Name: "console", Sender: &notify.Console{W: stdout}, Render: opts})
	}
	return routes, nil
}

func newDispatcher(db *store.DB, routes []notify.Route, log *slog.Logger) *notify.Dispatcher {
	return &notify.Dispatcher{Routes: routes, Outbox: outbox{db}, Log: log, Now: time.Now}
}

func runAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: entitywatch alerts list|retry|preview [DOCUMENT_NUMBER] [--db PATH]")
		return exitUsage
	}
	var c common
	var nf notifyFlags
	fs := newFlagSet("alerts "+args[0], "[DOCUMENT_NUMBER] [--db PATH] [--format json|text]", stderr)
	c.register(fs, "json or text")
	nf.register(fs)
	pos, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return exitUsage
	}
	if !c.checkFormat(stderr, "alerts", "json", "text") {
		return exitUsage
	}
	readOnly := args[0] != "retry"
	db, ok := openDB(ctx, c.db, readOnly, stderr, "alerts")
	if !ok {
		return exitFailed
	}
	defer db.Close()
	all, err := db.Outbox(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "entitywatch alerts: %v\n", err)
		return exitFailed
	}
	switch args[0] {
	case "list":
		type row struct {
			store.Alert
			Deliveries map[string]notify.Delivery `json:"deliveries"`
		}
		rows := []row{}
		for _, a := range all {
			if len(pos) > 0 && a.Document != pos[0] {
				continue
			}
			r := row{Alert: a, Deliveries: map[string]notify.Delivery{}}
			recs, err := db.DeliveryRecords(ctx, a.Seq)
			if err != nil {
				fmt.Fprintf(stderr, "entitywatch alerts: %v\n", err)
				return exitFailed
			}
			for route, b := range recs {
				var d notify.Delivery
				if json.Unmarshal(b, &d) == nil {
					r.Deliveries[route] = d
				}
			}
			rows = append(rows, r)
		}
		if c.format == "json" {
			return writeJSON(stdout, stderr, struct {
				Alerts []row `json:"alerts"`
			}{rows})
		}
		for _, r := range rows {
			state := "queued"
			if r.Settled {
				state = "settled"
			}
			fmt.Fprintf(stdout, "%5d  %-17s %-12s %-8s %s\n", r.Seq, r.Kind, r.Document, state, r.Created.Format(time.RFC3339))
			for route, d := range r.Deliveries {
				fmt.Fprintf(stdout, "       %s: %s after %d attempts %s %s\n", route, d.Status, d.Attempts, d.Receipt(), d.Error)
			}
		}
		return exitOK
	case "retry", "preview":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "usage: entitywatch alerts %s DOCUMENT_NUMBER\n", args[0])
			return exitUsage
		}
		var found []store.Alert
		for _, a := range all {
			if a.Document == pos[0] {
				found = append(found, a)
			}
		}
		if len(found) == 0 {
			fmt.Fprintf(stderr, "entitywatch alerts: no alert for document %s\n", pos[0])
			return exitFailed
		}
		if args[0] == "retry" {
			for _, a := range found {
				err := db.Requeue(ctx, a.Seq, func(rec []byte) bool {
					var d notify.Delivery
					return json.Unmarshal(rec, &d) == nil && d.Status != notify.StatusDelivered
				})
				if err != nil {
					fmt.Fprintf(stderr, "entitywatch alerts retry: %v\n", err)
					return exitFailed
				}
				fmt.Fprintf(stdout, "requeued alert %d (%s %s); the next run or daemon tick delivers it\n", a.Seq, a.Kind, a.Document)
			}
			return exitOK
		}
		msgs := []notify.Message{}
		for _, a := range found {
			na, err := toNotifyAlert(ctx, db, a)
			if err != nil {
				fmt.Fprintf(stderr, "entitywatch alerts preview: %v\n", err)
				return exitFailed
			}
			msgs = append(msgs, notify.Render(na, notify.RenderOptions{ShowAliases: nf.showAliases, Threaded: true}))
		}
		if c.format == "text" {
			for _, m := range msgs {
				for _, p := range m.Parts() {
					fmt.Fprintln(stdout, p.Text)
				}
			}
			return exitOK
		}
		return writeJSON(stdout, stderr, msgs)
	}
	fmt.Fprintf(stderr, "entitywatch alerts: unknown subcommand %q (list, retry, preview)\n", args[0])
	return exitUsage
}

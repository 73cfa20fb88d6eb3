package notify

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"
)

// DefaultTimeout bounds one HTTP request of the senders this package
// builds, when their caller does not supply an HTTP client.
const DefaultTimeout = 30 * time.Second

// SlackBot posts alerts with the Slack Web API (chat.postMessage) as a
// bot: long lists go in the first message's thread, with a CSV upload.
// The receipt of a message is its ts.
type SlackBot struct {
	api     *slack.Client
	channel string
	redact  redactor

	mu        sync.Mutex
	channelID string // as Slack answered, for file uploads
}

// NewSlackBot returns a SlackBot posting to channel (an ID such as
// "C0123456789", or a name) with a bot token ("xoxb-..."). opts go to
// slack.New: slack.OptionAPIURL points it at another server (the URL
// ends with a slash, like slack.APIURL), slack.OptionHTTPClient sets the
// HTTP client (by default one with DefaultTimeout). Do not pass
// slack.OptionDebug: slack-go's debug log prints requests.
//
// File uploads need the channel's ID; with a name, the bot learns the ID
// from its first post.
func NewSlackBot(token, channel string, opts ...slack.Option) *SlackBot {
	opts = append([]slack.Option{slack.OptionHTTPClient(&http.Client{Timeout: DefaultTimeout})}, opts...)
	return &SlackBot{
		api:     slack.New(token, opts...),
		channel: channel,
		redact:  newRedactor([]string{token}, nil),
	}
}

// Name returns "slack:" and the channel.
func (b *SlackBot) Name() string { return "slack:" + b.channel }

// Send posts m to the channel and returns its ts.
func (b *SlackBot) Send(ctx context.Context, m Message) (string, error) {
	return b.post(ctx, m)
}

// Reply posts m in the thread of the message whose ts is parent.
func (b *SlackBot) Reply(ctx context.Context, parent string, m Message) (string, error) {
	return b.post(ctx, m, slack.MsgOptionTS(parent))
}

func (b *SlackBot) post(ctx context.Context, m Message, opts ...slack.MsgOption) (string, error) {
	if m.Attachment != nil {
		return "", &SendError{Err: errors.New("slack: a file is uploaded, not posted")}
	}
	opts = append(opts, slack.MsgOptionText(m.Text, true), slack.MsgOptionDisableLinkUnfurl())
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	channel, ts, err := b.api.PostMessageContext(ctx, b.channel, opts...)
	if err != nil {
		return "", b.redact.error("slack chat.postMessage to "+b.channel, err)
	}
	if channel != "" {
		b.mu.Lock()
		b.channelID = channel
		b.mu.Unlock()
	}
	return ts, nil
}

// Upload uploads f to the thread of the message whose ts is parent (the
// files.getUploadURLExternal, upload, files.completeUploadExternal
// sequence) and returns the file's ID.
func (b *SlackBot) Upload(ctx context.Context, parent string, f File) (string, error) {
	b.mu.Lock()
	channel := b.channelID
	b.mu.Unlock()
	if channel == "" {
		channel = b.channel
	}
	sum, err := b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Filename:        f.Name,
		Title:           f.Title,
		Content:         f.Content,
		FileSize:        len(f.Content),
		SnippetType:     f.Type,
		Channel:         channel,
		ThreadTimestamp: parent,
	})
	if err != nil {
		return "", b.redact.error("slack file upload to "+b.channel, err)
	}
	return sum.ID, nil
}

// SlackWebhook posts alerts to a Slack incoming webhook. A webhook cannot
// thread replies or upload files, so a long list follows the first
// message as further messages; its receipt is Slack's "ok".
type SlackWebhook struct {
	url    string
	client *http.Client
	redact redactor
}

// NewSlackWebhook returns a SlackWebhook posting to the hook URL with
// client (nil means a client with DefaultTimeout). The URL is a secret:
// it never appears in Name or in errors.
func NewSlackWebhook(hookURL string, client *http.Client) *SlackWebhook {
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &SlackWebhook{url: hookURL, client: client, redact: newRedactor(nil, []string{hookURL})}
}

// Name returns "slack-webhook".
func (w *SlackWebhook) Name() string { return "slack-webhook" }

// Send posts m to the webhook.
func (w *SlackWebhook) Send(ctx context.Context, m Message) (string, error) {
	if m.Attachment != nil {
		return "", &SendError{Err: errors.New("slack webhook: cannot upload files")}
	}
	no := false
	msg := &slack.WebhookMessage{Text: slackutilsx.EscapeMessage(m.Text), UnfurlLinks: &no}
	if len(m.Blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: m.Blocks}
	}
	if err := slack.PostWebhookCustomHTTPContext(ctx, w.url, w.client, msg); err != nil {
		return "", w.redact.error("slack webhook", err)
	}
	return "ok", nil
}

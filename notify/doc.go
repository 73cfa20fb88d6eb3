// Package notify renders entitywatch alerts and delivers them: to Slack
// (a bot with the Web API, or an incoming webhook), to a generic JSON
// webhook signed with HMAC-SHA256, or to the console.
//
// # A tour
//
// An Alert carries everything a message says: a rule applied to the
// Entity List with its changes, a rule quarantined because it could not
// be fully accounted for, a rule on public inspection (an early warning),
// or a problem with entitywatch itself. notify reads nothing on its own;
// the caller (cmd/entitywatch, from the store's outbox) fills the Alert.
//
// Render turns an Alert into a Message: Slack Block Kit blocks and a
// plain-text fallback that reads well alone. A rule alert opens with the
// action and totals ("BIS added 12 entities, effective 2025-03-25"), names
// the document (title linked, effective and publication dates, FR
// document number, citation), then lists the additions under each
// destination, largest first, and the removals, revisions (with the
// fields they change) and moves in sections of their own. RenderOptions
// add aliases or narrow the lists to the destinations a channel cares
// about (the rest is counted in one line).
//
// Slack refuses messages of more than 50 blocks or with sections over
// 3,000 characters, and in practice messages whose blocks hold more than
// about 12,000 characters. Render never cuts a list to fit: when a rule
// does not fit in one message, the message summarizes it (counts per
// destination) and says where the full list is; the list goes in
// Message.Thread, replies each within the limits, and, for senders that
// can upload, in a CSV file. Every message an alert renders to (see
// Message.Parts) is within the limits.
//
// A Sender delivers one part of a message and answers with a receipt
// (Slack's message ts) or an error. SlackBot (chat.postMessage through
// github.com/slack-go/slack) is a Threader: it posts replies in the
// first message's thread and uploads the CSV there. SlackWebhook,
// Webhook and Console post the parts one after the other. Errors are
// *SendError values that say whether trying again can help and how long
// the server asked to wait (Retry-After); they never contain a token, a
// webhook URL or a signing secret.
//
// The Dispatcher delivers an Outbox: for each pending alert, in order,
// and each Route that wants it (by destination), it renders the alert,
// skips what the delivery log says was delivered, sends the remaining
// parts with retry (exponential backoff; exactly the wait a Retry-After
// asks for), records each part's receipt as it goes, and settles the
// alert once every route is done with it. A permanent error (invalid_auth,
// channel_not_found, a message Slack refuses) is recorded as failed and
// logged at error level; the alert waits for an operator to re-queue it.
// An error worth retrying that persists leaves the alert queued and holds
// back that route's later alerts until the next Deliver, so alerts never
// overtake one another.
//
//	d := &notify.Dispatcher{
//		Outbox: outbox, // the store's outbox and delivery log
//		Routes: []notify.Route{
//			{Name: "slack", Sender: notify.NewSlackBot(token, channelID)},
//			{Name: "china-desk", Sender: notify.NewSlackWebhook(hookURL, nil), Countries: []string{"CN", "HK"}},
//		},
//		Log: logger,
//	}
//	err := d.Deliver(ctx)
//
// # Caveats
//
// Delivery is at least once, with a narrow window: a part that Slack
// accepted just before the process died, before its receipt was recorded,
// is sent again on restart. Every other restart resumes exactly after
// the last recorded part (a long message's replies continue in the same
// thread). Webhook sends the same X-Entitywatch-Delivery ID on every
// retry of a part so that receivers can drop duplicates; Slack offers no
// such key.
//
// Resuming relies on rendering the same alert to the same parts. Changing
// a route's options or its destinations, or upgrading entitywatch, while
// an alert is half delivered can repeat or skip part of its full list;
// the delivery log keeps what was sent.
//
// A route's Name keys its delivery log: renaming a route sends it every
// alert still pending. Settled alerts are never sent to routes added
// later.
//
// A permanent error on a route (a revoked token, say) marks each alert
// tried on it failed until the cause is fixed; all of them are reported
// and wait to be re-queued. Rate limits are honoured when Slack answers
// 429; nothing paces messages in advance.
//
// SlackBot uploads files to the channel's ID: configure the channel by ID
// (C...), or let the bot learn the ID from its first post in the process.
// The file upload URL Slack hands out is short-lived and not redacted
// from errors.
//
// Webhook signs the timestamp and the body together (see Sign), so that
// a receiver that checks the timestamp's age refuses replays.
package notify

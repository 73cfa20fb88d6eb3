package notify

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"
)

// Slack's limits, the defaults of RenderOptions.
const (
	// DefaultMaxBlocks is Slack's limit of blocks per message.
	DefaultMaxBlocks = 50
	// DefaultMaxSectionChars is Slack's limit of characters in the text of
	// a section block.
	DefaultMaxSectionChars = 3000
	// DefaultMaxMessageChars bounds the text of all blocks of a message.
	// Slack documents no such limit, but rejects messages whose blocks
	// together hold more than about 12,000 characters with
	// msg_blocks_too_long; 10,000 leaves room for markup.
	DefaultMaxMessageChars = 10000
	// maxHeaderChars is Slack's limit for the text of a header block.
	maxHeaderChars = 150
	// maxFieldChars is Slack's limit for a section field's text.
	maxFieldChars = 2000
	// maxTitleChars and maxWarningChars bound a document title and the
	// warnings the first message of an alert always shows.
	maxTitleChars   = 500
	maxWarningChars = 1000
)

// RenderOptions tune Render. The zero value renders for Slack's limits
// without aliases.
type RenderOptions struct {
	// ShowAliases lists each entity's aliases after its name.
	ShowAliases bool
	// Countries, when set, are the destinations (ISO codes) the reader
	// cares about: a rule's sections list only the changes under them,
	// and one line counts the rest. The header still states the whole
	// rule.
	Countries []string
	// Threaded says the replies of a long message are posted in its
	// thread (Slack's Web API); otherwise they follow it in the channel.
	// It changes only the wording of the summary.
	Threaded bool
	// CSV attaches the full list of a long rule as a CSV file.
	CSV bool
	// MaxBlocks, MaxSectionChars and MaxMessageChars are the limits every
	// rendered message stays within; zero means the default.
	MaxBlocks       int
	MaxSectionChars int
	MaxMessageChars int
}

func (o RenderOptions) withDefaults() RenderOptions {
	if o.MaxBlocks <= 0 {
		o.MaxBlocks = DefaultMaxBlocks
	}
	if o.MaxSectionChars <= 0 {
		o.MaxSectionChars = DefaultMaxSectionChars
	}
	if o.MaxMessageChars <= 0 {
		o.MaxMessageChars = DefaultMaxMessageChars
	}
	// A message holds at least a header, a section and the labels of a
	// thread reply.
	o.MaxBlocks = max(o.MaxBlocks, 8)
	o.MaxSectionChars = max(o.MaxSectionChars, 200)
	o.MaxMessageChars = max(o.MaxMessageChars, o.MaxSectionChars+2*maxHeaderChars+maxFieldChars)
	return o
}

// Render renders an alert as a Slack message, with a plain-text fallback.
// Every message it returns (the first, each reply in Thread) is within
// opt's limits; when a rule's full list does not fit in one message, the
// first message summarizes it and says where the full list is.
func Render(a Alert, opt RenderOptions) Message {
	opt = opt.withDefaults()
	var m Message
	switch a.Kind {
	case KindRuleApplied:
		m = renderRule(a, opt)
	case KindQuarantined:
		m = renderQuarantine(a, opt)
	case KindEarlyWarning:
		m = renderEarlyWarning(a, opt)
	case KindHealth:
		m = renderHealth(a, opt)
	case KindWeeklyReport:
		m = renderWeeklyReport(a, opt)
	default:
		m = renderOther(a, opt)
	}
	m.ID = strconv.FormatUint(a.Seq, 10)
	for i := range m.Thread {
		m.Thread[i].ID = m.ID + "." + strconv.Itoa(i+1)
	}
	alert := a
	m.Alert = &alert
	return m
}

// esc escapes text for Slack's mrkdwn.
func esc(s string) string { return slackutilsx.EscapeMessage(s) }

// link returns a mrkdwn link to url labelled text, or the escaped text
// alone when url is empty.
func link(url, text string) string {
	if url == "" {
		return esc(text)
	}
	return "<" + esc(url) + "|" + strings.ReplaceAll(esc(text), "|", "¦") + ">"
}

func chars(s string) int { return utf8.RuneCountInString(s) }

// cut shortens s to at most n characters, ending with an ellipsis when
// it shortens.
func cut(s string, n int) string {
	if chars(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

func header(s string) slack.Block {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, cut(s, maxHeaderChars), false, false))
}

func section(md string) slack.Block { return slack.NewSectionBlock(mrkdwn(md), nil, nil) }

func contextBlock(md ...string) slack.Block {
	var els []slack.MixedElement
	for _, s := range md {
		els = append(els, mrkdwn(s))
	}
	return slack.NewContextBlock("", els...)
}

// blockChars counts the characters of text in a block, the measure of
// Slack's per-message limit.
func blockChars(b slack.Block) int {
	n := 0
	text := func(t *slack.TextBlockObject) {
		if t != nil {
			n += chars(t.Text)
		}
	}
	switch b := b.(type) {
	case *slack.HeaderBlock:
		text(b.Text)
	case *slack.SectionBlock:
		text(b.Text)
		for _, f := range b.Fields {
			text(f)
		}
	case *slack.ContextBlock:
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				text(t)
			}
		}
	}
	return n
}

func blocksChars(bs []slack.Block) int {
	n := 0
	for _, b := range bs {
		n += blockChars(b)
	}
	return n
}

// line is one line of a section: plain text for the fallback and mrkdwn
// for the block.
type line struct{ text, md string }

// plainLine returns the line of plain text s, escaped for mrkdwn.
func plainLine(s string) line { return line{s, esc(s)} }

// bullet returns s as a list item.
func bullet(s string) line { return line{"• " + s, "• " + esc(s)} }

// group is a titled list: a destination's additions, the removals, the
// revisions, warnings.
type group struct {
	title line
	lines []line
}

// piece is a block with its plain-text fallback.
type piece struct {
	block slack.Block
	text  string
}

// sections renders a group as section blocks within limit characters
// each, continuing the title on each block after the first. A line too
// long for one block is split between words.
func (g group) sections(limit int) []piece {
	var out []piece
	title := line{g.title.text, "*" + g.title.md + "*"}
	cont := line{g.title.text + " (continued)", "*" + g.title.md + "* (continued)"}
	md, text, n := title.md, title.text, 0
	flush := func() {
		out = append(out, piece{section(md), text})
		md, text, n = cont.md, cont.text, 0
	}
	for _, l := range g.lines {
		for _, l := range splitLine(l, limit-chars(cont.md)-1) {
			if n > 0 && chars(md)+1+chars(l.md) > limit {
				flush()
			}
			md += "\n" + l.md
			text += "\n" + l.text
			n++
		}
	}
	if n > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// splitLine splits a line whose mrkdwn is longer than limit characters
// into several, between words where it can.
func splitLine(l line, limit int) []line {
	if chars(l.md) <= limit {
		return []line{l}
	}
	var out []line
	cur := ""
	add := func(s string) {
		if cur != "" && chars(esc(cur+" "+s)) > limit {
			out = append(out, line{cur, esc(cur)})
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += s
	}
	for _, w := range strings.Fields(l.text) {
		for chars(esc(w)) > limit { // a word longer than a line
			r := []rune(w)
			n := min(len(r), limit/5) // room for escapes
			add(string(r[:n]))
			w = string(r[n:])
		}
		add(w)
	}
	if cur != "" {
		out = append(out, line{cur, esc(cur)})
	}
	return out
}

// layout is a message before it is fitted to Slack's limits.
type layout struct {
	head []slack.Block // always in the first message
	body []piece       // in the first message when all fits, else in replies
	tail []slack.Block // always in the first message, after the body
	text string        // the fallback text when the body fits
	// brief replaces body and text when the body does not fit; it is
	// told how many replies carry the body.
	brief func(replies int) (blocks []slack.Block, text string)
	// label titles each reply ("FR Doc. 2025-05426, full list").
	label string
}

// fit places a layout's body in the first message when it fits within
// opt's limits, and otherwise in as many replies as it takes.
func (l layout) fit(opt RenderOptions) Message {
	all := append(append(append([]slack.Block(nil), l.head...), pieceBlocks(l.body)...), l.tail...)
	if len(all) <= opt.MaxBlocks && blocksChars(all) <= opt.MaxMessageChars {
		return Message{Text: l.text, Blocks: all}
	}
	// Each reply starts with a context block naming its part.
	labelChars := chars(l.label) + 40
	var replies [][]piece
	var cur []piece
	n := labelChars
	for _, p := range l.body {
		c := blockChars(p.block)
		if len(cur) > 0 && (len(cur)+2 > opt.MaxBlocks || n+c > opt.MaxMessageChars) {
			replies = append(replies, cur)
			cur, n = nil, labelChars
		}
		cur = append(cur, p)
		n += c
	}
	if len(cur) > 0 {
		replies = append(replies, cur)
	}
	brief, text := l.brief(len(replies))
	m := Message{Text: text, Blocks: append(append(append([]slack.Block(nil), l.head...), brief...), l.tail...)}
	for i, r := range replies {
		label := fmt.Sprintf("%s, part %d of %d", l.label, i+1, len(replies))
		blocks := append([]slack.Block{contextBlock(esc(label))}, pieceBlocks(r)...)
		texts := []string{label + ":"}
		for _, p := range r {
			texts = append(texts, p.text)
		}
		m.Thread = append(m.Thread, Message{Text: strings.Join(texts, "\n\n"), Blocks: blocks})
	}
	return m
}

func pieceBlocks(ps []piece) []slack.Block {
	var out []slack.Block
	for _, p := range ps {
		out = append(out, p.block)
	}
	return out
}

// plural returns "1 entity" or "2 entities".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// joinAnd joins items as "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

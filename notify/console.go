package notify

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// Console writes the text of each message to W: the sink used when no
// other channel is configured. Its receipt is "console".
type Console struct {
	W  io.Writer
	mu sync.Mutex
}

// Name returns "console".
func (c *Console) Name() string { return "console" }

// Send writes m's text, headed by its ID.
func (c *Console) Send(ctx context.Context, m Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	text := m.Text
	if m.Attachment != nil {
		text = m.Attachment.Title + "\n" + m.Attachment.Content
	}
	if _, err := fmt.Fprintf(c.W, "── entitywatch alert %s ──\n%s\n\n", m.ID, text); err != nil {
		return "", &SendError{Err: fmt.Errorf("console: %w", err)}
	}
	return "console", nil
}

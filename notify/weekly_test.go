package notify

import (
	"strings"
	"testing"
)

func TestRender_WeeklyReport(t *testing.T) {
	a := Alert{Seq: 9, Kind: KindWeeklyReport, Title: "Entity List weekly report 2025-W13", Reason: "86 changes in 2 rules: 82 added, 4 revised",
		Report: &File{Name: "entitywatch-2025-W13.html", Title: "2025-W13", Type: "html", Content: "<html></html>"}}
	m := Render(a, RenderOptions{Threaded: true, CSV: true})
	if !strings.Contains(m.Text, "86 changes in 2 rules") || !strings.Contains(m.Text, "entitywatch-2025-W13.html") {
		t.Errorf("text %q", m.Text)
	}
	if m.Attachment == nil || m.Attachment.Name != "entitywatch-2025-W13.html" {
		t.Errorf("attachment %+v", m.Attachment)
	}
	parts := m.Parts()
	if len(parts) != 2 || parts[1].Attachment == nil {
		t.Errorf("parts %+v", parts)
	}
}

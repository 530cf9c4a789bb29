package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/countersign/countersign/internal/historyexport"
	"github.com/countersign/countersign/internal/localapi"
)

// History is bound to the window: the recorded calls, one call in full,
// and the export.
type History struct {
	core Core

	mu   sync.Mutex
	save saveDialog // nil until the window starts (attach)
}

// saveDialog asks the person where to save a file called name (a
// suggestion); "" means they cancelled.
type saveDialog func(name, format string) (string, error)

// ExportResult says where an export went; Path is "" when the person
// cancelled the dialog.
type ExportResult struct {
	Path  string `json:"path"`
	Count int    `json:"count"`
}

// List returns the calls matching q, newest first (q.Before pages on).
func (h *History) List(q localapi.HistoryQuery) ([]localapi.HistoryCall, error) {
	calls, err := h.core.History(context.Background(), q)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return calls, nil
}

// Call returns one recorded call with its result excerpt.
func (h *History) Call(id string) (localapi.HistoryCall, error) {
	c, err := h.core.HistoryCall(context.Background(), id)
	if err != nil {
		return localapi.HistoryCall{}, fmt.Errorf("history call %s: %w", id, err)
	}
	return c, nil
}

// Export asks for a file and writes every call matching q's filters to it
// (q.Limit and q.Before are ignored: all of them), as format "jsonl" or
// "csv", the way `countersign history export --out FILE` does: the same
// bytes, a private (0600) file put in place only when complete.
func (h *History) Export(q localapi.HistoryQuery, format string) (ExportResult, error) {
	if !historyexport.ValidFormat(format) {
		return ExportResult{}, fmt.Errorf("export: format %q: want jsonl or csv", format)
	}
	h.mu.Lock()
	save := h.save
	h.mu.Unlock()
	if save == nil {
		return ExportResult{}, errors.New("export: the window is not ready to ask for a file")
	}
	name := "countersign-history-" + time.Now().Format("2006-01-02") + "." + format
	path, err := save(name, format)
	if err != nil {
		return ExportResult{}, fmt.Errorf("export: save dialog: %w", err)
	}
	if path == "" {
		return ExportResult{}, nil
	}
	q.Limit, q.Before = 0, ""
	n, err := historyexport.WriteFile(path, format, func(fn func(localapi.HistoryCall) error) error {
		return h.core.ExportHistory(context.Background(), q, fn)
	})
	if err != nil {
		return ExportResult{}, err
	}
	return ExportResult{Path: path, Count: n}, nil
}

// attach gives the binding the window's save dialog.
func (h *History) attach(save saveDialog) {
	h.mu.Lock()
	h.save = save
	h.mu.Unlock()
}

// wailsSaveDialog is the native save dialog of the window of ctx.
func wailsSaveDialog(ctx context.Context) saveDialog {
	return func(name, format string) (string, error) {
		filter := runtime.FileFilter{DisplayName: "JSON lines (*.jsonl)", Pattern: "*.jsonl"}
		if format == historyexport.CSV {
			filter = runtime.FileFilter{DisplayName: "CSV (*.csv)", Pattern: "*.csv"}
		}
		return runtime.SaveFileDialog(ctx, runtime.SaveDialogOptions{
			Title: "Export call history", DefaultFilename: name, Filters: []runtime.FileFilter{filter},
			CanCreateDirectories: true,
		})
	}
}

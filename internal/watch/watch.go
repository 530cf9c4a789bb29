package watch

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/countersign/countersign/internal/clients"
)

// Options configures a Watcher.
type Options struct {
	// Env is the machine to watch (clients.EnvFromOS(), or a temp HOME).
	Env clients.Env
	// Notify receives each change, on the watcher's goroutine, in order. It
	// must not block for long; a panic in it is logged and the watcher goes on.
	Notify func(Event)
	// Log receives watch errors; nil means slog.Default().
	Log *slog.Logger
	// Debounce is the quiet time after the last file event before the
	// configs are read again; 0 means 200 ms.
	Debounce time.Duration
	// Retries is how many times a file that does not parse is read again
	// (clients write non-atomically, so a half-written file is normal for a
	// moment) before it is reported broken; 0 means 3, at Debounce intervals.
	Retries int
}

// Watcher watches the config files of every supported client under one Env.
// Create it with New, run it with Run; Wrote and Snapshot are safe to call
// from any goroutine.
type Watcher struct {
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	own   map[string][sha256.Size]byte // real path -> bytes we last wrote
	state map[fileKey]fileState        // baseline per file
	ran   bool
	ready chan struct{}
}

type fileKey struct{ client, path string }

type fileState struct {
	client  clients.Client // without Configs
	cfg     clients.Config
	sum     [sha256.Size]byte
	hasSum  bool
	retries int  // reads of a file that did not parse, before reporting it
	pending bool // seen only half written so far: never reported
}

// New prepares a watcher; nothing is watched until Run.
func New(opts Options) (*Watcher, error) {
	if opts.Env.Home == "" {
		return nil, errors.New("watch: no home directory in env")
	}
	if opts.Debounce <= 0 {
		opts.Debounce = 200 * time.Millisecond
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &Watcher{opts: opts, log: log.With("component", "watch"), own: map[string][sha256.Size]byte{}, state: map[fileKey]fileState{}, ready: make(chan struct{})}, nil
}

// Ready is closed once Run has read the baseline and placed its watches:
// changes made after that are reported.
func (w *Watcher) Ready() <-chan struct{} { return w.ready }

// Wrote tells the watcher that Countersign itself wrote data to path, so
// a file holding exactly these bytes is not reported as a change. Call it
// right after the write (before is fine too); no timing window is used.
func (w *Watcher) Wrote(path string, data []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.own[realPath(path)] = sha256.Sum256(data)
}

// Snapshot returns the clients and configs as last seen (the baseline
// changes are computed against): clients in table order, files by path.
func (w *Watcher) Snapshot() []clients.Client {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []clients.Client
	idx := map[string]int{}
	for _, s := range clients.Specs() {
		for _, k := range w.sortedKeys() {
			if k.client != s.ID {
				continue
			}
			st := w.state[k]
			if st.pending {
				continue
			}
			i, ok := idx[s.ID]
			if !ok {
				c := st.client
				c.Configs = nil
				out = append(out, c)
				i = len(out) - 1
				idx[s.ID] = i
			}
			out[i].Configs = append(out[i].Configs, st.cfg)
		}
	}
	return out
}

// Run watches until ctx ends, then closes its watches and returns. The
// work happens on the goroutine that calls Run (run it with go); Notify is
// called from it. It reads every config once at the start (the baseline; no
// events for it). It returns an error only when watching cannot start.
func (w *Watcher) Run(ctx context.Context) error {
	w.mu.Lock()
	if w.ran {
		w.mu.Unlock()
		return errors.New("watch: Run called twice")
	}
	w.ran = true
	w.mu.Unlock()

	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	l := &loop{w: w, fw: fw, watched: map[string]bool{}}
	defer fw.Close()
	l.baseline()
	l.sync()
	close(w.ready)
	l.run(ctx)
	return nil
}

// realPath resolves symlinks when it can (the file may not exist).
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return filepath.Clean(p)
}

func hashFile(path string) ([sha256.Size]byte, bool) {
	b, _, err := clients.ReadConfig(path)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(b), true
}

// sortedKeys orders the files by path. Caller holds w.mu.
func (w *Watcher) sortedKeys() []fileKey {
	keys := make([]fileKey, 0, len(w.state))
	for k := range w.state {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].path < keys[j].path })
	return keys
}

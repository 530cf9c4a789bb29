package watch

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/countersign/countersign/internal/clients"
)

// loop is the state of Run's goroutine; only that goroutine touches it.
type loop struct {
	w       *Watcher
	fw      *fsnotify.Watcher
	watched map[string]bool // directories with a watch
	wanted  []string        // parent directories of every target
	files   map[string]bool // paths that matter (targets, config paths, link targets)
	globs   []string        // project glob patterns
	timer   *time.Timer
	timerC  <-chan time.Time
}

func (l *loop) env() clients.Env { return l.w.opts.Env }

// discover runs clients.Discover, which isolates each file; a panic left
// anyway is contained here so watching goes on.
func (l *loop) discover() (found []clients.Client, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			l.w.log.Error("client discovery failed", "panic", fmt.Sprint(r))
			found, ok = nil, false
		}
	}()
	return clients.Discover(l.env()), true
}

// baseline records the current configs without raising events.
func (l *loop) baseline() {
	found, _ := l.discover()
	l.w.mu.Lock()
	defer l.w.mu.Unlock()
	for _, c := range found {
		for _, cfg := range c.Configs {
			st := fileState{client: clientOnly(c), cfg: cfg}
			st.sum, st.hasSum = hashFile(cfg.Path)
			l.w.state[fileKey{c.ID, cfg.Path}] = st
		}
	}
}

func clientOnly(c clients.Client) clients.Client {
	c.Configs = nil
	return c
}

// sync places watches on the parent directory of every target, or on its
// nearest existing ancestor while the directory does not exist yet.
func (l *loop) sync() {
	files := map[string]bool{}
	var globs []string
	dirs := map[string]bool{}
	for _, t := range clients.WatchTargets(l.env()) {
		p := filepath.Clean(t.Path)
		if t.Glob {
			globs = append(globs, p)
		} else {
			files[p] = true
		}
		dirs[filepath.Dir(p)] = true
	}
	l.w.mu.Lock()
	for _, st := range l.w.state {
		files[filepath.Clean(st.cfg.Path)] = true
		if st.cfg.RealPath != "" {
			files[filepath.Clean(st.cfg.RealPath)] = true
			dirs[filepath.Dir(st.cfg.RealPath)] = true
		}
	}
	l.w.mu.Unlock()
	l.files, l.globs, l.wanted = files, globs, nil
	want := map[string]bool{}
	for d := range dirs {
		l.wanted = append(l.wanted, d)
		if a := existingAncestor(d); a != "" {
			want[a] = true
		}
	}
	sort.Strings(l.wanted)
	for d := range want {
		if l.watched[d] {
			continue
		}
		if err := l.fw.Add(d); err != nil {
			l.w.log.Warn("cannot watch directory", "dir", d, "err", err)
			continue
		}
		l.watched[d] = true
	}
	for d := range l.watched {
		if !want[d] {
			_ = l.fw.Remove(d) // the directory may be gone already
			delete(l.watched, d)
		}
	}
}

func existingAncestor(d string) string {
	for {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

func (l *loop) run(ctx context.Context) {
	l.timer = time.NewTimer(time.Hour)
	l.timer.Stop()
	defer l.timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-l.fw.Events:
			if !ok {
				return
			}
			l.handle(ev)
		case err, ok := <-l.fw.Errors:
			if !ok {
				return
			}
			// an overflow loses events: read everything again
			l.w.log.Warn("config watch error", "err", err)
			l.schedule()
		case <-l.timerC:
			l.timerC = nil
			l.rescan()
		}
	}
}

// schedule (re)starts the debounce timer.
func (l *loop) schedule() {
	l.timer.Reset(l.w.opts.Debounce)
	l.timerC = l.timer.C
}

func (l *loop) handle(ev fsnotify.Event) {
	if ev.Op == fsnotify.Chmod {
		return // Spotlight, vim and backup tools touch modes all the time
	}
	name := filepath.Clean(ev.Name)
	if l.relevant(name) {
		l.schedule()
	}
	// a directory on the way to a config dir appeared or went away, or a
	// watched directory was removed: move the watches
	if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if l.watched[name] || l.onTheWay(name) {
			l.sync()
			l.schedule() // a file may have been created before the watch was placed
		}
	}
}

func (l *loop) relevant(name string) bool {
	if l.files[name] {
		return true
	}
	for _, g := range l.globs {
		if ok, _ := filepath.Match(g, name); ok {
			return true
		}
	}
	return false
}

// onTheWay is true when name is a wanted directory or one of its ancestors.
func (l *loop) onTheWay(name string) bool {
	for _, d := range l.wanted {
		if d == name || strings.HasPrefix(d, name+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// rescan reads every config again and reports the differences.
func (l *loop) rescan() {
	found, ok := l.discover()
	if !ok {
		return
	}
	now := time.Now().UTC()
	next := map[fileKey]fileState{}
	var events []Event
	retry := false

	l.w.mu.Lock()
	for _, c := range found {
		for _, cfg := range c.Configs {
			k := fileKey{c.ID, cfg.Path}
			old, had := l.w.state[k]
			st := fileState{client: clientOnly(c), cfg: cfg}
			st.sum, st.hasSum = hashFile(cfg.Path)
			ev := Event{Time: now, ClientID: c.ID, ClientName: c.Name, Path: cfg.Path, Scope: cfg.Scope, Servers: []ServerChange{}}
			switch {
			case cfg.Error != "" && (!had || old.pending || old.cfg.Error == ""):
				// maybe half written: read again before calling it broken
				if old.retries < l.w.opts.Retries {
					if had && !old.pending {
						old.retries++
						next[k] = old // keep the last good state meanwhile
					} else {
						next[k] = fileState{client: st.client, cfg: clients.Config{Path: cfg.Path, Scope: cfg.Scope, Adapter: cfg.Adapter},
							pending: true, retries: old.retries + 1}
					}
					retry = true
					continue
				}
				ev.File, ev.Error = FileBroken, cfg.Error
				st.cfg.Servers = lastGood(old, had)
				events = append(events, ev)
			case cfg.Error != "":
				st.cfg.Servers = old.cfg.Servers // still broken: keep the last good servers
				if old.cfg.Error != cfg.Error {
					ev.File, ev.Error = FileBroken, cfg.Error
					events = append(events, ev)
				}
			case st.hasSum && l.ownWrite(cfg.Path, st.sum):
				// our own write: new baseline, no event
			default:
				l.forgetOwn(cfg.Path, st.sum, st.hasSum)
				switch {
				case !had || old.pending:
					ev.File = FileAdded
				case old.cfg.Error != "":
					ev.File = FileRepaired
				default:
					ev.File = FileChanged
				}
				ev.Servers = diffServers(lastGood(old, had), cfg.Servers)
				if len(ev.Servers) > 0 || ev.File != FileChanged {
					events = append(events, ev)
				}
			}
			next[k] = st
		}
	}
	for k, old := range l.w.state {
		if _, ok := next[k]; ok || old.pending {
			continue
		}
		ev := Event{Time: now, ClientID: k.client, ClientName: old.client.Name, Path: k.path, Scope: old.cfg.Scope, File: FileRemoved,
			Servers: diffServers(old.cfg.Servers, nil)}
		events = append(events, ev)
	}
	l.w.state = next
	l.w.mu.Unlock()

	sort.SliceStable(events, func(i, j int) bool {
		if events[i].ClientID != events[j].ClientID {
			return events[i].ClientID < events[j].ClientID
		}
		return events[i].Path < events[j].Path
	})
	for _, ev := range events {
		l.notify(ev)
	}
	l.sync() // a config may now be a link elsewhere
	if retry {
		l.schedule()
	}
}

func lastGood(old fileState, had bool) []clients.Server {
	if had && !old.pending {
		return old.cfg.Servers
	}
	return []clients.Server{}
}

// ownWrite reports whether path holds the bytes Countersign last wrote
// there. Caller holds w.mu.
func (l *loop) ownWrite(path string, sum [sha256.Size]byte) bool {
	s, ok := l.w.own[realPath(path)]
	return ok && s == sum
}

// forgetOwn drops the record of our write once the file holds other bytes.
// Caller holds w.mu.
func (l *loop) forgetOwn(path string, sum [sha256.Size]byte, hasSum bool) {
	rp := realPath(path)
	if s, ok := l.w.own[rp]; ok && (!hasSum || s != sum) {
		delete(l.w.own, rp)
	}
}

func (l *loop) notify(ev Event) {
	if l.w.opts.Notify == nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			l.w.log.Error("config change handler panicked", "panic", fmt.Sprint(r), "file", ev.Path)
		}
	}()
	l.w.opts.Notify(ev)
}

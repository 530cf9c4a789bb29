package app

import (
	"context"
	"log/slog"

	"github.com/countersign/countersign/internal/broker"
)

// Event names the frontend listens to (frontend/src/lib/api.ts mirrors them).
const (
	// EventApprovalAdded carries a broker.Event whose call started waiting.
	EventApprovalAdded = "approvals:added"
	// EventApprovalRemoved carries a broker.Event whose call stopped waiting,
	// with its outcome.
	EventApprovalRemoved = "approvals:removed"
	// EventApprovalsResync tells the window to re-read the pending set: events
	// may have been missed (first subscription, or the broker dropped a
	// subscriber that fell behind).
	EventApprovalsResync = "approvals:resync"
	// EventRulesChanged tells the window to re-read the rules after a change
	// made anywhere: this app, the CLI, an "always" decision.
	EventRulesChanged = "rules:changed"
	// EventPauseChanged carries the pause state now in force: "" (not
	// paused), "deny" or "ask".
	EventPauseChanged = "pause:changed"
	// EventCoreError carries the error that stopped the core's LocalAPI:
	// shims cannot reach it any more and deny their calls.
	EventCoreError = "core:error"
	// EventHistoryAdded carries a localapi.HistoryCall the core just
	// recorded (new, or an earlier call updated with its result).
	EventHistoryAdded = "history:added"
	// EventHistoryResync tells the History page that recorded calls may have
	// been missed (first subscription, or it fell behind): re-read it.
	EventHistoryResync = "history:resync"
)

// forwardPolicy tells the window about every policy change until ctx ends.
func forwardPolicy(ctx context.Context, c Core, emit func(name string, data ...any)) {
	changes, cancel := c.SubscribePolicy()
	defer cancel()
	emit(EventPauseChanged, string(c.Pause()))
	for {
		select {
		case <-ctx.Done():
			return
		case p, ok := <-changes:
			if !ok {
				return
			}
			emit(EventRulesChanged)
			emit(EventPauseChanged, string(p.Pause))
		}
	}
}

// forward relays broker events to the window until ctx ends. The broker
// closes a subscription that falls behind; forward then subscribes again and
// asks the window to resync, so a burst of calls cannot leave the window
// showing a stale pending set.
func forward(ctx context.Context, c Core, emit func(name string, data ...any), log *slog.Logger) {
	for {
		events, cancel := c.Subscribe()
		emit(EventApprovalsResync)
		dropped := relay(ctx, events, emit)
		cancel()
		if !dropped {
			return
		}
		log.Warn("app: window fell behind the broker's events; resubscribing")
	}
}

// relay emits events until ctx ends (false) or the channel closes (true).
func relay(ctx context.Context, events <-chan broker.Event, emit func(string, ...any)) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-events:
			if !ok {
				return ctx.Err() == nil
			}
			switch ev.Kind {
			case "added":
				emit(EventApprovalAdded, ev)
			case "removed":
				emit(EventApprovalRemoved, ev)
			}
		}
	}
}

// forwardCalls relays the calls the core records to the window until ctx
// ends. Like forward, it subscribes again when the core drops it for
// falling behind, and tells the window to re-read the history.
func forwardCalls(ctx context.Context, c Core, emit func(name string, data ...any), log *slog.Logger) {
	for {
		calls, cancel := c.SubscribeCalls()
		emit(EventHistoryResync)
		dropped := func() bool {
			for {
				select {
				case <-ctx.Done():
					return false
				case call, ok := <-calls:
					if !ok {
						return ctx.Err() == nil
					}
					emit(EventHistoryAdded, call)
				}
			}
		}()
		cancel()
		if !dropped {
			return
		}
		log.Warn("app: window fell behind the recorded calls; resubscribing")
	}
}

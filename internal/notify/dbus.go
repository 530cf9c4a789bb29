package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The freedesktop Notifications service, version 1.2 of the specification.
const (
	busName   = "org.freedesktop.Notifications"
	objPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	iface     = "org.freedesktop.Notifications"
	appName   = "Countersign"
	desktopID = "countersign" // build/linux/countersign.desktop
)

// ErrUnavailable means no notification service is on the session bus (or
// no session bus at all): there is nobody to show a notification.
var ErrUnavailable = errors.New("no freedesktop notification service on the session bus")

// Notification is what one notification says.
type Notification struct {
	Summary string
	Body    string        // plain text; markup characters are escaped
	Expire  time.Duration // 0: the server's default
	// Actions are buttons besides the click on the notification itself
	// (action DefaultAction), for servers that show them.
	Actions []Action
}

// Action is one button of a notification: ID comes back to the activate
// function when the person presses it.
type Action struct {
	ID    string
	Label string
}

// DefaultAction is the action of a click on the notification itself.
const DefaultAction = "default"

// DBus sends notifications over one private session-bus connection. Its
// methods are safe for concurrent use.
type DBus struct {
	conn     *dbus.Conn
	activate func(key, action string)
	signals  chan *dbus.Signal
	done     chan struct{} // closed when the signal reader returned

	mu  sync.Mutex
	ids map[string]uint32 // key → id of the notification shown for it
}

// Connect opens a private connection to the session bus and checks that a
// notification service is there or can be started by the bus. activate, if
// not nil, is called with a notification's key and the action the person
// chose: DefaultAction for a click on it, or the ID of one of its Actions.
func Connect(activate func(key, action string)) (*DBus, error) {
	conn, err := dbus.ConnectSessionBus() // a connection of its own, not the shared one
	if err != nil {
		return nil, fmt.Errorf("notify: %w: %v", ErrUnavailable, err)
	}
	return open(conn, activate)
}

// ConnectAddress is Connect for the bus at address (tests use a private bus).
func ConnectAddress(address string, activate func(key, action string)) (*DBus, error) {
	conn, err := dbus.Connect(address)
	if err != nil {
		return nil, fmt.Errorf("notify: %w: %v", ErrUnavailable, err)
	}
	return open(conn, activate)
}

func open(conn *dbus.Conn, activate func(key, action string)) (*DBus, error) {
	ok, err := serviceExists(conn)
	if err != nil || !ok {
		conn.Close()
		if err != nil {
			return nil, fmt.Errorf("notify: %w: %v", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("notify: %w", ErrUnavailable)
	}
	d := &DBus{conn: conn, activate: activate, ids: map[string]uint32{}, signals: make(chan *dbus.Signal, 16), done: make(chan struct{})}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(objPath), dbus.WithMatchInterface(iface)); err != nil {
		conn.Close()
		return nil, fmt.Errorf("notify: watch notification signals: %w", err)
	}
	conn.Signal(d.signals)
	go d.readSignals()
	return d, nil
}

// serviceExists reports whether the service runs or is D-Bus activatable.
func serviceExists(conn *dbus.Conn) (bool, error) {
	var has bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, busName).Store(&has); err != nil {
		return false, fmt.Errorf("ask the bus for %s: %w", busName, err)
	}
	if has {
		return true, nil
	}
	var activatable []string
	if err := conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return false, fmt.Errorf("list activatable names: %w", err)
	}
	return slices.Contains(activatable, busName), nil
}

// Notify shows n under key, replacing the notification shown for key before.
// Clicking it calls the activate function given to Connect with key.
func (d *DBus) Notify(ctx context.Context, key string, n Notification) error {
	d.mu.Lock()
	replaces := d.ids[key]
	d.mu.Unlock()
	expire := int32(-1)
	if n.Expire > 0 {
		expire = int32(min(n.Expire, time.Hour) / time.Millisecond)
	}
	hints := map[string]dbus.Variant{
		"urgency":       dbus.MakeVariant(byte(1)), // normal: a person is waited for, nothing is broken
		"desktop-entry": dbus.MakeVariant(desktopID),
	}
	actions := []string{DefaultAction, "Open Countersign"}
	for _, a := range n.Actions {
		actions = append(actions, a.ID, a.Label)
	}
	var id uint32
	err := d.conn.Object(busName, objPath).CallWithContext(ctx, iface+".Notify", 0,
		appName, replaces, desktopID, n.Summary, escape(n.Body), actions, hints, expire).Store(&id)
	if err != nil {
		var de dbus.Error
		if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.ServiceUnknown" {
			return fmt.Errorf("notify: %w", ErrUnavailable)
		}
		return fmt.Errorf("notify: send %q: %w", n.Summary, err)
	}
	d.mu.Lock()
	d.ids[key] = id
	d.mu.Unlock()
	return nil
}

// Withdraw closes the notification shown for key, if any.
func (d *DBus) Withdraw(ctx context.Context, key string) error {
	d.mu.Lock()
	id, ok := d.ids[key]
	delete(d.ids, key)
	d.mu.Unlock()
	if !ok {
		return nil
	}
	if err := d.conn.Object(busName, objPath).CallWithContext(ctx, iface+".CloseNotification", 0, id).Err; err != nil {
		return fmt.Errorf("notify: withdraw %s: %w", key, err)
	}
	return nil
}

// Close ends the connection and waits for the signal reader.
func (d *DBus) Close() error {
	err := d.conn.Close()
	<-d.done
	if err != nil {
		return fmt.Errorf("notify: close: %w", err)
	}
	return nil
}

// readSignals forgets closed notifications and reports clicks, until the
// connection closes (godbus then closes the channel).
func (d *DBus) readSignals() {
	defer close(d.done)
	for sig := range d.signals {
		if len(sig.Body) < 1 {
			continue
		}
		id, _ := sig.Body[0].(uint32)
		key, ok := d.keyOf(id, sig.Name == iface+".NotificationClosed")
		if !ok {
			continue
		}
		if sig.Name == iface+".ActionInvoked" && d.activate != nil {
			action := DefaultAction
			if len(sig.Body) > 1 {
				if a, ok := sig.Body[1].(string); ok {
					action = a
				}
			}
			d.activate(key, action)
		}
	}
}

// keyOf finds the key id was shown for, forgetting it when forget is set.
func (d *DBus) keyOf(id uint32, forget bool) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, v := range d.ids {
		if v == id {
			if forget {
				delete(d.ids, k)
			}
			return k, true
		}
	}
	return "", false
}

// escape makes text safe for servers that render the body as markup (the
// specification allows a small HTML subset).
func escape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, s[i])
		}
	}
	return string(b)
}

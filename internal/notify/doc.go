// Package notify shows desktop notifications through the freedesktop
// Notifications service (org.freedesktop.Notifications on the D-Bus session
// bus), the service every Linux desktop and notification daemon (GNOME Shell,
// KDE Plasma, dunst, xfce4-notifyd, mako) implements.
//
// It owns one private session-bus connection and the ids of the
// notifications it showed, so a notification can be replaced or withdrawn by
// the caller's key (a pending call's id); a click, or one of the action
// buttons a notification carries, comes back with that key. It never decides when to notify and
// never puts anything in a notification the caller did not give it; the
// desktop app (app/) decides, and passes only redacted text.
package notify

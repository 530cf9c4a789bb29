// Package watch owns noticing changes to AI client config files: fsnotify
// watches on the parent directories of every config path a client would
// read (editors and clients replace files by rename, which detaches a watch
// on the file itself), a debounce, re-discovery through package clients, and
// a diff of server entries per file (added, removed, changed, with a flag
// for servers that are not protected by Countersign).
//
// It ignores changes Countersign made itself: the writer reports the bytes
// it wrote (Wrote) and a file holding exactly those bytes raises no event.
// It never writes a config, never "repairs" an edit, and never reports a
// secret value (servers are described by clients.Server, which holds field
// names only).
package watch

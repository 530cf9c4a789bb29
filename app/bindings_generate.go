//go:build bindings

package app

// GeneratingBindings is true in the run `wails build` makes to generate the
// frontend bindings (build tag "bindings"). main.go opens no core then: that
// run only needs the bound types, and must not touch the user's state.
const GeneratingBindings = true

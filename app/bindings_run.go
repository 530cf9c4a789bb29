//go:build !bindings

package app

// GeneratingBindings is false in every real build; see bindings_generate.go.
const GeneratingBindings = false

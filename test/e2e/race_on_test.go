//go:build race

package e2e

// raceBuild: the tests run under -race, so TestMain builds countersign with -race
// too, and a data race reported by the daemon or a shim fails the test.
const raceBuild = true

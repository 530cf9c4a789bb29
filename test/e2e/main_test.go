package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	// csBin is the countersign binary under test, built once by TestMain.
	csBin string
	// e2eDir is the absolute path of test/e2e (driver.mjs, node_modules).
	e2eDir string
	// everythingJS and filesystemJS are the entry files of the pinned npm servers.
	everythingJS string
	filesystemJS string
	driverJS     string
)

func TestMain(m *testing.M) {
	// The test binary doubles as the raw recording MCP server (see recorder_test.go);
	// the shim starts it with these arguments, so no test runs in that mode.
	if len(os.Args) >= 4 && os.Args[1] == recorderRoleArg {
		os.Exit(runRecorder(os.Args[2], os.Args[3]))
	}
	os.Exit(setupAndRun(m))
}

func setupAndRun(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: getwd:", err)
		return 1
	}
	e2eDir = wd
	repoRoot := filepath.Join(wd, "..", "..")
	driverJS = filepath.Join(wd, "driver.mjs")
	everythingJS = filepath.Join(wd, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js")
	filesystemJS = filepath.Join(wd, "node_modules", "@modelcontextprotocol", "server-filesystem", "dist", "index.js")

	if _, err := exec.LookPath("node"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: node (>= 20) is required on PATH:", err)
		return 1
	}
	if _, err := os.Stat(filepath.Join(wd, "node_modules", "@modelcontextprotocol", "sdk")); err != nil {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = wd
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: npm ci in test/e2e:", err)
			return 1
		}
	}
	for _, f := range []string{everythingJS, filesystemJS} {
		if _, err := os.Stat(f); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: pinned npm server missing (package.json changed?):", err)
			return 1
		}
	}

	// COUNTERSIGN_E2E_BIN runs the suite against an already built binary
	// (e.g. build/bin/countersign from `make build`) instead of building one.
	if prebuilt := os.Getenv("COUNTERSIGN_E2E_BIN"); prebuilt != "" {
		abs, err := filepath.Abs(prebuilt)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e: COUNTERSIGN_E2E_BIN:", err)
			return 1
		}
		csBin = abs
		return m.Run()
	}
	binDir, err := os.MkdirTemp("", "cse2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		return 1
	}
	defer os.RemoveAll(binDir)
	csBin = filepath.Join(binDir, "countersign")
	args := []string{"build", "-o", csBin}
	if raceBuild {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/countersign")...)
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/countersign: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

package core

import (
	"reflect"
	"testing"
)

func TestShimSecretRefs(t *testing.T) {
	for _, tc := range []struct {
		desc    string
		args    []string
		name    string
		secrets []string
	}{
		{"none", []string{"shim", "--name", "fs", "--", "npx", "server"}, "fs", nil},
		{"env and header, sorted, distinct", []string{"shim", "--name", "gh", "--env", "B=secret:zeta", "--env=A=secret:alpha",
			"--header", "Authorization: Bearer secret:zeta", "--", "x"}, "gh", []string{"alpha", "zeta"}},
		{"after -- belongs to the server", []string{"shim", "--name", "s", "--", "cmd", "--env", "K=secret:not-ours"}, "s", nil},
		{"malformed specs skipped", []string{"shim", "--env", "K=plaintext", "--env", "K=secret:bad name", "--env", "OK=secret:good"}, "", []string{"good"}},
		{"flag without value at the end", []string{"shim", "--name"}, "", nil},
		{"--name= form", []string{"shim", "--name=x", "--env", "K=secret:k"}, "x", []string{"k"}},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			name, secrets := ShimSecretRefs(tc.args)
			if name != tc.name || !reflect.DeepEqual(secrets, tc.secrets) {
				t.Errorf("ShimSecretRefs(%q) = %q, %q; want %q, %q", tc.args, name, secrets, tc.name, tc.secrets)
			}
		})
	}
}

func TestRedactHeldArgs(t *testing.T) {
	key := "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
	got := string(RedactHeldArgs([]byte(`{"token":"` + key + `","path":"/tmp"}`)))
	if got != `{"token":"«redacted»","path":"/tmp"}` {
		t.Errorf("RedactHeldArgs = %s", got)
	}
	plain := []byte(`{"path":"/tmp"}`)
	if out := RedactHeldArgs(plain); &out[0] != &plain[0] {
		t.Error("unchanged arguments were copied")
	}
}

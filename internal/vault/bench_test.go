package vault

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchInput builds a JSON tool argument of about size bytes: English-like
// text and a base64 blob (the realistic shape of a large argument), with
// a GitHub token and a stored secret's value at the end when hit is set.
func benchInput(size int, hit bool) []byte {
	rng := rand.New(rand.NewPCG(7, 9))
	blob := make([]byte, size/2)
	for i := range blob {
		blob[i] = byte(rng.Uint32())
	}
	var b bytes.Buffer
	b.WriteString(`{"content":"`)
	words := []string{"the ", "task-list ", "skeleton ", "ask ", "risk ", "Bearer ", "token ", "eyes ", "AKIN ", "xox ", "ghost ", "\\n", "sk ", "desk-", "secret "}
	for b.Len() < size/2 {
		b.WriteString(words[rng.IntN(len(words))])
	}
	b.WriteString(`","image":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(blob)[:size/2-40])
	if hit {
		b.WriteString(" ghp_" + body(36) + " stored-" + body(20))
	}
	b.WriteString(`"}`)
	return b.Bytes()
}

func benchSecrets(n int) map[string]string {
	m := map[string]string{}
	for i := range n {
		m[fmt.Sprintf("s%d", i)] = fmt.Sprintf("stored-%d-", i) + body(20)
	}
	m["hit"] = "stored-" + body(20)
	return m
}

func BenchmarkScan(b *testing.B) {
	r := mustRedactor(b, benchSecrets(10))
	for _, size := range []int{1 << 10, 64 << 20} {
		for _, hit := range []bool{false, true} {
			in := benchInput(size, hit)
			name := fmt.Sprintf("%dKiB/hit=%v", size>>10, hit)
			b.Run("ContainsSecretShape/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					if ContainsSecretShape(in) != hit {
						b.Fatal("wrong answer")
					}
				}
			})
			b.Run("Contains/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					if (len(r.Contains(in)) > 0) != hit {
						b.Fatal("wrong answer")
					}
				}
			})
			b.Run("Redact/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					if out := r.Redact(in); (len(out) != len(in)) != hit {
						b.Fatal("wrong answer")
					}
				}
			})
		}
	}
}

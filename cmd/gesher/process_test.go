package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gesher-cs/gesher/internal/channel/api"
	"github.com/gesher-cs/gesher/internal/demo"

	"github.com/gesher-cs/gesher/internal/store"
)

// TestMain lets the test binary stand in for the gesher binary: run with GESHER_BE_MAIN=1 it
// is the real command, so process tests start real servers without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("GESHER_BE_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// node is a gesher process started by a test.
type node struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *strings.Builder
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// gesher runs a gesher command to completion and returns its standard output.
func gesher(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GESHER_BE_MAIN=1")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("gesher %v: %v\n%s", args, err, stderr)
	}
	return string(out)
}

// start starts "gesher <verb> --addr … --db dsn" and waits until it is ready.
func start(t *testing.T, verb, dsn, data string) *node {
	t.Helper()
	addr := freeAddr(t)
	n := &node{t: t, url: "http://" + addr, logs: &strings.Builder{}}
	n.cmd = exec.Command(os.Args[0], verb, "--addr", addr, "--smtp-addr", freeAddr(t), "--db", dsn, "--data", data, "--hook-rate", "0", "--log-level", "warn")
	n.cmd.Env = append(os.Environ(), "GESHER_BE_MAIN=1")
	n.cmd.Stdout = io.Discard
	n.cmd.Stderr = &syncWriter{b: n.logs}
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.kill() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(n.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return n
			}
		}
		if time.Now().After(deadline) || n.cmd.ProcessState != nil {
			t.Fatalf("gesher %s did not become ready:\n%s", verb, n.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL: no shutdown, no flush, nothing in memory survives.
func (n *node) kill() {
	if n.cmd.Process != nil && n.cmd.ProcessState == nil {
		_ = n.cmd.Process.Signal(syscall.SIGKILL)
		_ = n.cmd.Wait()
	}
}

// post sends a signed message to the demo API channel and returns the status (0 if the
// connection failed, which is what a provider sees when the server dies mid-request).
func (n *node) post(id, phone, text string) int {
	body := fmt.Sprintf(`{"id":%q,"from":{"phone":%q},"text":%q}`, id, phone, text)
	req, _ := http.NewRequest("POST", n.url+"/hooks/api/"+demo.APIChannel, strings.NewReader(body))
	req.Header.Set(api.SignatureHeader, api.Sign(demo.APISecret, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// api calls the API with a bearer token and returns the body.
func (n *node) api(token, path string) (int, string) {
	req, _ := http.NewRequest("GET", n.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type syncWriter struct {
	mu chan struct{}
	b  *strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	if w.mu == nil {
		w.mu = make(chan struct{}, 1)
	}
	w.mu <- struct{}{}
	defer func() { <-w.mu }()
	return w.b.Write(p)
}

func dataDir(t *testing.T) string { return filepath.Join(t.TempDir(), "data") }

// storedTimes counts, per provider id with the given prefix, the messages stored for it: what
// the durability tests compare with what the server acknowledged (each exactly once).
func storedTimes(t *testing.T, db *store.DB, prefix string) map[string]int {
	t.Helper()
	out := map[string]int{}
	rows, err := db.Query(context.Background(), `SELECT external_id, COUNT(*) FROM messages WHERE external_id LIKE ? GROUP BY external_id`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var c int
		if err := rows.Scan(&id, &c); err != nil {
			t.Fatal(err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, to create databases
)

// proc is a server process started by the harness: gesher, or the bare ceiling handler.
type proc struct {
	name string
	cmd  *exec.Cmd
	url  string
	logs *lockedBuffer
	done chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the last megabyte or so: enough to say why it died
		l.b.Reset()
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startProc starts name with the arguments args gives for a free loopback address and waits
// for ready, a path answering 200. It returns the time from process start to the first 200.
func startProc(ctx context.Context, name, bin string, args func(addr string) []string, ready string) (*proc, time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, 0, err
	}
	p := &proc{name: name, url: "http://" + addr, logs: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args(addr)...)
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = p.logs
	poll := &http.Client{Timeout: time.Second}
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, 0, err
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	deadline := start.Add(60 * time.Second)
	for {
		resp, err := poll.Get(p.url + ready)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(start), nil
			}
		}
		select {
		case <-p.done:
			return nil, 0, fmt.Errorf("%s exited before it was ready:\n%s", name, tail(p.logs.String()))
		case <-ctx.Done():
			p.stop()
			return nil, 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, 0, fmt.Errorf("%s not ready after 60 s:\n%s", name, tail(p.logs.String()))
		}
	}
}

// startGesher runs "gesher <verb>" on dsn with its own data folder and no webhook rate limit.
func startGesher(ctx context.Context, bin, verb, dsn, data string) (*proc, time.Duration, error) {
	args := func(addr string) []string {
		return []string{verb, "--addr", addr, "--smtp-addr", "", "--db", dsn, "--data", data, "--hook-rate", "0", "--log-level", "warn"}
	}
	return startProc(ctx, "gesher "+verb, bin, args, "/readyz")
}

// stop ends the process with SIGTERM, then SIGKILL if it lingers.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// rssMB reads the resident set size of the process from /proc.
func (p *proc) rssMB() (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("no VmRSS line")
}

func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}

// serveCeiling is the bare handler the ceiling is measured against: it reads the webhook body
// and answers a small JSON, with nothing between.
func serveCeiling(addr string) error {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"accepted":1,"duplicates":0}`))
	})
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

// pgCluster is a throwaway PostgreSQL cluster with the server's durable defaults (fsync on,
// synchronous commit on), unlike the test cluster of scripts/with-postgres.sh, which turns
// both off: the figures must compare with SQLite's synchronous(FULL) commits.
type pgCluster struct {
	bin, dir, data string
	port           int
	asPostgres     bool
	admin          *sql.DB
}

func pgBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a < b
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("PostgreSQL is not installed (run scripts/ensure-deps.sh), or pass -pg URL")
}

func startPG(ctx context.Context) (*pgCluster, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gesher-bench-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), asPostgres: os.Geteuid() == 0}
	if c.asPostgres {
		// initdb refuses root; the cluster belongs to the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, portText, _ := net.SplitHostPort(addr)
	c.port, _ = strconv.Atoi(portText)
	if err := c.run(ctx, fmt.Sprintf("%s/initdb -D %s -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null", bin, c.data)); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c max_connections=200", c.port, dir)
	if err := c.run(ctx, fmt.Sprintf("%s/pg_ctl -D %s -l %s/server.log -w -o '%s' start >/dev/null", bin, c.data, dir, opts)); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.admin, err = sql.Open("pgx", c.url("postgres"))
	if err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func (c *pgCluster) run(ctx context.Context, script string) error {
	var cmd *exec.Cmd
	if c.asPostgres {
		cmd = exec.CommandContext(ctx, "su", "postgres", "-s", "/bin/sh", "-c", script)
	} else {
		cmd = exec.CommandContext(ctx, "/bin/sh", "-c", script)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", script, err, out)
	}
	return nil
}

func (c *pgCluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// createDB makes an empty database and returns its URL.
func (c *pgCluster) createDB(ctx context.Context, name string) (string, error) {
	if _, err := c.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return c.url(name), nil
}

func (c *pgCluster) stop() {
	if c.admin != nil {
		c.admin.Close()
	}
	_ = c.run(context.Background(), fmt.Sprintf("%s/pg_ctl -D %s -m fast -w stop >/dev/null 2>&1", c.bin, c.data))
	os.RemoveAll(c.dir)
}

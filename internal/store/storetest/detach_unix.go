//go:build unix

package storetest

import "syscall"

// detached puts the watcher in its own process group, so that a signal aimed at the test
// process (go test's timeout, a Ctrl-C) does not kill the watcher before it cleans up.
func detached() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

package main

import (
	"net"
	"os"
	"testing"
)

// Links texted to customers must be absolute and openable: a server listening on every
// address names the machine, not 0.0.0.0.
func TestListenURLIsALinkACustomerCanOpen(t *testing.T) {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"0.0.0.0:8080":   "http://" + net.JoinHostPort(host, "8080"),
		"[::]:9000":      "http://" + net.JoinHostPort(host, "9000"),
		"[::1]:9000":     "http://[::1]:9000",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := listenURL(tcp); got != want {
			t.Errorf("listenURL(%s) = %s, want %s", addr, got, want)
		}
	}
}

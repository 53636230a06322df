package main

import (
	"fmt"
	"os"
	"time"
)

// jobEnv reads two settings that are deliberately not flags: only tests and operators
// debugging a cluster need them. GESHER_JOB_LEASE (a Go duration such as "3s") shortens how
// long a node holds a claimed job, so a test can watch a surviving node take over the jobs of
// one it killed without waiting the default two minutes; GESHER_NODE_ID names the node in the
// jobs table's locked_by column, so the test knows whose jobs those were.
func jobEnv() (lease time.Duration, nodeID string, err error) {
	if v := os.Getenv("GESHER_JOB_LEASE"); v != "" {
		if lease, err = time.ParseDuration(v); err != nil || lease <= 0 {
			return 0, "", fmt.Errorf("GESHER_JOB_LEASE: %q is not a positive duration such as 30s", v)
		}
	}
	return lease, os.Getenv("GESHER_NODE_ID"), nil
}

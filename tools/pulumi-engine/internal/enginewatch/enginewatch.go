// Package enginewatch ends a plugin whose engine is gone.
//
// The engine stops its plugins when it exits normally, but a `pulumi` killed with SIGKILL (an OOM kill, a CI job
// cancelled, `kill -9`) cannot: its plugins would keep running, each holding memory and loopback ports, until the
// machine reboots. The official plugins watch the engine's gRPC health service for this; ours do the same.
package enginewatch

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
)

// Interval between two health checks of the engine.
const Interval = 2 * time.Second

// ExitWhenGone checks the engine's health service at engineAddress every Interval and exits the process with status 1
// once the engine stops answering. An empty address (a plugin started by hand) watches nothing.
func ExitWhenGone(plugin, engineAddress string) {
	if engineAddress == "" {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := rpcutil.Healthcheck(ctx, engineAddress, Interval, cancel); err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot watch the engine at %s: %v\n", plugin, engineAddress, err)
		cancel()
		return
	}
	go func() {
		<-ctx.Done()
		fmt.Fprintf(os.Stderr, "%s: the engine at %s no longer answers; exiting\n", plugin, engineAddress)
		os.Exit(1)
	}()
}

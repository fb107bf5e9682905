// Command pulumi-language-nodejs is this project's Node.js language host for the Pulumi engine.
//
// The official host (module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not served by the
// Go module proxy reachable from our machines, so we build this replacement from the Pulumi Go SDK, which is. It
// implements what the engine needs to run Node.js programs and plugins:
//
//   - Run (run.go) starts `node <@pulumi/pulumi>/cmd/run` (found by walking up from the program directory to a
//     node_modules that holds @pulumi/pulumi) with the flags that script reads (--parallel among them, which it
//     exports as PULUMI_NODEJS_PARALLEL) and PULUMI_NODEJS_TYPESCRIPT / PULUMI_NODEJS_TSCONFIG_PATH. The stack's
//     configuration reaches the program through an inherited pipe, not the environment (config.go): no size limit,
//     and nothing (secrets included) on disk or in /proc/<pid>/environ.
//   - RunPlugin (run_plugin.go) runs a plugin written in Node.js from its directory: a policy pack (kind analyzer,
//     `@pulumi/pulumi/cmd/run-policy-pack`, behind the Go SDK's PolicyProxy, which learns the stack configuration
//     from the engine before the pack starts) or a resource provider (`@pulumi/pulumi/cmd/run-plugin`). Their output
//     is streamed back to the engine, which reads the plugin's port from it.
//   - Cancel interrupts the programs in flight (SIGINT, SIGKILL 5 s later), as the official host does; plugins end
//     when the engine closes their RunPlugin stream.
//   - GetRequiredPlugins/GetRequiredPackages report nothing: the engine then loads each provider plugin when the
//     program first registers one of its resources, from the plugin cache (PULUMI_HOME/plugins) or next to `pulumi`.
//   - InstallDependencies does nothing (dependencies are installed by npm for the whole repository).
//
// Runtime options read from Pulumi.yaml / PulumiPolicy.yaml / PulumiPlugin.yaml (`runtime.options`): typescript
// (default true, as in the official host), tsconfig, nodeargs. Anything else the engine may ask (code generation,
// packing, templates) answers Unimplemented.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"pulumi-sps/tools/pulumi-engine/internal/enginewatch"
)

// version is set at link time to the engine version this host was built with.
var version = "0.0.0-dev"

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	// cancelled ends when the engine calls Cancel; programs in flight are interrupted then.
	cancelled context.Context
	cancel    context.CancelFunc
}

func main() {
	// The engine passes its own address as the last positional argument; flags before it are ignored.
	var engineAddress string
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			engineAddress = arg
		}
	}

	enginewatch.ExitWhenGone("pulumi-language-nodejs", engineAddress)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: cannot listen on loopback: %v\n", err)
		os.Exit(1)
	}
	server := grpc.NewServer(grpc.MaxRecvMsgSize(400 * 1024 * 1024))
	cancelled, cancel := context.WithCancel(context.Background())
	pulumirpc.RegisterLanguageRuntimeServer(server, &languageHost{
		engineAddress: engineAddress, cancelled: cancelled, cancel: cancel,
	})

	// The engine reads the port from the first line of our stdout.
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *languageHost) InstallDependencies(
	_ *pulumirpc.InstallDependenciesRequest,
	_ grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return nil
}

func (h *languageHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

// Cancel is the engine's cancellation (Ctrl-C, `pulumi cancel` of a running update): the programs in flight are
// interrupted. The engine first signals its providers and analyzers, so steps in flight settle on their side.
func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancel()
	return &emptypb.Empty{}, nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// pluginKindAnalyzer is RunPluginRequest.kind for a policy pack (apitype.AnalyzerPlugin).
const pluginKindAnalyzer = "analyzer"

// RunPlugin runs a plugin written in Node.js from its directory (RunPluginRequest.info.program_directory, holding
// PulumiPolicy.yaml or PulumiPlugin.yaml) and streams its stdout and stderr to the engine, which reads the plugin's
// gRPC port from the first line of stdout. The stream ends with the plugin; the engine ends the plugin by closing it.
//
//   - kind "analyzer", a policy pack: `node <@pulumi/pulumi>/cmd/run-policy-pack <engine> <pack dir>`, working
//     directory the pack. @pulumi/policy reads the stack (project, stack, organization, dry run, config) from the
//     environment at start, but the engine sends it later, in the analyzer's ConfigureStack call. The Go SDK's
//     PolicyProxy answers the engine as the analyzer first, collects that call, and then forwards every call to the
//     pack, started with what it learnt (config through the pipe, see config.go).
//   - any other kind (a resource provider): `node <@pulumi/pulumi>/cmd/run-plugin <plugin dir> <args>`, working
//     directory RunPluginRequest.pwd.
func (h *languageHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	ctx := server.Context()
	streams, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer streams.Close()

	info := req.GetInfo()
	if info == nil || info.GetProgramDirectory() == "" {
		return errors.New("RunPlugin: the request names no plugin directory (info.program_directory)")
	}
	dir := info.GetProgramDirectory()
	options := structToMap(info.GetOptions())
	env := req.GetEnv()
	if len(env) == 0 {
		env = os.Environ()
	}
	env = append(env, runtimeEnv(options)...)

	if req.GetKind() == pluginKindAnalyzer {
		err = h.runPolicyPack(ctx, req, dir, options, env, stdout, stderr)
	} else {
		err = h.runResourcePlugin(ctx, req, dir, options, env, stdout, stderr)
	}
	if err != nil {
		return err
	}
	return streams.Close()
}

func (h *languageHost) runResourcePlugin(
	ctx context.Context, req *pulumirpc.RunPluginRequest, dir string, options map[string]any, env []string,
	stdout, stderr io.Writer,
) error {
	script, err := findPulumiModule(dir, "run-plugin")
	if err != nil {
		return err
	}
	args := append(nodeArgs(options), script, dir)
	args = append(args, req.GetArgs()...)
	cmd, err := startNode(ctx, req.GetPwd(), args, env, nil, stdout, stderr)
	if err != nil {
		return err
	}
	return pluginExit(req, cmd.Wait())
}

func (h *languageHost) runPolicyPack(
	ctx context.Context, req *pulumirpc.RunPluginRequest, dir string, options map[string]any, env []string,
	stdout, stderr io.Writer,
) error {
	script, err := findPulumiModule(dir, "run-policy-pack")
	if err != nil {
		return fmt.Errorf("%w (run npm install in the policy pack's directory or a parent)", err)
	}
	proxy, packStdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("cannot start the policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("the engine sent no stack configuration for the policy pack: %w", err)
	}
	var config *programConfig
	if stack != nil {
		for key, value := range map[string]string{
			"PULUMI_NODEJS_ORGANIZATION": stack.GetOrganization(),
			"PULUMI_NODEJS_PROJECT":      stack.GetProject(),
			"PULUMI_NODEJS_STACK":        stack.GetStack(),
			"PULUMI_NODEJS_DRY_RUN":      strconv.FormatBool(stack.GetDryRun()),
		} {
			if value != "" {
				env = append(env, key+"="+value)
			}
		}
		config = &programConfig{Config: stack.GetConfig(), SecretKeys: stack.GetConfigSecretKeys()}
	}
	// run-policy-pack takes the engine address (RunPluginRequest.args) and then the pack's directory.
	args := append(nodeArgs(options), script)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)
	cmd, err := startNode(ctx, dir, args, env, config, packStdout, stderr)
	if err != nil {
		proxy.Abort(err)
		return err
	}
	return pluginExit(req, proxy.Attach(ctx, cmd))
}

// pluginExit turns the plugin process's end into the RunPlugin result: nil for exit status 0.
func pluginExit(req *pulumirpc.RunPluginRequest, err error) error {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return fmt.Errorf("plugin %s in %s exited with code %d", req.GetKind(), req.GetInfo().GetProgramDirectory(),
			exitErr.ExitCode())
	}
	return err
}

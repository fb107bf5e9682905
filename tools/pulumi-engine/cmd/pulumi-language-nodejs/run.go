package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitCodeErrorAlreadyReported is what @pulumi/pulumi's run script exits with after it has logged a
// user-actionable error itself; the engine must then not print a second, generic error ("bail").
const exitCodeErrorAlreadyReported = 32

// Run executes the program: `node [nodeargs] --require <config preload> <@pulumi/pulumi>/cmd/run <flags> <entry>`.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	rootDir := programDir
	entryPoint := req.GetProgram()
	var options map[string]any
	if info != nil {
		if info.GetProgramDirectory() != "" {
			programDir = info.GetProgramDirectory()
		}
		if info.GetRootDirectory() != "" {
			rootDir = info.GetRootDirectory()
		}
		if info.GetEntryPoint() != "" {
			entryPoint = info.GetEntryPoint()
		}
		options = structToMap(info.GetOptions())
	}
	if entryPoint == "" {
		entryPoint = "."
	}

	runScript, err := findPulumiModule(programDir, "run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := nodeArgs(options)
	args = append(args, runScript,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.engineAddress,
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+req.GetPwd(),
		"--root-directory="+rootDir,
	)
	if req.GetOrganization() != "" {
		args = append(args, "--organization="+req.GetOrganization())
	}
	// The engine's parallelism (`pulumi up --parallel N`, default 4 × GOMAXPROCS, or PULUMI_PARALLEL): the run script
	// exports it as PULUMI_NODEJS_PARALLEL for the program, as with the official host.
	if req.GetParallel() > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(req.GetParallel())))
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetQueryMode() {
		args = append(args, "--query-mode")
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	env := append(os.Environ(), runtimeEnv(options)...)
	config := &programConfig{Config: req.GetConfig(), SecretKeys: req.GetConfigSecretKeys()}

	// Interrupted by the engine's Cancel, or when the engine drops the request.
	runCtx, stop := context.WithCancel(h.cancelled)
	defer stop()
	context.AfterFunc(ctx, stop)
	cmd, err := startNode(runCtx, req.GetPwd(), args, env, config, os.Stdout, os.Stderr)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeErrorAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			if h.cancelled.Err() != nil {
				return &pulumirpc.RunResponse{Error: "the program was interrupted: the update was cancelled"}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("node did not run: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

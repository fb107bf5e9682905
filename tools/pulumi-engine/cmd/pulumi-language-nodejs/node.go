package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/structpb"
)

// interruptGrace is how long an interrupted node process gets between SIGINT and SIGKILL.
const interruptGrace = 5 * time.Second

// startNode starts `node [--require <config preload>] args...` in dir with env, its output to stdout and stderr.
// With config, the configuration goes through a pipe (config.go). When ctx ends, node gets SIGINT and, if still
// running interruptGrace later, SIGKILL. The caller waits for the returned command.
func startNode(
	ctx context.Context, dir string, args, env []string, config *programConfig, stdout, stderr io.Writer,
) (*exec.Cmd, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not on PATH: %w", err)
	}
	var pipe *configPipe
	if config != nil {
		if pipe, err = newConfigPipe(config); err != nil {
			return nil, err
		}
		args = append([]string{"--require", pipe.preload}, args...)
	}
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	if pipe != nil {
		pipe.attach(cmd)
	}
	if err := cmd.Start(); err != nil {
		if pipe != nil {
			pipe.abandon()
		}
		return nil, fmt.Errorf("cannot start node: %w", err)
	}
	if pipe != nil {
		pipe.send()
	}
	return cmd, nil
}

// findPulumiModule walks up from dir to the nearest node_modules/@pulumi/pulumi/cmd/<name> (run, run-plugin,
// run-policy-pack), the way Node resolves the program's own copy of @pulumi/pulumi.
func findPulumiModule(dir, name string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", name)
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("no node_modules/@pulumi/pulumi/cmd/%s found in %s or any parent directory: run npm install",
		name, abs)
}

// nodeArgs are the runtime option `nodeargs`, split at white space.
func nodeArgs(options map[string]any) []string {
	return strings.Fields(stringOption(options, "nodeargs", ""))
}

// runtimeEnv is what @pulumi/pulumi's scripts read of the runtime options: TypeScript (default on) and tsconfig.
func runtimeEnv(options map[string]any) []string {
	env := []string{"PULUMI_NODEJS_TYPESCRIPT=" + strconv.FormatBool(boolOption(options, "typescript", true))}
	if tsconfig := stringOption(options, "tsconfig", ""); tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	return env
}

func structToMap(s *structpb.Struct) map[string]any {
	if s == nil {
		return nil
	}
	return s.AsMap()
}

func boolOption(options map[string]any, key string, fallback bool) bool {
	switch v := options[key].(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return fallback
}

func stringOption(options map[string]any, key, fallback string) string {
	if v, ok := options[key].(string); ok {
		return v
	}
	return fallback
}

// Command pulumi-resource-command is this project's build of the Pulumi "command" resource provider, serving the
// local half of the schema that @pulumi/command (the version in package-lock.json) speaks: the resource
// command:local:Command and the function command:local:run.
//
// Why our own: the official provider (github.com/pulumi/pulumi-command/provider) is not served by the Go module proxy
// reachable from our machines ("403 This module version is not available"), and no plugin download works here. This
// provider is deliberately small and follows the documented behaviour of local commands:
//
//   - create runs `create` with the interpreter (default /bin/sh -c) in `dir`, with `environment` added to the
//     provider's environment and `stdin` on standard input; stdout/stderr (trailing newline trimmed) are outputs.
//   - a change of `triggers` replaces the resource; a change of any other input updates it, running `update` (or
//     `create` when `update` is empty); delete runs `delete` if set, with PULUMI_COMMAND_STDOUT/STDERR holding the
//     last outputs.
//   - a non-zero exit fails the step with the command's stderr tail.
//   - read (refresh) returns the recorded state unchanged: a local command has nothing to read back.
//
// assetPaths/archivePaths are not supported and are reported as check failures, so a program never silently
// depends on them. The provider does not accept secrets (Configure says so), so the engine keeps secret inputs
// secret in state itself.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	"pulumi-sps/tools/pulumi-engine/internal/enginewatch"
)

// version is set at link time to the @pulumi/command version this plugin serves.
var version = "0.0.0-dev"

const (
	commandType = "command:local:Command"
	runFunction = "command:local:run"
	// unknownValue is the engine's marker for a value not known during preview.
	unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
)

var commandInputs = []string{"create", "update", "delete", "dir", "environment", "interpreter", "stdin", "triggers"}

type provider struct {
	pulumirpc.UnimplementedResourceProviderServer
}

func main() {
	// The engine passes its own address as the last positional argument; flags before it are ignored.
	var engineAddress string
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			engineAddress = arg
		}
	}
	enginewatch.ExitWhenGone("pulumi-resource-command", engineAddress)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: cannot listen on loopback: %v\n", err)
		os.Exit(1)
	}
	server := grpc.NewServer()
	pulumirpc.RegisterResourceProviderServer(server, &provider{})
	fmt.Printf("%d\n", listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-command: %v\n", err)
		os.Exit(1)
	}
}

func (p *provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"command","version":%q}`, version)}, nil
}

func (p *provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *provider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: false, SupportsPreview: false}, nil
}

func (p *provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if err := requireType(req.GetType(), req.GetUrn()); err != nil {
		return nil, err
	}
	news := asMap(req.GetNews())
	var failures []*pulumirpc.CheckFailure
	for _, unsupported := range []string{"assetPaths", "archivePaths"} {
		if v, ok := news[unsupported]; ok && v != nil {
			failures = append(failures, &pulumirpc.CheckFailure{
				Property: unsupported,
				Reason:   unsupported + " is not supported by this build of the command provider; remove it",
			})
		}
	}
	if create, ok := news["create"]; ok && create != nil {
		if _, isString := create.(string); !isString {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "create", Reason: "create must be a string"})
		}
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

func (p *provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds, news := asMap(req.GetOlds()), asMap(req.GetNews())
	var diffs, replaces []string
	for _, key := range commandInputs {
		if !reflect.DeepEqual(olds[key], news[key]) {
			diffs = append(diffs, key)
			if key == "triggers" {
				replaces = append(replaces, key)
			}
		}
	}
	changes := pulumirpc.DiffResponse_DIFF_NONE
	if len(diffs) > 0 {
		changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return &pulumirpc.DiffResponse{Changes: changes, Diffs: diffs, Replaces: replaces}, nil
}

func (p *provider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs := asMap(req.GetProperties())
	outputs, err := runAndRecord(ctx, inputs, stringValue(inputs["create"]), nil)
	if err != nil {
		return nil, err
	}
	props, err := structpb.NewStruct(outputs)
	if err != nil {
		return nil, err
	}
	id := req.GetName()
	if id == "" {
		id = "command"
	}
	return &pulumirpc.CreateResponse{Id: id + "-" + strconv.FormatInt(time.Now().UnixNano(), 36), Properties: props}, nil
}

func (p *provider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	inputs := asMap(req.GetNews())
	command := stringValue(inputs["update"])
	if command == "" {
		command = stringValue(inputs["create"])
	}
	outputs, err := runAndRecord(ctx, inputs, command, nil)
	if err != nil {
		return nil, err
	}
	props, err := structpb.NewStruct(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *provider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	state := asMap(req.GetProperties())
	if command := stringValue(state["delete"]); command != "" {
		extra := []string{
			"PULUMI_COMMAND_STDOUT=" + stringValue(state["stdout"]),
			"PULUMI_COMMAND_STDERR=" + stringValue(state["stderr"]),
		}
		if _, _, err := run(ctx, state, command, extra); err != nil {
			return nil, err
		}
	}
	return &emptypb.Empty{}, nil
}

func (p *provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *provider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != runFunction {
		return nil, status.Errorf(codes.Unimplemented, "unknown function %s", req.GetTok())
	}
	args := asMap(req.GetArgs())
	outputs, err := runAndRecord(ctx, args, stringValue(args["command"]), nil)
	if err != nil {
		return nil, err
	}
	ret, err := structpb.NewStruct(outputs)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}

// runAndRecord runs command (if any) and returns the inputs with stdout and stderr added.
func runAndRecord(ctx context.Context, inputs map[string]any, command string, extraEnv []string) (map[string]any, error) {
	outputs := make(map[string]any, len(inputs)+2)
	for k, v := range inputs {
		outputs[k] = v
	}
	stdout, stderr := "", ""
	if command != "" {
		var err error
		stdout, stderr, err = run(ctx, inputs, command, extraEnv)
		if err != nil {
			return nil, err
		}
	}
	outputs["stdout"] = stdout
	outputs["stderr"] = stderr
	return outputs, nil
}

func run(ctx context.Context, inputs map[string]any, command string, extraEnv []string) (string, string, error) {
	interpreter := []string{"/bin/sh", "-c"}
	if list, ok := inputs["interpreter"].([]any); ok && len(list) > 0 {
		interpreter = interpreter[:0]
		for _, part := range list {
			interpreter = append(interpreter, stringValue(part))
		}
	}
	cmd := exec.CommandContext(ctx, interpreter[0], append(append([]string{}, interpreter[1:]...), command)...)
	cmd.Dir = stringValue(inputs["dir"])
	cmd.Env = os.Environ()
	if env, ok := inputs["environment"].(map[string]any); ok {
		keys := make([]string, 0, len(env))
		for k := range env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			cmd.Env = append(cmd.Env, k+"="+stringValue(env[k]))
		}
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	if stdin := stringValue(inputs["stdin"]); stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return "", "", fmt.Errorf("command exited with code %d: %s", exitErr.ExitCode(), tail(stderr.String(), 2000))
		}
		return "", "", fmt.Errorf("cannot run command with %s: %w", interpreter[0], err)
	}
	return strings.TrimSuffix(stdout.String(), "\n"), strings.TrimSuffix(stderr.String(), "\n"), nil
}

// requireType accepts command:local:Command only; the type comes from the request or, for older engines, the URN
// (urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>).
func requireType(typ, urn string) error {
	if typ == "" {
		if parts := strings.Split(urn, "::"); len(parts) >= 4 {
			chain := parts[2]
			typ = chain[strings.LastIndex(chain, "$")+1:]
		}
	}
	if typ != "" && typ != commandType {
		return status.Errorf(codes.InvalidArgument, "unknown resource type %s: this build serves %s only", typ, commandType)
	}
	return nil
}

func asMap(s *structpb.Struct) map[string]any {
	if s == nil {
		return map[string]any{}
	}
	return s.AsMap()
}

func stringValue(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		if s == unknownValue {
			return ""
		}
		return s
	default:
		return fmt.Sprint(s)
	}
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// The stack configuration reaches a Node.js program or policy pack through a pipe the process inherits, not through
// the environment variable PULUMI_CONFIG that @pulumi/pulumi reads at start: Linux refuses to start a process any
// one of whose environment strings exceeds 128 KiB (MAX_ARG_STRLEN), so a large config value (a firmware image map,
// a certificate bundle) made `node` fail with "argument list too long"; and an environment is readable in
// /proc/<pid>/environ for the process's life, decrypted secrets included. The pipe leaves nothing on disk.
//
// The preload script (pulumi-language-nodejs-config.cjs, installed next to this binary) runs first in node via
// --require: it reads the pipe named by PULUMI_SPS_CONFIG_FD to its end, closes it (no child inherits it), and sets
// PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS in the process's own environment (process.env), where @pulumi/pulumi
// reads them — an in-process environment has no size limit and does not appear in /proc/<pid>/environ.

// configPreloadName is the preload script's file name, next to the language host.
const configPreloadName = "pulumi-language-nodejs-config.cjs"

// configFDVariable names the file descriptor of the pipe in the node process.
const configFDVariable = "PULUMI_SPS_CONFIG_FD"

// programConfig is what the preload script reads: the two variables @pulumi/pulumi expects, as their JSON text.
type programConfig struct {
	Config     map[string]string
	SecretKeys []string
}

type configPipe struct {
	preload string
	payload []byte
	reader  *os.File
	writer  *os.File
}

func newConfigPipe(config *programConfig) (*configPipe, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot locate the language host: %w", err)
	}
	preload := filepath.Join(filepath.Dir(self), configPreloadName)
	if _, err := os.Stat(preload); err != nil {
		return nil, fmt.Errorf("%s is missing next to the language host (%v): run scripts/install-pulumi-engine.sh",
			configPreloadName, err)
	}
	values := config.Config
	if values == nil {
		values = map[string]string{}
	}
	secretKeys := config.SecretKeys
	if secretKeys == nil {
		secretKeys = []string{}
	}
	configJSON, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(map[string]string{
		"PULUMI_CONFIG":             string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS": string(secretKeysJSON),
	})
	if err != nil {
		return nil, err
	}
	reader, writer, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("cannot create the configuration pipe: %w", err)
	}
	return &configPipe{preload: preload, payload: payload, reader: reader, writer: writer}, nil
}

// attach hands the pipe's read end to cmd (as file descriptor 3 + its position in ExtraFiles) and names it.
func (p *configPipe) attach(cmd *exec.Cmd) {
	cmd.ExtraFiles = append(cmd.ExtraFiles, p.reader)
	fd := 3 + len(cmd.ExtraFiles) - 1
	cmd.Env = append(cmd.Env, configFDVariable+"="+strconv.Itoa(fd))
}

// send writes the configuration once the process has started; node reads it before the program runs. A process that
// exits without reading ends the write with EPIPE, which is ignored (its exit status tells what happened).
func (p *configPipe) send() {
	_ = p.reader.Close()
	go func() {
		_, _ = p.writer.Write(p.payload)
		_ = p.writer.Close()
	}()
}

// abandon closes both ends when the process did not start.
func (p *configPipe) abandon() {
	_ = p.reader.Close()
	_ = p.writer.Close()
}

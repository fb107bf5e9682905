// Engine plugins this project builds itself (see scripts/install-pulumi-engine.sh).
//
// The install script copies this folder into a workspace beside ../pkg and ../sdk, which are the Pulumi Go modules
// of the engine version from the Go module cache, and builds there. The placeholder versions below are resolved by
// those replaces, so the engine version is named in one place only (engine-version beside this file). Requiring
// pkg/v3 aligns every shared dependency with the `pulumi` CLI build, so the Go build cache is shared between them.
module pulumi-sps/tools/pulumi-engine

go 1.25

replace github.com/pulumi/pulumi/sdk/v3 => ../sdk

replace github.com/pulumi/pulumi/pkg/v3 => ../pkg

require (
	github.com/pulumi/pulumi/pkg/v3 v3.0.0-00010101000000-000000000000
	github.com/pulumi/pulumi/sdk/v3 v3.0.0-00010101000000-000000000000
)

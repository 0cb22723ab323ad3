// The seed example (examples/seed/main.ts) in Go, on the jsii-pacmak Go module.
//
// An nginx app whose image has no tcpdump. Debug is off by default;
// CDK8S_DEBUG=true adds a tcpdump sidecar to the same Pod (same network
// namespace), with NET_RAW and nothing else. Same chart id, construct ids,
// props and debug options as the TypeScript example, so the manifests must be
// byte-identical (scripts/test-languages.sh compares them).
//
// Run: CDK8S_DEBUG=true CDK8S_OUTDIR=out go run .   (writes out/seed.k8s.yaml; `go build` makes ./seed)
package main

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-debuggable/cdk8s-debuggable-go/cdk8sdebuggable"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

// SeedChartProps are the optional knobs of the seed chart.
type SeedChartProps struct {
	// Override the app image (the end-to-end tests use a local one).
	AppImage *string
	// The app image's pull policy.
	AppImagePullPolicy cdk8splus27.ImagePullPolicy
	// Extra debug options; Tools defaults to tcpdump.
	Debug *cdk8sdebuggable.DebugOptions
}

// SeedChart is a cdk8s Chart holding the debuggable nginx Deployment and its Service.
type SeedChart struct {
	cdk8s.Chart
	Web cdk8sdebuggable.DebuggableDeployment
}

// NewSeedChart builds the seed chart under scope.
func NewSeedChart(scope constructs.Construct, id string, props *SeedChartProps) *SeedChart {
	if props == nil {
		props = &SeedChartProps{}
	}
	chart := cdk8s.NewChart(scope, jsii.String(id), nil)

	image := props.AppImage
	if image == nil {
		image = jsii.String("docker.io/nginxinc/nginx-unprivileged:1.27.3")
	}
	debug := cdk8sdebuggable.DebugOptions{}
	if props.Debug != nil {
		debug = *props.Debug
	}
	if debug.Tools == nil {
		debug.Tools = &[]cdk8sdebuggable.DebugTool{cdk8sdebuggable.DebugTool_TCPDUMP()}
	}

	web := cdk8sdebuggable.NewDebuggableDeployment(chart, jsii.String("my-nginx"), &cdk8sdebuggable.DebuggableDeploymentProps{
		Replicas: jsii.Number(1),
		Containers: &[]*cdk8splus27.ContainerProps{{
			Name:            jsii.String("nginx"),
			Image:           image,
			ImagePullPolicy: props.AppImagePullPolicy,
			PortNumber:      jsii.Number(8080),
			SecurityContext: &cdk8splus27.ContainerSecurityContextProps{User: jsii.Number(101), Group: jsii.Number(101)},
			VolumeMounts: &[]*cdk8splus27.VolumeMount{{
				Path:   jsii.String("/tmp"),
				Volume: cdk8splus27.Volume_FromEmptyDir(chart, jsii.String("tmp"), jsii.String("tmp"), nil),
			}},
		}},
		Debug: &debug,
	})
	web.ExposeViaService(&cdk8splus27.DeploymentExposeViaServiceOptions{
		Name:  jsii.String("my-nginx"),
		Ports: &[]*cdk8splus27.ServicePort{{Port: jsii.Number(80), TargetPort: jsii.Number(8080)}},
	})
	return &SeedChart{Chart: chart, Web: web}
}

func main() {
	defer jsii.Close()
	app := cdk8s.NewApp(nil)
	NewSeedChart(app, "seed", nil)
	app.Synth()
}

// The first example of the README (examples/seed/main.ts) in Go, on the
// jsii-pacmak Go module.
//
// Same chart id, construct ids, props and debug options as the TypeScript
// example, so the manifests must be byte-identical (scripts/test-languages.sh
// compares them, debug off and with CDK8S_DEBUG=true).
//
// Run: CDK8S_DEBUG=true CDK8S_OUTDIR=out go run .   (writes out/seed.k8s.yaml; `go build` makes ./seed)
package main

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk8s-debuggable/cdk8s-debuggable-go/cdk8sdebuggable"
	"github.com/cdk8s-team/cdk8s-core-go/cdk8s/v2"
	"github.com/cdk8s-team/cdk8s-plus-go/cdk8splus27/v2"
)

func main() {
	defer jsii.Close()
	app := cdk8s.NewApp(nil)
	chart := cdk8s.NewChart(app, jsii.String("seed"), nil)
	web := cdk8sdebuggable.NewDebuggableDeployment(chart, jsii.String("my-nginx"), &cdk8sdebuggable.DebuggableDeploymentProps{
		Replicas: jsii.Number(1),
		Containers: &[]*cdk8splus27.ContainerProps{{
			Name:            jsii.String("nginx"),
			Image:           jsii.String("docker.io/nginxinc/nginx-unprivileged:1.27.3"),
			PortNumber:      jsii.Number(8080),
			SecurityContext: &cdk8splus27.ContainerSecurityContextProps{User: jsii.Number(101), Group: jsii.Number(101)},
			// cdk8s-plus mounts the root filesystem read-only, and nginx writes to /tmp.
			VolumeMounts: &[]*cdk8splus27.VolumeMount{{
				Path:   jsii.String("/tmp"),
				Volume: cdk8splus27.Volume_FromEmptyDir(chart, jsii.String("tmp"), jsii.String("tmp"), nil),
			}},
		}},
		Debug: &cdk8sdebuggable.DebugOptions{
			Tools: &[]cdk8sdebuggable.DebugTool{cdk8sdebuggable.DebugTool_TCPDUMP()},
		},
	})
	web.ExposeViaService(&cdk8splus27.DeploymentExposeViaServiceOptions{
		Name:  jsii.String("my-nginx"),
		Ports: &[]*cdk8splus27.ServicePort{{Port: jsii.Number(80), TargetPort: jsii.Number(8080)}},
	})
	app.Synth()
}

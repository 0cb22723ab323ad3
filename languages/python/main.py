"""The first example of the README (examples/seed/main.ts) in Python, on the jsii-built wheel.

Same chart id, construct ids, props and debug options as the TypeScript
example, so the manifests must be byte-identical (scripts/test-languages.sh
compares them, debug off and with CDK8S_DEBUG=true).

Run: CDK8S_DEBUG=true CDK8S_OUTDIR=out python main.py  (writes out/seed.k8s.yaml)
"""
import cdk8s_plus_27 as kplus
from cdk8s import App, Chart
from cdk8s_debuggable import DebuggableDeployment, DebugOptions, DebugTool

app = App()
chart = Chart(app, "seed")
web = DebuggableDeployment(
    chart,
    "my-nginx",
    replicas=1,
    containers=[
        kplus.ContainerProps(
            name="nginx",
            image="docker.io/nginxinc/nginx-unprivileged:1.27.3",
            port_number=8080,
            security_context=kplus.ContainerSecurityContextProps(user=101, group=101),
            # cdk8s-plus mounts the root filesystem read-only, and nginx writes to /tmp.
            volume_mounts=[kplus.VolumeMount(path="/tmp", volume=kplus.Volume.from_empty_dir(chart, "tmp", "tmp"))],
        )
    ],
    debug=DebugOptions(tools=[DebugTool.TCPDUMP]),
)
web.expose_via_service(name="my-nginx", ports=[kplus.ServicePort(port=80, target_port=8080)])
app.synth()

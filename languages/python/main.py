"""The seed example (examples/seed/main.ts) in Python, on the jsii-built wheel.

An nginx app whose image has no tcpdump. Debug is off by default;
`CDK8S_DEBUG=true` adds a tcpdump sidecar to the same Pod (same network
namespace), with NET_RAW and nothing else. Same chart id, construct ids, props
and debug options as the TypeScript example, so the manifests must be
byte-identical (scripts/test-languages.sh compares them).

Run: CDK8S_DEBUG=true CDK8S_OUTDIR=out python main.py  (writes out/seed.k8s.yaml)
"""
from typing import Any, Mapping, Optional

import cdk8s_plus_27 as kplus
from cdk8s import App, Chart
from cdk8s_debuggable import DebuggableDeployment, DebugOptions, DebugTool
from constructs import Construct


class SeedChart(Chart):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        app_image: Optional[str] = None,
        app_image_pull_policy: Optional[kplus.ImagePullPolicy] = None,
        debug: Optional[Mapping[str, Any]] = None,
    ) -> None:
        """
        :param app_image: override the app image (the end-to-end tests use a local one)
        :param app_image_pull_policy: the app image's pull policy
        :param debug: extra debug options, as DebugOptions keyword arguments
        """
        super().__init__(scope, id)
        self.web = DebuggableDeployment(
            self,
            "my-nginx",
            replicas=1,
            containers=[
                kplus.ContainerProps(
                    name="nginx",
                    image=app_image or "docker.io/nginxinc/nginx-unprivileged:1.27.3",
                    image_pull_policy=app_image_pull_policy,
                    port_number=8080,
                    security_context=kplus.ContainerSecurityContextProps(user=101, group=101),
                    volume_mounts=[
                        kplus.VolumeMount(
                            path="/tmp",
                            volume=kplus.Volume.from_empty_dir(self, "tmp", "tmp"),
                        )
                    ],
                )
            ],
            debug=DebugOptions(**{"tools": [DebugTool.TCPDUMP], **(debug or {})}),
        )
        self.web.expose_via_service(
            name="my-nginx",
            ports=[kplus.ServicePort(port=80, target_port=8080)],
        )


if __name__ == "__main__":
    app = App()
    SeedChart(app, "seed")
    app.synth()

package seed;

import java.util.List;

import dev.cdk8s.debuggable.DebugOptions;
import dev.cdk8s.debuggable.DebugTool;
import dev.cdk8s.debuggable.DebuggableDeployment;
import org.cdk8s.App;
import org.cdk8s.Chart;
import org.cdk8s.plus27.ContainerProps;
import org.cdk8s.plus27.ContainerSecurityContextProps;
import org.cdk8s.plus27.DeploymentExposeViaServiceOptions;
import org.cdk8s.plus27.ServicePort;
import org.cdk8s.plus27.Volume;
import org.cdk8s.plus27.VolumeMount;

/**
 * The first example of the README (examples/seed/main.ts) in Java. Same chart
 * id, construct ids, props and debug options as the TypeScript example, so the
 * manifests must be byte-identical (scripts/test-languages.sh compares them).
 *
 * <p>CDK8S_DEBUG=true CDK8S_OUTDIR=out java seed.Main writes out/seed.k8s.yaml.
 */
public final class Main {
    public static void main(final String[] args) {
        App app = new App();
        Chart chart = new Chart(app, "seed");
        DebuggableDeployment web = DebuggableDeployment.Builder.create(chart, "my-nginx")
                .replicas(1)
                .containers(List.of(ContainerProps.builder()
                        .name("nginx")
                        .image("docker.io/nginxinc/nginx-unprivileged:1.27.3")
                        .portNumber(8080)
                        .securityContext(ContainerSecurityContextProps.builder().user(101).group(101).build())
                        // cdk8s-plus mounts the root filesystem read-only, and nginx writes to /tmp.
                        .volumeMounts(List.of(VolumeMount.builder()
                                .path("/tmp")
                                .volume(Volume.fromEmptyDir(chart, "tmp", "tmp"))
                                .build()))
                        .build()))
                .debug(DebugOptions.builder().tools(List.of(DebugTool.TCPDUMP)).build())
                .build();
        web.exposeViaService(DeploymentExposeViaServiceOptions.builder()
                .name("my-nginx")
                .ports(List.of(ServicePort.builder().port(80).targetPort(8080).build()))
                .build());
        app.synth();
    }
}

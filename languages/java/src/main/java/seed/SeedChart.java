package seed;

import java.util.List;
import java.util.function.Consumer;

import dev.cdk8s.debuggable.DebugOptions;
import dev.cdk8s.debuggable.DebugTool;
import dev.cdk8s.debuggable.DebuggableDeployment;
import org.cdk8s.Chart;
import org.cdk8s.plus27.ContainerProps;
import org.cdk8s.plus27.ContainerSecurityContextProps;
import org.cdk8s.plus27.DeploymentExposeViaServiceOptions;
import org.cdk8s.plus27.ImagePullPolicy;
import org.cdk8s.plus27.ServicePort;
import org.cdk8s.plus27.Volume;
import org.cdk8s.plus27.VolumeMount;
import software.constructs.Construct;

/**
 * The seed scenario (examples/seed/main.ts): an nginx app whose image has no
 * tcpdump. Debug is off by default; CDK8S_DEBUG=true adds a tcpdump sidecar to
 * the same Pod (same network namespace), with NET_RAW and nothing else.
 */
public class SeedChart extends Chart {
    /** Optional knobs, as SeedChartProps in the TypeScript example. */
    public static final class Props {
        /** Override the app image (the end-to-end tests use a local one). */
        public String appImage;
        /** The app image's pull policy. */
        public ImagePullPolicy appImagePullPolicy;
        /** Extra debug options, applied over the defaults (tools: tcpdump) like a spread. */
        public Consumer<DebugOptions.Builder> debug;
    }

    private final DebuggableDeployment web;

    public SeedChart(final Construct scope, final String id) {
        this(scope, id, new Props());
    }

    public SeedChart(final Construct scope, final String id, final Props props) {
        super(scope, id);
        DebugOptions.Builder debug = DebugOptions.builder().tools(List.of(DebugTool.TCPDUMP));
        if (props.debug != null) {
            props.debug.accept(debug);
        }
        this.web = DebuggableDeployment.Builder.create(this, "my-nginx")
                .replicas(1)
                .containers(List.of(ContainerProps.builder()
                        .name("nginx")
                        .image(props.appImage != null ? props.appImage : "docker.io/nginxinc/nginx-unprivileged:1.27.3")
                        .imagePullPolicy(props.appImagePullPolicy)
                        .portNumber(8080)
                        .securityContext(ContainerSecurityContextProps.builder().user(101).group(101).build())
                        .volumeMounts(List.of(VolumeMount.builder()
                                .path("/tmp")
                                .volume(Volume.fromEmptyDir(this, "tmp", "tmp"))
                                .build()))
                        .build()))
                .debug(debug.build())
                .build();
        this.web.exposeViaService(DeploymentExposeViaServiceOptions.builder()
                .name("my-nginx")
                .ports(List.of(ServicePort.builder().port(80).targetPort(8080).build()))
                .build());
    }

    public DebuggableDeployment getWeb() {
        return web;
    }
}

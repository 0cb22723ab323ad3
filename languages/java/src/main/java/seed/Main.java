package seed;

import org.cdk8s.App;

/** Synthesizes the seed chart: CDK8S_DEBUG=true CDK8S_OUTDIR=out java seed.Main writes out/seed.k8s.yaml. */
public final class Main {
    public static void main(final String[] args) {
        App app = new App();
        new SeedChart(app, "seed");
        app.synth();
    }
}

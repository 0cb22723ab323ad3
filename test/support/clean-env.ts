// Tests decide the toggle themselves; a CDK8S_DEBUG or CDK8S_ENVIRONMENT in
// the developer's shell must not change their outcome.
delete process.env.CDK8S_DEBUG;
delete process.env.CDK8S_ENVIRONMENT;

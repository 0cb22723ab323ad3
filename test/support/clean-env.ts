// Tests decide the toggle themselves; a CDK8S_DEBUG, CDK8S_ENVIRONMENT or
// CDK8S_KUBERNETES_VERSION in the developer's shell must not change their
// outcome. Warnings are recorded (DebugWarnings.of) but not printed, so the
// test output has no stray lines; test/bad-input.test.ts checks the printing.
delete process.env.CDK8S_DEBUG;
delete process.env.CDK8S_ENVIRONMENT;
delete process.env.CDK8S_KUBERNETES_VERSION;
process.env.CDK8S_DEBUGGABLE_WARNINGS = 'silent';

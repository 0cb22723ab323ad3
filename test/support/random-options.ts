import { Cron, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as fc from 'fast-check';
import {
  Capability, DebugImage, DebugProfile, DebugSidecar, DebugTool, ImageFamily, SidecarForm,
} from '../../src';

/*
 * Random option objects for the sidecar, good and bad, the way a JavaScript
 * or Python caller could write them; and the rule every one must follow:
 * either the library's own error (field, value, fix), or manifests the API
 * server accepts. Shared by test/property.test.ts (strict schema) and
 * test/apiserver (server-side dry run).
 */

const TOOLS = [DebugTool.TCPDUMP, DebugTool.TSHARK, DebugTool.PING, DebugTool.TRACEROUTE, DebugTool.NMAP, DebugTool.IPTABLES,
  DebugTool.DIG, DebugTool.CURL, DebugTool.STRACE, DebugTool.GDB, DebugTool.PERF, DebugTool.NSENTER];
const PROFILES = [DebugProfile.GENERAL, DebugProfile.BASELINE, DebugProfile.RESTRICTED, DebugProfile.NETADMIN, DebugProfile.SYSADMIN];
const CAPABILITIES = [Capability.NET_RAW, Capability.NET_ADMIN, Capability.SYS_PTRACE, Capability.SETUID, Capability.NET_BIND_SERVICE, Capability.of('BPF')];

/** A value that is sometimes absent, sometimes of the wrong type. */
function maybe<T>(good: fc.Arbitrary<T>, ...bad: unknown[]): fc.Arbitrary<T | unknown> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 4, arbitrary: good },
    ...(bad.length ? [{ weight: 1, arbitrary: fc.constantFrom(...bad) }] : []));
}

export const randomOptions: fc.Arbitrary<Record<string, unknown>> = fc.record({
  enabled: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constantFrom('false', 1, null) }),
  tools: maybe(fc.subarray(TOOLS, { maxLength: 4 }), ['tcpdump'], [undefined], 'strace'),
  profile: maybe(fc.constantFrom(...PROFILES), 'netadmin'),
  securityContext: maybe(fc.record({
    user: maybe(fc.integer({ min: -2, max: 70000 }), 1.5, '0'),
    group: maybe(fc.integer({ min: -2, max: 70000 })),
    ensureNonRoot: maybe(fc.boolean(), 'true'),
    capabilities: maybe(fc.subarray(CAPABILITIES, { maxLength: 3 }), [Capability.of('CAP_NET_RAW')], [Capability.of('NETRAW')], ['NET_RAW']),
    privileged: maybe(fc.boolean()),
    allowPrivilegeEscalation: maybe(fc.boolean()),
    readOnlyRootFilesystem: maybe(fc.boolean()),
  }, { requiredKeys: [] }), 'root'),
  image: maybe(fc.constantFrom(
    DebugImage.NETSHOOT, DebugImage.of('debian:12'), DebugImage.of('registry.example.com/team/debug:1.4'),
    DebugImage.of('registry.example.com/team/debug:1.4', ImageFamily.DEBIAN), DebugImage.of('nicolaka/netshoot')), 'nicolaka/netshoot:v0.14'),
  imagePullPolicy: maybe(fc.constantFrom(...Object.values(kplus.ImagePullPolicy)), 'Sometimes'),
  command: maybe(fc.array(fc.constantFrom('/bin/sh', '-c', 'sleep 1d', 'tcpdump'), { minLength: 1, maxLength: 3 }), [], 'sleep infinity', ['']),
  name: maybe(fc.constantFrom('debug', 'dbg-1', 'a'.repeat(54), 'main'), 'Debug_Box', 'a'.repeat(55), 7),
  resources: maybe(fc.record({
    cpu: maybe(fc.record({
      request: maybe(fc.constantFrom(-5, 0, 1, 10, 250).map(n => kplus.Cpu.millis(n))),
      limit: maybe(fc.constantFrom(-1, 0, 50, 500, 2000).map(n => kplus.Cpu.millis(n))),
    }, { requiredKeys: [] })),
    memory: maybe(fc.record({
      request: maybe(fc.integer({ min: 1, max: 512 }).map(n => Size.mebibytes(n))),
      limit: maybe(fc.integer({ min: 1, max: 1024 }).map(n => Size.mebibytes(n))),
    }, { requiredKeys: [] })),
  }, { requiredKeys: [] }), '1 cpu'),
  form: maybe(fc.constantFrom(...Object.values(SidecarForm)), 'sidecar'),
  shareProcessNamespace: maybe(fc.boolean(), 'yes'),
  scratchSizeLimit: maybe(fc.integer({ min: 1, max: 2048 }).map(n => Size.mebibytes(n)), 512),
}, { requiredKeys: ['enabled'] });

export const randomKind = fc.constantFrom('Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod');

/** The library's own message: `[path: ]'field' problem (got value). fix`, also as a cdk8s validation line `[path] ...`. */
const LIBRARY_ERROR = /^(\S+: |\[\S+\] )?'[^']+' .+ \(got .*\)\. \S/;

export type Outcome = { readonly kind: 'error'; readonly message: string } | { readonly kind: 'manifests'; readonly objects: any[]; readonly native: boolean };

/** Builds one workload of `kind` with the options and synthesizes it (validations included). */
export function outcomeOf(kind: string, options: Record<string, unknown>): Outcome {
  try {
    const chart = Testing.chart();
    const containers = [{ name: 'main', image: 'docker.io/library/busybox:1.36', command: ['sleep', '3600'], portNumber: 8080 }];
    const w = kind === 'Deployment' ? new kplus.Deployment(chart, 'w', { containers })
      : kind === 'StatefulSet' ? new kplus.StatefulSet(chart, 'w', { containers })
        : kind === 'DaemonSet' ? new kplus.DaemonSet(chart, 'w', { containers })
          : kind === 'Job' ? new kplus.Job(chart, 'w', { containers })
            : kind === 'CronJob' ? new kplus.CronJob(chart, 'w', { containers, schedule: Cron.daily() })
              : new kplus.Pod(chart, 'w', { containers });
    const sidecar = DebugSidecar.attach(w, options as any);
    return { kind: 'manifests', objects: Testing.synth(chart), native: sidecar.enabled && sidecar.form === SidecarForm.NATIVE_SIDECAR };
  } catch (e) {
    return { kind: 'error', message: String((e as Error).message ?? e) };
  }
}

/** Whether an error message is the library's own, on every line it reports. */
export function isLibraryError(message: string): boolean {
  const lines = message.startsWith('Validation failed') ? message.split('\n').slice(1).map(l => l.trim()).filter(l => l) : [message];
  return lines.length > 0 && lines.every(l => LIBRARY_ERROR.test(l));
}

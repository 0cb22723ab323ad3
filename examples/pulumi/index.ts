// A Pulumi program that deploys a cdk8s chart. The stack's config decides
// whether the debug sidecar is on (Pulumi.dev.yaml: yes, Pulumi.prod.yaml: no)
// and names the environment, so the library refuses debug in production.
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import { manifestsOf, WebChart } from './chart';

const config = new pulumi.Config();
const environment = config.require('environment');
const debug = config.requireBoolean('debug');

const app = new App();
new WebChart(app, 'web', { environment, debug });

// yaml.ConfigGroup (v1) turns each object into a typed resource
// (kubernetes:apps/v1:Deployment, kubernetes:core/v1:Service) in this process,
// so unit-test mocks see every object. yaml.v2.ConfigGroup is a remote
// component: the provider expands it, and under mocks nothing is expanded.
const web = new k8s.yaml.ConfigGroup('web', { objs: manifestsOf(app) });

/** The Pulumi resource of each object, keyed `apiVersion/Kind::namespace/name`. */
export const resources = web.resources;

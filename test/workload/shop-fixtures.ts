/**
 * One three-service app (a shop: frontend, cart, payments with a gRPC and a metrics port; two
 * versions each), written twice: with VersionedWorkload, and with raw Deployments and Services
 * as a platform team writes them without it. The test compares their manifests and their lengths
 * in lines, read from this file between the BEGIN/END markers.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

import { VersionedWorkload } from '../../lib';

// BEGIN workloads
export function shopWithWorkloads(scope: Construct): VersionedWorkload[] {
  const versions = (name: string) =>
    ['1.0', '2.0'].map((tag, i) => ({ version: `v${i + 1}`, image: `ghcr.io/acme/${name}:${tag}` }));
  const inject = { 'sidecar.istio.io/inject': 'true' };
  return [
    new VersionedWorkload(scope, 'frontend', {
      name: 'frontend',
      namespace: 'shop',
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      versions: versions('frontend'),
      podLabels: inject,
    }),
    new VersionedWorkload(scope, 'cart', {
      name: 'cart',
      namespace: 'shop',
      ports: [{ name: 'http', port: 8080 }],
      versions: versions('cart'),
      replicas: 2,
      podLabels: inject,
    }),
    new VersionedWorkload(scope, 'payments', {
      name: 'payments',
      namespace: 'shop',
      ports: [
        { name: 'grpc', port: 9090 },
        { name: 'http-metrics', port: 9091 },
      ],
      versions: versions('payments'),
      env: [{ name: 'PAYMENTS_MODE', value: 'sandbox' }],
      podLabels: inject,
    }),
  ];
}
// END workloads

// BEGIN raw
export function shopRaw(scope: Construct): void {
  const ns = 'shop';
  const inject = { 'sidecar.istio.io/inject': 'true' };

  new k8s.KubeService(scope, 'frontend-service', {
    metadata: { name: 'frontend', namespace: ns, labels: { app: 'frontend', service: 'frontend' } },
    spec: {
      ports: [{ port: 80, name: 'http', targetPort: k8s.IntOrString.fromNumber(8080) }],
      selector: { app: 'frontend' },
    },
  });
  new k8s.KubeServiceAccount(scope, 'frontend-account', {
    metadata: { name: 'frontend', namespace: ns, labels: { account: 'frontend' } },
  });
  for (const [version, tag] of [
    ['v1', '1.0'],
    ['v2', '2.0'],
  ]) {
    const labels = { app: 'frontend', version };
    new k8s.KubeDeployment(scope, `frontend-${version}`, {
      metadata: { name: `frontend-${version}`, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, ...inject } },
          spec: {
            serviceAccountName: 'frontend',
            containers: [
              {
                name: 'frontend',
                image: `ghcr.io/acme/frontend:${tag}`,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ containerPort: 8080 }],
              },
            ],
          },
        },
      },
    });
  }

  new k8s.KubeService(scope, 'cart-service', {
    metadata: { name: 'cart', namespace: ns, labels: { app: 'cart', service: 'cart' } },
    spec: { ports: [{ port: 8080, name: 'http' }], selector: { app: 'cart' } },
  });
  new k8s.KubeServiceAccount(scope, 'cart-account', {
    metadata: { name: 'cart', namespace: ns, labels: { account: 'cart' } },
  });
  for (const [version, tag] of [
    ['v1', '1.0'],
    ['v2', '2.0'],
  ]) {
    const labels = { app: 'cart', version };
    new k8s.KubeDeployment(scope, `cart-${version}`, {
      metadata: { name: `cart-${version}`, namespace: ns, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, ...inject } },
          spec: {
            serviceAccountName: 'cart',
            containers: [
              {
                name: 'cart',
                image: `ghcr.io/acme/cart:${tag}`,
                imagePullPolicy: 'IfNotPresent',
                ports: [{ containerPort: 8080 }],
              },
            ],
          },
        },
      },
    });
  }

  new k8s.KubeService(scope, 'payments-service', {
    metadata: { name: 'payments', namespace: ns, labels: { app: 'payments', service: 'payments' } },
    spec: {
      ports: [
        { port: 9090, name: 'grpc' },
        { port: 9091, name: 'http-metrics' },
      ],
      selector: { app: 'payments' },
    },
  });
  new k8s.KubeServiceAccount(scope, 'payments-account', {
    metadata: { name: 'payments', namespace: ns, labels: { account: 'payments' } },
  });
  for (const [version, tag] of [
    ['v1', '1.0'],
    ['v2', '2.0'],
  ]) {
    const labels = { app: 'payments', version };
    new k8s.KubeDeployment(scope, `payments-${version}`, {
      metadata: { name: `payments-${version}`, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels: { ...labels, ...inject } },
          spec: {
            serviceAccountName: 'payments',
            containers: [
              {
                name: 'payments',
                image: `ghcr.io/acme/payments:${tag}`,
                imagePullPolicy: 'IfNotPresent',
                env: [{ name: 'PAYMENTS_MODE', value: 'sandbox' }],
                ports: [{ containerPort: 9090 }, { containerPort: 9091 }],
              },
            ],
          },
        },
      },
    });
  }
}
// END raw

import { GatewayServerPorts, IngressGateway, IstioRelease, ServerProtocol, SharedGateway } from '../../lib';
import { invalidInputOf } from '../support/assertions';
import { chartOn } from '../support/release';

describe('gateway workloads a SharedGateway selects', () => {
  test('ISTIOCTL_EGRESS selects the egress gateway and names the Service ports on 1.30', () => {
    // GIVEN a Gateway on the istioctl egress gateway
    const gw = new SharedGateway(chartOn(IstioRelease.V1_30), 'egress', {
      name: 'istio-egressgateway',
      namespace: 'default',
      ingressGateway: IngressGateway.ISTIOCTL_EGRESS,
    });
    // WHEN an HTTP server is added without a port
    const server = gw.addServer({ hosts: ['edition.cnn.com'], protocol: ServerProtocol.HTTP });
    // THEN it selects istio: egressgateway and listens on 80, as Istio's egress tasks do
    expect(gw.gateway.toJson().spec.selector).toEqual({ istio: 'egressgateway' });
    expect(server.port).toBe(80);
    expect(gw.addServer({ hosts: ['a.example.com'], protocol: ServerProtocol.HTTPS, credentialName: 'c' }).port).toBe(
      443,
    );
  });

  test('withServerPorts picks the pod or Service port on every release', () => {
    // GIVEN the istioctl ingress gateway told to name pod ports, on 1.17
    const gw = new SharedGateway(chartOn(IstioRelease.V1_17), 'gw', {
      name: 'gw',
      namespace: 'default',
      ingressGateway: IngressGateway.ISTIOCTL.withServerPorts(GatewayServerPorts.POD),
    });
    // WHEN / THEN the server names 8080, not 1.17's usual 80
    expect(gw.addServer({ hosts: ['a.example.com'], protocol: ServerProtocol.HTTP }).port).toBe(8080);
    expect(IngressGateway.ISTIOCTL.serverPorts).toBe(GatewayServerPorts.AS_RELEASE_SAMPLES);
  });

  test('an unknown serverPorts choice is refused', () => {
    // GIVEN / WHEN a custom gateway with a made-up server port choice
    const e = invalidInputOf(
      () =>
        new SharedGateway(chartOn(IstioRelease.V1_30), 'gw', {
          name: 'gw',
          namespace: 'default',
          ingressGateway: IngressGateway.custom({
            selector: { istio: 'x' },
            serverPorts: 'node' as GatewayServerPorts,
          }),
        }),
    );
    // THEN the field and the choices are named
    expect(e.field).toBe('options.serverPorts'); // refused where it is made: IngressGateway.custom(...)
    expect(e.message).toMatch(/as-release-samples, service, pod/);
  });
});

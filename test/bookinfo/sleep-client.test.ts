import { Testing } from 'cdk8s';

import { SleepClient } from '../../lib/bookinfo/sleep-client';
import { IstioRelease } from '../../lib/core/istio-release';
import { chartOn } from '../support/release';

function synth(props: ConstructorParameters<typeof SleepClient>[2], release: IstioRelease) {
  const chart = chartOn(release);
  const client = new SleepClient(chart, 'sleep', props);
  return { client, objects: Testing.synth(chart) };
}

const image = (objects: any[]) => objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0].image;

describe('SleepClient per release', () => {
  test('on 1.30 runs the image of 1.30 sleep.yaml', () => {
    // GIVEN / WHEN
    const { client, objects } = synth({ release: IstioRelease.V1_30 }, IstioRelease.V1_30);
    // THEN
    expect(objects).toMatchSnapshot();
    expect(client.release).toBe(IstioRelease.V1_30);
    expect(image(objects)).toBe('docker.io/curlimages/curl:8.16.0');
  });

  test('on 1.17 keeps the untagged image of 1.17 sleep.yaml', () => {
    // GIVEN / WHEN
    const { objects } = synth({ release: IstioRelease.V1_17 }, IstioRelease.V1_17);
    // THEN
    expect(image(objects)).toBe('curlimages/curl');
  });

  test('follows the release declared for the scope, and image still overrides it', () => {
    // GIVEN an App on 1.30 / WHEN no release prop
    const { client, objects } = synth({}, IstioRelease.V1_30);
    // THEN
    expect(client.release).toBe(IstioRelease.V1_30);
    expect(image(objects)).toBe('docker.io/curlimages/curl:8.16.0');
    expect(image(synth({ image: 'example.com/c:1' }, IstioRelease.V1_30).objects)).toBe('example.com/c:1');
  });
});

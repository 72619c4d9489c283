import * as fs from 'fs';
import * as path from 'path';

import { TRAFFIC_MANAGEMENT_TASKS } from '../../tasks/traffic-management';
import { loadDist } from '../support/dist-objects';
import { crossCheckedSchemaErrors } from '../support/schema';

const TASKS_DIR = 'istio-1.30/tasks/traffic-management';

/** The step files of one task in the committed dist/, relative to dist/. */
function stepFiles(task: string): string[] {
  const dir = path.join(__dirname, '..', '..', 'dist', TASKS_DIR, task);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .map((f) => `${TASKS_DIR}/${task}/${f}`);
}

describe('the task step files in dist/', () => {
  test.each(TRAFFIC_MANAGEMENT_TASKS.map((task) => task.path))(
    '%s: every step file holds objects, and each is valid against its schema (CRD or Kubernetes)',
    (task) => {
      // GIVEN the committed step files of the task
      const files = stepFiles(task);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        // WHEN read as kubectl reads them
        const objects = loadDist(file).map((o) => o.manifest);
        // THEN none is empty and every object passes its schema, strictly (no unknown fields)
        expect({ file, count: objects.length > 0 }).toEqual({ file, count: true });
        expect({ file, errors: crossCheckedSchemaErrors(objects) }).toEqual({ file, errors: [] });
      }
    },
  );
});

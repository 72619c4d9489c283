import { Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';

import { checkInteger, checkNonEmpty, checkPort, reject } from '../core/input-validation';
import { LokiConfig } from './loki-config';

// Go durations plus Prometheus' d/w/y, which Loki's model.Duration accepts: `10m`, `1h30m`, `250ms`.
const LOKI_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function checkDuration(scope: IConstruct, field: string, value: string): void {
  if (typeof value !== 'string' || !LOKI_DURATION.test(value)) {
    reject(scope, field, value, 'a duration in Loki notation, e.g. "10m", "168h" or "250ms"');
  }
}

/** Throws on a config Loki would refuse to start with, naming the field as `field.<path>`. */
export function checkLokiConfig(scope: IConstruct, field: string, c: LokiConfig): LokiConfig {
  if (c === null || typeof c !== 'object') reject(scope, field, c, 'a LokiConfig, e.g. defaultLokiConfig()');
  checkPort(scope, `${field}.server.httpListenPort`, c.server.httpListenPort);
  checkPort(scope, `${field}.server.grpcListenPort`, c.server.grpcListenPort);
  if (c.server.httpListenPort === c.server.grpcListenPort) {
    reject(scope, `${field}.server.grpcListenPort`, c.server.grpcListenPort, 'a port other than httpListenPort');
  }
  checkDuration(scope, `${field}.server.httpServerReadTimeout`, c.server.httpServerReadTimeout);
  checkDuration(scope, `${field}.server.httpServerWriteTimeout`, c.server.httpServerWriteTimeout);
  for (const key of ['pathPrefix', 'chunksDirectory', 'rulesDirectory'] as const) {
    if (typeof c.common[key] !== 'string' || !c.common[key].startsWith('/')) {
      reject(scope, `${field}.common.${key}`, c.common[key], 'an absolute path');
    }
  }
  // One copy per ingester: a single binary has one ingester.
  checkInteger(scope, `${field}.common.replicationFactor`, c.common.replicationFactor, 1, 1);
  if (typeof c.common.compactorGrpcAddress !== 'string' || !HOST_PORT.test(c.common.compactorGrpcAddress)) {
    reject(scope, `${field}.common.compactorGrpcAddress`, c.common.compactorGrpcAddress, 'a host:port address');
  }
  c.memberlistJoinMembers.forEach((m, i) =>
    checkNonEmpty(scope, `${field}.memberlistJoinMembers[${i}]`, m, 'a host name or host:port'),
  );
  const l = c.limits;
  for (const key of [
    'maxCacheFreshnessPerQuery',
    'queryTimeout',
    'rejectOldSamplesMaxAge',
    'splitQueriesByInterval',
  ] as const) {
    checkDuration(scope, `${field}.limits.${key}`, l[key]);
  }
  if (c.schemaConfigs.length === 0) reject(scope, `${field}.schemaConfigs`, [], 'at least one period config');
  let previous = '';
  c.schemaConfigs.forEach((p, i) => {
    const at = `${field}.schemaConfigs[${i}]`;
    if (typeof p.from !== 'string' || !DAY.test(p.from) || Number.isNaN(Date.parse(p.from))) {
      reject(scope, `${at}.from`, p.from, 'a day as YYYY-MM-DD');
    }
    if (p.from <= previous) reject(scope, `${at}.from`, p.from, `a day after the previous period's (${previous})`);
    previous = p.from;
    checkNonEmpty(scope, `${at}.store`, p.store, 'an index store such as "tsdb"');
    checkNonEmpty(scope, `${at}.objectStore`, p.objectStore, 'an object store such as "filesystem"');
    checkNonEmpty(scope, `${at}.schema`, p.schema, 'a schema version such as "v13"');
    checkDuration(scope, `${at}.indexPeriod`, p.indexPeriod);
  });
  checkDuration(scope, `${field}.storage.hedging.at`, c.storage.hedging.at);
  checkInteger(scope, `${field}.storage.hedging.upTo`, c.storage.hedging.upTo, 1, 100);
  checkInteger(scope, `${field}.storage.hedging.maxPerSecond`, c.storage.hedging.maxPerSecond, 1, 10000);
  if (typeof c.runtimeConfigFile !== 'string' || !c.runtimeConfigFile.startsWith('/')) {
    reject(scope, `${field}.runtimeConfigFile`, c.runtimeConfigFile, 'an absolute path');
  }
  return c;
}

/** The `config.yaml` document as plain data: Loki's snake_case keys, sections sorted as the chart writes them. */
export function lokiConfigDocument(c: LokiConfig): Record<string, unknown> {
  // A function, not a shared object: the YAML writer would turn a shared object into an anchor and alias.
  const indexGatewayClient = () => ({ index_gateway_client: { server_address: c.storage.indexGatewayAddress } });
  return {
    auth_enabled: c.authEnabled,
    bloom_build: { builder: { planner_address: c.bloomBuild.plannerAddress }, enabled: c.bloomBuild.enabled },
    bloom_gateway: { client: { addresses: c.bloomGateway.clientAddresses }, enabled: c.bloomGateway.enabled },
    common: {
      compactor_grpc_address: c.common.compactorGrpcAddress,
      path_prefix: c.common.pathPrefix,
      replication_factor: c.common.replicationFactor,
      storage: {
        filesystem: { chunks_directory: c.common.chunksDirectory, rules_directory: c.common.rulesDirectory },
      },
    },
    frontend: { scheduler_address: c.schedulerAddress, tail_proxy_url: c.tailProxyUrl },
    frontend_worker: { scheduler_address: c.schedulerAddress },
    index_gateway: { mode: c.indexGatewayMode },
    limits_config: {
      max_cache_freshness_per_query: c.limits.maxCacheFreshnessPerQuery,
      query_timeout: c.limits.queryTimeout,
      reject_old_samples: c.limits.rejectOldSamples,
      reject_old_samples_max_age: c.limits.rejectOldSamplesMaxAge,
      split_queries_by_interval: c.limits.splitQueriesByInterval,
      volume_enabled: c.limits.volumeEnabled,
    },
    memberlist: { join_members: [...c.memberlistJoinMembers] },
    pattern_ingester: { enabled: c.patternIngesterEnabled },
    query_range: { align_queries_with_step: c.alignQueriesWithStep },
    ruler: { storage: { type: c.ruler.storageType }, wal: { dir: c.ruler.walDir } },
    runtime_config: { file: c.runtimeConfigFile },
    schema_config: {
      configs: c.schemaConfigs.map((p) => ({
        from: p.from,
        index: { period: p.indexPeriod, prefix: p.indexPrefix },
        object_store: p.objectStore,
        schema: p.schema,
        store: p.store,
      })),
    },
    server: {
      grpc_listen_port: c.server.grpcListenPort,
      http_listen_port: c.server.httpListenPort,
      http_server_read_timeout: c.server.httpServerReadTimeout,
      http_server_write_timeout: c.server.httpServerWriteTimeout,
    },
    storage_config: {
      bloom_shipper: { working_directory: c.storage.bloomShipperWorkingDirectory },
      boltdb_shipper: indexGatewayClient(),
      hedging: {
        at: c.storage.hedging.at,
        max_per_second: c.storage.hedging.maxPerSecond,
        up_to: c.storage.hedging.upTo,
      },
      tsdb_shipper: indexGatewayClient(),
      use_thanos_objstore: c.storage.useThanosObjstore,
    },
    tracing: { enabled: c.tracingEnabled },
  };
}

/** Loki's `config.yaml` text for typed values. */
export function renderLokiConfig(c: LokiConfig): string {
  return Yaml.stringify(lokiConfigDocument(c));
}

import { Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';

import { parseGoDuration, parsePrometheusDuration } from '../core/_go-duration';
import { checkInteger, checkNonEmpty, checkPort, reject } from '../core/input-validation';
import { LokiConfig } from './loki-config';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const DAY_NS = 24n * 3_600_000_000_000n;
// The schema versions Loki 3 runs (PeriodConfig.validate).
const SCHEMA_VERSIONS = [9, 10, 11, 12, 13];

/** A field Loki reads as Go's time.Duration (time.ParseDuration: no days). */
function checkGoDuration(scope: IConstruct, field: string, value: string): bigint {
  const ns = parseGoDuration(value);
  if (typeof ns === 'string') {
    reject(scope, field, value, `a Go duration such as "600s", "1m30s" or "250ms", as Loki parses this field (${ns})`);
  }
  return ns;
}

/** A field Loki reads as Prometheus' model.Duration (`1d`, `1w`; units in order, each once). */
function checkModelDuration(scope: IConstruct, field: string, value: string): bigint {
  const ns = parsePrometheusDuration(value);
  if (typeof ns === 'string') {
    reject(
      scope,
      field,
      value,
      `a Prometheus duration such as "10m", "168h" or "7d", as Loki parses this field (${ns})`,
    );
  }
  return ns;
}

/** Whether `value` is a day Go's time.Parse("2006-01-02") accepts: a real calendar day. */
function isCalendarDay(value: unknown): boolean {
  const m = typeof value === 'string' ? DAY.exec(value) : null;
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day <= days;
}

/** Loki's VersionAsInt: the schema with leading and trailing "v" trimmed, as an integer. */
function schemaVersion(schema: unknown): number | undefined {
  if (typeof schema !== 'string') return undefined;
  const digits = schema.replace(/^v+/, '').replace(/v+$/, '');
  return /^[+-]?\d{1,9}$/.test(digits) ? Number(digits) : undefined;
}

/** Throws on a config Loki would refuse to start with, naming the field as `field.<path>`. */
export function checkLokiConfig(scope: IConstruct, field: string, c: LokiConfig): LokiConfig {
  if (c === null || typeof c !== 'object') reject(scope, field, c, 'a LokiConfig, e.g. defaultLokiConfig()');
  checkPort(scope, `${field}.server.httpListenPort`, c.server.httpListenPort);
  checkPort(scope, `${field}.server.grpcListenPort`, c.server.grpcListenPort);
  if (c.server.httpListenPort === c.server.grpcListenPort) {
    reject(scope, `${field}.server.grpcListenPort`, c.server.grpcListenPort, 'a port other than httpListenPort');
  }
  checkGoDuration(scope, `${field}.server.httpServerReadTimeout`, c.server.httpServerReadTimeout);
  checkGoDuration(scope, `${field}.server.httpServerWriteTimeout`, c.server.httpServerWriteTimeout);
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
    checkModelDuration(scope, `${field}.limits.${key}`, l[key]);
  }
  if (c.schemaConfigs.length === 0) reject(scope, `${field}.schemaConfigs`, [], 'at least one period config');
  let previous = '';
  c.schemaConfigs.forEach((p, i) => {
    const at = `${field}.schemaConfigs[${i}]`;
    if (!isCalendarDay(p.from)) {
      reject(scope, `${at}.from`, p.from, "a calendar day as YYYY-MM-DD (Loki parses it with Go's time.Parse)");
    }
    if (p.from <= previous) reject(scope, `${at}.from`, p.from, `a day after the previous period's (${previous})`);
    previous = p.from;
    checkNonEmpty(scope, `${at}.store`, p.store, 'an index store such as "tsdb"');
    checkNonEmpty(scope, `${at}.objectStore`, p.objectStore, 'an object store such as "filesystem"');
    checkNonEmpty(scope, `${at}.schema`, p.schema, 'a schema version such as "v13"');
    const version = schemaVersion(p.schema);
    if (version === undefined || !SCHEMA_VERSIONS.includes(version)) {
      reject(scope, `${at}.schema`, p.schema, 'a schema version Loki 3 runs: v9, v10, v11, v12 or v13');
    }
    const period = checkModelDuration(scope, `${at}.indexPeriod`, p.indexPeriod);
    // PeriodConfig.validate: a tsdb index is always daily; other periodic tables come in whole days.
    if (p.store === 'tsdb' ? period !== DAY_NS : period % DAY_NS !== 0n) {
      reject(
        scope,
        `${at}.indexPeriod`,
        p.indexPeriod,
        p.store === 'tsdb'
          ? '"24h" (Loki: "tsdb must always have periodic config for index set to 24h")'
          : 'a whole number of days, e.g. "24h" (Loki: "the table period must be a multiple of 24h")',
      );
    }
  });
  checkGoDuration(scope, `${field}.storage.hedging.at`, c.storage.hedging.at);
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

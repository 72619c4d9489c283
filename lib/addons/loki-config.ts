/**
 * Loki's `config.yaml` as typed values, with {@link defaultLokiConfig} giving the configuration of
 * Istio's `samples/addons/loki.yaml` (the Loki Helm chart in single-binary mode, filesystem
 * storage). Durations are strings in Loki's notation (`10m`, `168h`, `250ms`).
 */

/** `server`: where Loki listens. */
export interface LokiServerConfig {
  /** `http_listen_port`: push, query and the probes' `/ready`. */
  readonly httpListenPort: number;
  /** `grpc_listen_port`: the components' (and the compactor's) gRPC. */
  readonly grpcListenPort: number;
  /** `http_server_read_timeout`, e.g. `600s`. */
  readonly httpServerReadTimeout: string;
  /** `http_server_write_timeout`, e.g. `600s`. */
  readonly httpServerWriteTimeout: string;
}

/** `common`: settings every component shares. */
export interface LokiCommonConfig {
  /** `path_prefix`: the data directory (the `storage` volume). */
  readonly pathPrefix: string;
  /** `replication_factor`: 1 for a single binary. */
  readonly replicationFactor: number;
  /** `compactor_grpc_address`: `host:port` of the compactor's gRPC (the Loki Service). */
  readonly compactorGrpcAddress: string;
  /** `storage.filesystem.chunks_directory`. */
  readonly chunksDirectory: string;
  /** `storage.filesystem.rules_directory`. */
  readonly rulesDirectory: string;
}

/** `limits_config`: per-tenant limits (one tenant, `fake`, without auth). */
export interface LokiLimitsConfig {
  /** `max_cache_freshness_per_query`. */
  readonly maxCacheFreshnessPerQuery: string;
  /** `query_timeout`. */
  readonly queryTimeout: string;
  /** `reject_old_samples`. */
  readonly rejectOldSamples: boolean;
  /** `reject_old_samples_max_age`. */
  readonly rejectOldSamplesMaxAge: string;
  /** `split_queries_by_interval`. */
  readonly splitQueriesByInterval: string;
  /** `volume_enabled`: the volume API Grafana's log volume histogram uses. */
  readonly volumeEnabled: boolean;
}

/** One entry of `schema_config.configs`: the index and chunk format from a day on. */
export interface LokiPeriodConfig {
  /** `from`: first day (`YYYY-MM-DD`) the period applies to. */
  readonly from: string;
  /** `store`: the index store, e.g. `tsdb`. */
  readonly store: string;
  /** `object_store`: where chunks go, e.g. `filesystem`. */
  readonly objectStore: string;
  /** `schema`, e.g. `v13`. */
  readonly schema: string;
  /** `index.prefix`. */
  readonly indexPrefix: string;
  /** `index.period`, e.g. `24h`. */
  readonly indexPeriod: string;
}

/** `storage_config`: the index shippers and the object client. */
export interface LokiStorageConfig {
  /** `bloom_shipper.working_directory`. */
  readonly bloomShipperWorkingDirectory: string;
  /** `boltdb_shipper.index_gateway_client.server_address` and the tsdb_shipper one; empty for none. */
  readonly indexGatewayAddress: string;
  /** `hedging`: duplicate slow object store requests. */
  readonly hedging: {
    /** `at`: send a hedged request after this long. */
    readonly at: string;
    /** `up_to`: hedged requests per request at most. */
    readonly upTo: number;
    /** `max_per_second`: hedged requests per second at most. */
    readonly maxPerSecond: number;
  };
  /** `use_thanos_objstore`. */
  readonly useThanosObjstore: boolean;
}

/** `ruler`: where recording and alerting rules come from. */
export interface LokiRulerConfig {
  /** `storage.type`, e.g. `local` (the sidecar-filled `/rules`). */
  readonly storageType: string;
  /** `wal.dir`. */
  readonly walDir: string;
}

/** Loki's `config.yaml`. */
export interface LokiConfig {
  /** `auth_enabled`: false serves everything as the single tenant `fake`, without authentication. */
  readonly authEnabled: boolean;
  /** `server`. */
  readonly server: LokiServerConfig;
  /** `common`. */
  readonly common: LokiCommonConfig;
  /** `memberlist.join_members`: the hash ring's gossip peers (the headless memberlist Service). */
  readonly memberlistJoinMembers: readonly string[];
  /** `limits_config`. */
  readonly limits: LokiLimitsConfig;
  /** `schema_config.configs`, oldest first. */
  readonly schemaConfigs: readonly LokiPeriodConfig[];
  /** `storage_config`. */
  readonly storage: LokiStorageConfig;
  /** `ruler`. */
  readonly ruler: LokiRulerConfig;
  /** `runtime_config.file`: the overrides file (the runtime ConfigMap). */
  readonly runtimeConfigFile: string;
  /** `query_range.align_queries_with_step`. */
  readonly alignQueriesWithStep: boolean;
  /** `index_gateway.mode`, e.g. `simple`. */
  readonly indexGatewayMode: string;
  /** `frontend.scheduler_address` and `frontend_worker.scheduler_address`; empty for none. */
  readonly schedulerAddress: string;
  /** `frontend.tail_proxy_url`; empty for none. */
  readonly tailProxyUrl: string;
  /** `bloom_build`: `enabled` and `builder.planner_address`. */
  readonly bloomBuild: { readonly enabled: boolean; readonly plannerAddress: string };
  /** `bloom_gateway`: `enabled` and `client.addresses`. */
  readonly bloomGateway: { readonly enabled: boolean; readonly clientAddresses: string };
  /** `pattern_ingester.enabled`. */
  readonly patternIngesterEnabled: boolean;
  /** `tracing.enabled`. */
  readonly tracingEnabled: boolean;
}

/** What the default configuration depends on. */
export interface LokiConfigOptions {
  /**
   * Name of the Loki Service (`<name>-memberlist` is the gossip Service).
   * @default 'loki'
   */
  readonly name?: string;
  /**
   * Namespace of the Services.
   * @default 'istio-system'
   */
  readonly namespace?: string;
  /**
   * Cluster DNS domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}

/**
 * The Loki data directory (the `storage` volume's mount).
 * @internal
 */
export const LOKI_DATA_DIR = '/var/loki';
/**
 * Where the runtime ConfigMap is mounted.
 * @internal
 */
export const LOKI_RUNTIME_CONFIG_DIR = '/etc/loki/runtime-config';
/**
 * Loki's HTTP port.
 * @internal
 */
export const LOKI_HTTP_PORT = 3100;
/**
 * Loki's gRPC port.
 * @internal
 */
export const LOKI_GRPC_PORT = 9095;

/**
 * The configuration of Istio 1.30's `samples/addons/loki.yaml` for a Loki named `name` in
 * `namespace`. Start from it to change a part:
 *
 * @example
 * const base = defaultLokiConfig();
 * new Loki(chart, 'loki', { config: { ...base, limits: { ...base.limits, rejectOldSamplesMaxAge: '72h' } } });
 */
export function defaultLokiConfig(options: LokiConfigOptions = {}): LokiConfig {
  const name = options.name ?? 'loki';
  const namespace = options.namespace ?? 'istio-system';
  const domain = options.clusterDomain ?? 'cluster.local';
  return {
    authEnabled: false,
    server: {
      httpListenPort: LOKI_HTTP_PORT,
      grpcListenPort: LOKI_GRPC_PORT,
      // Long queries over a week of logs take minutes.
      httpServerReadTimeout: '600s',
      httpServerWriteTimeout: '600s',
    },
    common: {
      pathPrefix: LOKI_DATA_DIR,
      replicationFactor: 1,
      compactorGrpcAddress: `${name}.${namespace}.svc.${domain}:${LOKI_GRPC_PORT}`,
      chunksDirectory: `${LOKI_DATA_DIR}/chunks`,
      rulesDirectory: `${LOKI_DATA_DIR}/rules`,
    },
    memberlistJoinMembers: [`${name}-memberlist.${namespace}.svc.${domain}`],
    limits: {
      maxCacheFreshnessPerQuery: '10m',
      queryTimeout: '300s',
      rejectOldSamples: true,
      rejectOldSamplesMaxAge: '168h',
      splitQueriesByInterval: '15m',
      volumeEnabled: true,
    },
    schemaConfigs: [
      {
        from: '2024-04-01',
        store: 'tsdb',
        objectStore: 'filesystem',
        schema: 'v13',
        indexPrefix: 'index_',
        indexPeriod: '24h',
      },
    ],
    storage: {
      bloomShipperWorkingDirectory: `${LOKI_DATA_DIR}/data/bloomshipper`,
      indexGatewayAddress: '',
      hedging: { at: '250ms', upTo: 3, maxPerSecond: 20 },
      useThanosObjstore: false,
    },
    ruler: { storageType: 'local', walDir: `${LOKI_DATA_DIR}/ruler-wal` },
    runtimeConfigFile: `${LOKI_RUNTIME_CONFIG_DIR}/runtime-config.yaml`,
    alignQueriesWithStep: true,
    indexGatewayMode: 'simple',
    schedulerAddress: '',
    tailProxyUrl: '',
    bloomBuild: { enabled: false, plannerAddress: '' },
    bloomGateway: { enabled: false, clientAddresses: '' },
    patternIngesterEnabled: false,
    tracingEnabled: false,
  };
}

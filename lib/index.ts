export * from './bookinfo-app';
export * from './bookinfo/bookinfo-service';
export * from './input-validation';
export * from './mesh-service';
export * from './sidecar-injection';
export * from './sleep-client';

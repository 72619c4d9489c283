import { SidecarInjection } from '../core/sidecar-injection';

/** What the versioned samples (`Httpbin`, `HelloWorld`, `TcpEcho`) take besides their own settings. */
export interface SampleWorkloadOptions {
  /**
   * How the pods get their Istio sidecar. `SidecarInjection.NAMESPACE_LABEL` is refused (no Namespace is
   * emitted): label the namespace yourself and choose NONE.
   * @default SidecarInjection.POD_LABEL
   */
  readonly sidecarInjection?: SidecarInjection;
  /**
   * Emit the Service. Turn off to add versions to a Service emitted elsewhere.
   * @default true
   */
  readonly createService?: boolean;
  /**
   * Emit the Deployments. Turn off for the Service alone (`versions` still says which versions its pods have).
   * @default true
   */
  readonly createDeployments?: boolean;
}

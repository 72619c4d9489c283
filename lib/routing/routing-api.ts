/**
 * Which Kubernetes API a {@link VersionRouting} expresses its routes in.
 *
 * - `ISTIO`: Istio's own API, a DestinationRule (subsets per version) and a VirtualService. Every
 *   feature of the route model; the choice for sidecar meshes and for Istio 1.17.
 * - `GATEWAY_API`: the Kubernetes Gateway API, one `HTTPRoute` whose parent is the Service (GAMMA mesh
 *   routing). A version is reached through its own Service (see `VersionServices`), since the Gateway
 *   API has no subsets. It is the API Istio recommends for ambient mode, where waypoints implement it
 *   fully and VirtualService support is alpha. Route features the Gateway API (standard channel v1.5.1)
 *   lacks, such as fault injection and retries, are refused rather than dropped. Needs Istio >= 1.22.
 */
export enum RoutingApi {
  /** DestinationRule + VirtualService (networking.istio.io). */
  ISTIO = 'istio',
  /** HTTPRoute (gateway.networking.k8s.io/v1) with the Service as parent. */
  GATEWAY_API = 'gateway-api',
}

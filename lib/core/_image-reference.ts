/**
 * Container image references as the kubelet and containerd parse them: github.com/distribution/reference's
 * `ParseNormalizedNamed` (what `ParseDockerRef` and the kubelet's `ParseImageName` call), whose grammar is
 *
 * ```
 * reference := name [":" tag] ["@" digest]
 * name      := [domain "/"] path-component ["/" path-component]*
 * domain    := (domain-component ["." domain-component]* | "[" IPv6 "]") [":" port]
 * domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
 * path-component   := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
 * tag       := [\w][\w.-]{0,127}
 * digest    := algorithm ":" hex
 * ```
 *
 * with the path (the name without its domain, after `library/` is added to a one-component Docker Hub
 * name) at most 255 characters, and a digest whose algorithm the kubelet registers (sha256, sha384,
 * sha512) in lowercase hex of that algorithm's length (go-digest's `Validate`). The API server only
 * refuses an empty image: the rest fails on the node, as `InvalidImageName`, long after synth.
 *
 * The first path segment is a registry host when it contains `.` or `:`, is `localhost` or has an
 * uppercase letter (`splitDockerDomain`); otherwise the name is a Docker Hub repository.
 */

/** An image reference, split as the container runtime splits it. */
export interface ImageReference {
  /** The registry host (and port), `docker.io` for a Docker Hub name. */
  readonly domain: string;
  /** The repository path in the registry, e.g. `library/nginx`. */
  readonly path: string;
  /** The tag, if the reference has one. */
  readonly tag?: string;
  /** The digest (`sha256:...`), if the reference has one. */
  readonly digest?: string;
}

/** The longest repository path distribution/reference accepts (`RepositoryNameTotalLengthMax`). */
export const MAX_IMAGE_PATH_LENGTH = 255;

const TAG = /^\w[\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
const IPV6_HOST = /^\[[A-Fa-f0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;
// The algorithms the kubelet registers (crypto/sha256, crypto/sha512), with their hex lengths.
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
// Whitespace, control characters and anything beyond ASCII: nothing in the grammar allows them.
const FOREIGN = /[^\x21-\x7e]/;

/** Why a tag is refused, or undefined if distribution/reference accepts it. */
export function imageTagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string') return 'the tag is not a string';
  if (tag.length === 0) return 'the tag is empty';
  if (tag.length > 128) return `the tag has ${tag.length} characters (at most 128)`;
  if (!TAG.test(tag)) return 'a tag is letters, digits, "_", "." and "-", not starting with "." or "-"';
  return undefined;
}

/**
 * Parses `value` as the kubelet does; a string says why it is refused.
 */
export function parseImageReference(value: unknown): ImageReference | string {
  if (typeof value !== 'string') return 'an image reference is a string';
  if (value.length === 0) return 'the reference is empty';
  const foreign = FOREIGN.exec(value);
  if (foreign) {
    return /\s/.test(foreign[0])
      ? 'the reference contains whitespace'
      : `the reference contains ${JSON.stringify(foreign[0])}, which no part of it allows`;
  }
  if (IMAGE_ID.test(value)) return 'a 64-character hexadecimal string is an image ID, not a reference';

  const at = value.indexOf('@');
  const namePart = at < 0 ? value : value.slice(0, at);
  const digest = at < 0 ? undefined : value.slice(at + 1);

  // A tag follows the last ":" after the last "/" (a ":" before it is a registry port).
  const colon = namePart.lastIndexOf(':');
  const hasTag = colon > namePart.lastIndexOf('/');
  const name = hasTag ? namePart.slice(0, colon) : namePart;
  const tag = hasTag ? namePart.slice(colon + 1) : undefined;

  const split = splitDomain(name);
  if (typeof split === 'string') return split;
  const { domain, path, remote } = split;
  if (remote !== remote.toLowerCase()) return `the repository "${remote}" must be lowercase`;
  if (path.length > MAX_IMAGE_PATH_LENGTH) {
    return `the repository path has ${path.length} characters (at most ${MAX_IMAGE_PATH_LENGTH})`;
  }
  for (const component of path.split('/')) {
    if (component.length === 0) return 'an empty path component ("//", or "/" at the start or end of the repository)';
    if (!PATH_COMPONENT.test(component)) {
      return (
        `the path component "${component}" is not lowercase letters and digits joined by one ".", ` +
        'one or two "_", or dashes'
      );
    }
  }
  if (tag !== undefined) {
    const problem = imageTagProblem(tag);
    if (problem) return problem;
  }
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem) return problem;
  }
  return { domain, path, tag, digest };
}

/** The registry and repository path of `name` (a reference without tag and digest), as splitDockerDomain splits them. */
function splitDomain(name: string): { domain: string; path: string; remote: string } | string {
  if (name.length === 0) return 'the repository name is empty';
  const slash = name.indexOf('/');
  // One component ("nginx"): an official Docker Hub image.
  if (slash < 0) return { domain: 'docker.io', path: `library/${name}`, remote: name };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  const isDomain = first === 'localhost' || /[.:]/.test(first) || first !== first.toLowerCase();
  if (!isDomain) return { domain: 'docker.io', path: name, remote: name };
  if (first === 'index.docker.io' || first === 'docker.io') {
    return { domain: 'docker.io', path: rest.includes('/') ? rest : `library/${rest}`, remote: rest };
  }
  if (isDomainAndPort(first)) return { domain: first, path: rest, remote: rest };
  // The grammar's domain is optional: a first segment that is no host but a valid path component
  // (e.g. "my_registry.io") is read as part of the path.
  if (PATH_COMPONENT.test(first)) return { domain: '', path: name, remote: name };
  return (
    `the registry "${first}" is not a host name (letters, digits, "-" and "."), IPv4 or [IPv6] address, ` +
    'with an optional :port'
  );
}

function isDomainAndPort(domain: string): boolean {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return false;
    host = domain.slice(0, close + 1);
    const after = domain.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return false;
      port = after.slice(1);
    }
    if (!IPV6_HOST.test(host)) return false;
  } else {
    const parts = domain.split(':');
    if (parts.length > 2) return false;
    [host, port] = parts;
    if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return false;
  }
  return port === undefined || PORT.test(port);
}

function digestProblem(digest: string): string | undefined {
  const colon = digest.indexOf(':');
  const algorithm = colon < 0 ? digest : digest.slice(0, colon);
  const expected = DIGEST_HEX_LENGTH[algorithm];
  if (colon < 0 || expected === undefined || !Object.prototype.hasOwnProperty.call(DIGEST_HEX_LENGTH, algorithm)) {
    return `the digest "${digest}" is not sha256:, sha384: or sha512: followed by hexadecimal digits`;
  }
  const hex = digest.slice(colon + 1);
  if (hex.length !== expected || !/^[a-f0-9]*$/.test(hex)) {
    return `a ${algorithm} digest is ${expected} lowercase hexadecimal digits`;
  }
  return undefined;
}

/**
 * A fake Kubernetes API server on loopback for tests, e2e and the demo fleet.
 *
 * There is no kube-apiserver binary on these machines, so this serves the real JSON
 * shapes `@kubernetes/client-node` 2.x parses: `/version`, list (`*List` with
 * `metadata.resourceVersion`), `?watch=true` streams of newline-delimited
 * `{type, object}` events with resource versions (replay from a version, synthetic
 * ADDED for `resourceVersion=0`, `410 Gone` once history is compacted, bookmarks when
 * asked), single-object reads, creates and deletes, and `Status` error bodies.
 *
 * Resources served: nodes, namespaces, pods (cluster-wide and per namespace),
 * storageclasses, ingressclasses, customresourcedefinitions, resourcequotas.
 *
 * ```ts
 * const kube = await new FakeKubeApi().start();
 * kube.addNode(buildGpuNode({ name: 'gpu-1', nodePool: 'h100', gpuType: 'H100', gpus: 8 }));
 * kube.refuse('ingressclasses', 403);
 * const kubeconfig = kube.kubeconfigFile();
 * …
 * await kube.stop();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type {
  KubernetesObject,
  V1CustomResourceDefinition,
  V1IngressClass,
  V1Namespace,
  V1Node,
  V1Pod,
  V1ResourceQuota,
  V1StorageClass,
} from '@kubernetes/client-node';
import { stringify } from 'yaml';
import {
  buildCrd,
  buildIngressClass,
  buildNamespace,
  buildNode,
  buildPod,
  buildStorageClass,
  type NodeOptions,
} from '@/testing/kube-objects';
import { listenOnLoopback } from '@/testing/loopback';

// ── Resource catalogue ───────────────────────────────────────────────────────

interface ResourceInfo {
  /** `/api/v1` or `/apis/<group>/<version>`. */
  prefix: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

const RESOURCES = {
  nodes: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Node', namespaced: false },
  namespaces: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Namespace', namespaced: false },
  pods: { prefix: '/api/v1', apiVersion: 'v1', kind: 'Pod', namespaced: true },
  resourcequotas: { prefix: '/api/v1', apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true },
  storageclasses: {
    prefix: '/apis/storage.k8s.io/v1',
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    namespaced: false,
  },
  ingressclasses: {
    prefix: '/apis/networking.k8s.io/v1',
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    namespaced: false,
  },
  customresourcedefinitions: {
    prefix: '/apis/apiextensions.k8s.io/v1',
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    namespaced: false,
  },
} as const satisfies Record<string, ResourceInfo>;

/** The plural names of the resources the fake serves, e.g. `nodes`, `ingressclasses`. */
export type FakeResource = keyof typeof RESOURCES;
const RESOURCE_NAMES = Object.keys(RESOURCES) as FakeResource[];

function isFakeResource(value: string): value is FakeResource {
  return (RESOURCE_NAMES as string[]).includes(value);
}

/** The cluster-wide collection path of a resource, e.g. `/apis/networking.k8s.io/v1/ingressclasses`. */
export function collectionPath(resource: FakeResource): string {
  return `${RESOURCES[resource].prefix}/${resource}`;
}

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  resourceVersion: number;
  type: WatchEventType;
  object: KubernetesObject;
}

interface OpenWatch {
  resource: FakeResource;
  namespace: string | undefined;
  selector: LabelRequirement[];
  response: http.ServerResponse;
  bookmarkTimer: NodeJS.Timeout | undefined;
}

/** One logged request, for assertions such as "the agent did not retry". */
export interface FakeKubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface FakeKubeApiOptions {
  /** `gitVersion` served at `/version`; default `v1.30.4`. */
  kubernetesVersion?: string;
  /** How many events per resource are kept for watch resumption; default 1000. */
  historyLimit?: number;
  /** Bookmark period for watches that ask for `allowWatchBookmarks`; default 15 s. */
  bookmarkIntervalMs?: number;
}

// ── Label selectors ──────────────────────────────────────────────────────────

type LabelRequirement =
  | { op: 'eq'; key: string; value: string }
  | { op: 'neq'; key: string; value: string }
  | { op: 'in'; key: string; values: string[] }
  | { op: 'notin'; key: string; values: string[] }
  | { op: 'exists'; key: string }
  | { op: 'absent'; key: string };

/** Parses the equality- and set-based label selector forms kubectl and client-node send. */
export function parseLabelSelector(selector: string | undefined): LabelRequirement[] {
  if (!selector) return [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map((part): LabelRequirement => {
      const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
      if (set) {
        const values = (set[3] ?? '').split(',').map((v) => v.trim());
        return set[2] === 'in' ? { op: 'in', key: set[1] ?? '', values } : { op: 'notin', key: set[1] ?? '', values };
      }
      const neq = /^([^=!]+)!=(.*)$/.exec(part);
      if (neq) return { op: 'neq', key: (neq[1] ?? '').trim(), value: (neq[2] ?? '').trim() };
      const eq = /^([^=!]+)==?(.*)$/.exec(part);
      if (eq) return { op: 'eq', key: (eq[1] ?? '').trim(), value: (eq[2] ?? '').trim() };
      if (part.startsWith('!')) return { op: 'absent', key: part.slice(1).trim() };
      return { op: 'exists', key: part };
    });
}

function matchesSelector(object: KubernetesObject, requirements: LabelRequirement[]): boolean {
  const labels = object.metadata?.labels ?? {};
  return requirements.every((req) => {
    const value = labels[req.key];
    switch (req.op) {
      case 'eq':
        return value === req.value;
      case 'neq':
        return value !== req.value;
      case 'in':
        return value !== undefined && req.values.includes(value);
      case 'notin':
        return value === undefined || !req.values.includes(value);
      case 'exists':
        return value !== undefined;
      case 'absent':
        return value === undefined;
    }
  });
}

// ── JSON merge patch (RFC 7386) for updateNode & co. ─────────────────────────

/** A JSON merge patch: nested objects merge, `null` deletes a key. */
export type MergePatch = { [key: string]: unknown };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

// ── Routing ──────────────────────────────────────────────────────────────────

interface Route {
  resource: FakeResource;
  namespace: string | undefined;
  name: string | undefined;
}

function parseRoute(pathname: string): Route | undefined {
  let rest: string;
  let prefix: string;
  if (pathname.startsWith('/api/v1/')) {
    prefix = '/api/v1';
    rest = pathname.slice('/api/v1/'.length);
  } else {
    const m = /^(\/apis\/[^/]+\/[^/]+)\/(.*)$/.exec(pathname);
    if (!m) return undefined;
    prefix = m[1] ?? '';
    rest = m[2] ?? '';
  }
  const segments = rest.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  let namespace: string | undefined;
  // `/api/v1/namespaces/<ns>/<plural>[/<name>]` is a namespaced resource;
  // `/api/v1/namespaces/<name>` is the namespace itself.
  const third = segments[2];
  if (segments[0] === 'namespaces' && segments.length >= 3 && third !== undefined && isFakeResource(third)) {
    namespace = segments[1];
    segments.splice(0, 2);
  }
  const plural = segments[0];
  if (plural === undefined || !isFakeResource(plural) || RESOURCES[plural].prefix !== prefix) return undefined;
  if (segments.length > 2) return undefined;
  if (namespace !== undefined && !RESOURCES[plural].namespaced) return undefined;
  return { resource: plural, namespace, name: segments[1] };
}

function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'AlreadyExists',
  410: 'Expired',
  500: 'InternalError',
};

function statusBody(code: number, message: string, kind?: string, name?: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'Unknown',
    details: { ...(name ? { name } : {}), ...(kind ? { kind } : {}) },
    code,
  };
}

/** What the server (its quota controller) keeps in a ResourceQuota's status: hard follows spec, used is kept. */
function withServerStatus(resource: FakeResource, object: KubernetesObject, previous: KubernetesObject | undefined): KubernetesObject {
  if (resource !== 'resourcequotas') return object;
  const quota = object as V1ResourceQuota;
  const hard = { ...quota.spec?.hard };
  const before = (previous as V1ResourceQuota | undefined)?.status?.used ?? {};
  const used = Object.fromEntries(Object.keys(hard).map((key) => [key, before[key] ?? '0']));
  return { ...quota, status: { hard, used } } as KubernetesObject;
}

// ── The server ───────────────────────────────────────────────────────────────

/**
 * An in-memory Kubernetes API server on `127.0.0.1:<random port>`.
 * State changes made through the methods below are streamed to open watches at once.
 */
export class FakeKubeApi {
  private server: http.Server | undefined;
  private baseUrl: string | undefined;
  private kubernetesVersion: string;
  private readonly historyLimit: number;
  private readonly bookmarkIntervalMs: number;
  /** Like etcd: one revision counter for every resource. */
  private revision = 1;
  private readonly objects = new Map<FakeResource, Map<string, KubernetesObject>>();
  private readonly history = new Map<FakeResource, StoredEvent[]>();
  /** Watches resuming from a version at or below this get `410 Gone`. */
  private readonly compactedRevision = new Map<FakeResource, number>();
  private readonly refusals = new Map<string, 403 | 404 | 500>();
  private readonly watches = new Set<OpenWatch>();
  private tempDir: string | undefined;

  /** Every request received, oldest first. */
  readonly requests: FakeKubeRequest[] = [];

  constructor(options: FakeKubeApiOptions = {}) {
    this.kubernetesVersion = options.kubernetesVersion ?? 'v1.30.4';
    this.historyLimit = options.historyLimit ?? 1000;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 15_000;
    for (const resource of RESOURCE_NAMES) {
      this.objects.set(resource, new Map());
      this.history.set(resource, []);
      this.compactedRevision.set(resource, 0);
    }
  }

  /** Listens on a random loopback port; resolves with `this` so `await new FakeKubeApi().start()` reads well. */
  async start(): Promise<this> {
    if (this.server) return this;
    const server = http.createServer((req, res) => this.handle(req, res));
    // Idle keep-alive sockets would otherwise hold `stop()` open.
    server.keepAliveTimeout = 1000;
    this.baseUrl = await listenOnLoopback(server);
    this.server = server;
    return this;
  }

  /** Closes every watch and connection and stops listening. */
  async stop(): Promise<void> {
    if (this.tempDir) rmSync(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.dropWatches();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** `http://127.0.0.1:<port>`; throws before `start()`. */
  get url(): string {
    if (!this.baseUrl) throw new Error('FakeKubeApi is not started');
    return this.baseUrl;
  }

  /**
   * A kubeconfig pointing at this server. `skipTLSVerify` is set because client-node
   * refuses plain `http://` servers without it.
   */
  kubeconfigYaml(): string {
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'fake', user: { token: 'fake-kube-token' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      'current-context': 'fake',
    });
  }

  /** Writes {@link kubeconfigYaml} to a temp file and returns its path. */
  kubeconfigFile(): string {
    this.tempDir ??= mkdtempSync(path.join(os.tmpdir(), 'fake-kube-'));
    const file = path.join(this.tempDir, 'kubeconfig.yaml');
    writeFileSync(file, this.kubeconfigYaml(), { mode: 0o600 });
    return file;
  }

  /** Changes what `/version` reports, e.g. `v1.27.9` to fail the version preflight. */
  setKubernetesVersion(gitVersion: string): void {
    this.kubernetesVersion = gitVersion;
  }

  // ── Failure injection ──

  /**
   * Answers every request under a resource with `status` (403 forbidden, 404 absent
   * API group, 500 broken), as an API server does for RBAC-denied or uninstalled APIs.
   * `resource` is a plural (`ingressclasses`) or a collection path
   * (`/apis/networking.k8s.io/v1/ingressclasses`).
   */
  refuse(resource: FakeResource | string, status: 403 | 404 | 500): void {
    this.refusals.set(this.resolveCollectionPath(resource), status);
  }

  /** Undoes {@link refuse}. */
  allow(resource: FakeResource | string): void {
    this.refusals.delete(this.resolveCollectionPath(resource));
  }

  /** Ends every open watch stream, as an API server restart or a load balancer timeout does. */
  dropWatches(): void {
    for (const watch of [...this.watches]) this.endWatch(watch);
  }

  /**
   * Forgets watch history, as etcd compaction does: a client resuming a watch from an
   * older resource version gets `410 Gone` and must relist.
   */
  compactHistory(): void {
    // Compaction takes a revision of its own, so every version handed out before it is
    // too old while lists made after it return a version that can still be watched.
    this.revision++;
    for (const resource of RESOURCE_NAMES) {
      this.history.set(resource, []);
      this.compactedRevision.set(resource, this.revision);
    }
  }

  /** How many watch streams are open, for one resource or all. */
  openWatchCount(resource?: FakeResource): number {
    let count = 0;
    for (const watch of this.watches) if (!resource || watch.resource === resource) count++;
    return count;
  }

  // ── Generic object store ──

  /** Creates or replaces an object and notifies watches (ADDED or MODIFIED). Returns the stored copy. */
  put<T extends KubernetesObject>(resource: FakeResource, object: T): T {
    const name = object.metadata?.name;
    if (!name) throw new Error(`${resource}: object has no metadata.name`);
    const namespace = RESOURCES[resource].namespaced ? (object.metadata?.namespace ?? 'default') : undefined;
    const store = this.store(resource);
    const key = objectKey(namespace, name);
    const previous = store.get(key);
    const revision = ++this.revision;
    const stored = structuredClone(object) as T & KubernetesObject;
    stored.apiVersion = RESOURCES[resource].apiVersion;
    stored.kind = RESOURCES[resource].kind;
    stored.metadata = {
      ...stored.metadata,
      name,
      ...(namespace ? { namespace } : {}),
      uid: previous?.metadata?.uid ?? randomUUID(),
      resourceVersion: String(revision),
      creationTimestamp: previous?.metadata?.creationTimestamp ?? new Date(),
    };
    // Dates must leave as RFC 3339 strings, like the real server's JSON.
    const wire = JSON.parse(JSON.stringify(stored)) as T;
    store.set(key, wire);
    this.record(resource, { resourceVersion: revision, type: previous ? 'MODIFIED' : 'ADDED', object: wire }, previous);
    return structuredClone(wire);
  }

  /** Reads an object, or undefined. */
  get<T extends KubernetesObject = KubernetesObject>(
    resource: FakeResource,
    name: string,
    namespace?: string,
  ): T | undefined {
    const found = this.store(resource).get(objectKey(RESOURCES[resource].namespaced ? (namespace ?? 'default') : undefined, name));
    return found ? (structuredClone(found) as T) : undefined;
  }

  /** Every object of a resource. */
  list<T extends KubernetesObject = KubernetesObject>(resource: FakeResource): T[] {
    return [...this.store(resource).values()].map((o) => structuredClone(o) as T);
  }

  /** Applies a JSON merge patch (or a mutating function) to an object and notifies watches. */
  patch<T extends KubernetesObject>(
    resource: FakeResource,
    name: string,
    patch: MergePatch | ((object: T) => T | void),
    namespace?: string,
  ): T {
    const current = this.get<T>(resource, name, namespace);
    if (!current) throw new Error(`${resource} "${name}" not found`);
    const next = typeof patch === 'function' ? (patch(current) ?? current) : (applyMergePatch(current, patch) as T);
    return this.put(resource, next);
  }

  /** Deletes an object and notifies watches (DELETED). Returns whether it existed. */
  remove(resource: FakeResource, name: string, namespace?: string): boolean {
    const store = this.store(resource);
    const key = objectKey(RESOURCES[resource].namespaced ? (namespace ?? 'default') : undefined, name);
    const previous = store.get(key);
    if (!previous) return false;
    store.delete(key);
    const revision = ++this.revision;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(revision) } };
    this.record(resource, { resourceVersion: revision, type: 'DELETED', object }, previous);
    return true;
  }

  // ── Convenience for the resources the agent reads ──

  /** Adds (or replaces) a node from a built object or {@link NodeOptions}. */
  addNode(node: V1Node | NodeOptions): V1Node {
    return this.put('nodes', 'metadata' in node && node.metadata ? (node as V1Node) : buildNode(node as NodeOptions));
  }

  /** Merge-patches a node, e.g. `{ status: { allocatable: { 'nvidia.com/gpu': '4' } } }`, or mutates it. */
  updateNode(name: string, patch: MergePatch | ((node: V1Node) => V1Node | void)): V1Node {
    return this.patch<V1Node>('nodes', name, patch);
  }

  /** Sets labels on a node; `null` removes one. */
  setNodeLabels(name: string, labels: Record<string, string | null>): V1Node {
    return this.updateNode(name, { metadata: { labels } });
  }

  /** Flips the node's `Ready` condition, as the kubelet would: new reason, message and transition time. */
  setNodeReady(name: string, ready: boolean, at: Date = new Date()): V1Node {
    return this.updateNode(name, (node) => {
      for (const condition of node.status?.conditions ?? []) {
        if (condition.type !== 'Ready') continue;
        const status = ready ? 'True' : 'False';
        if (condition.status !== status) condition.lastTransitionTime = at;
        condition.status = status;
        condition.reason = ready ? 'KubeletReady' : 'KubeletNotReady';
        condition.message = ready ? 'kubelet is posting ready status' : 'container runtime network not ready: NetworkReady=false';
        condition.lastHeartbeatTime = at;
      }
    });
  }

  deleteNode(name: string): boolean {
    return this.remove('nodes', name);
  }

  addNamespace(name: string, labels: Record<string, string> = {}): V1Namespace {
    return this.put('namespaces', buildNamespace(name, labels));
  }

  /**
   * Deletes a namespace and everything in it (the real server finalizes it first; here
   * it is gone at once), as `kubectl delete namespace` by hand does.
   */
  deleteNamespace(name: string): boolean {
    for (const resource of RESOURCE_NAMES) {
      if (!RESOURCES[resource].namespaced) continue;
      for (const object of this.list(resource)) {
        if (object.metadata?.namespace === name && object.metadata.name) this.remove(resource, object.metadata.name, name);
      }
    }
    return this.remove('namespaces', name);
  }

  /**
   * Sets a ResourceQuota's `status.used`, as the quota controller does when pods come
   * and go. `status.hard` follows `spec.hard` on every write.
   */
  setQuotaUsed(namespace: string, name: string, used: Record<string, string>): V1ResourceQuota {
    return this.patch<V1ResourceQuota>('resourcequotas', name, (quota) => {
      quota.status = { hard: { ...quota.spec?.hard }, used: { ...quota.status?.used, ...used } };
    }, namespace);
  }

  addStorageClass(name: string, options: { provisioner?: string; isDefault?: boolean } = {}): V1StorageClass {
    return this.put('storageclasses', buildStorageClass(name, options));
  }

  deleteStorageClass(name: string): boolean {
    return this.remove('storageclasses', name);
  }

  addIngressClass(name: string, options: { controller?: string; isDefault?: boolean } = {}): V1IngressClass {
    return this.put('ingressclasses', buildIngressClass(name, options));
  }

  deleteIngressClass(name: string): boolean {
    return this.remove('ingressclasses', name);
  }

  /** Adds a CRD named `<plural>.<group>`, e.g. `clusterpolicies.nvidia.com`. */
  addCrd(name: string, labels: Record<string, string> = {}): V1CustomResourceDefinition {
    return this.put('customresourcedefinitions', buildCrd(name, labels));
  }

  deleteCrd(name: string): boolean {
    return this.remove('customresourcedefinitions', name);
  }

  addPod(namespace: string, name: string, labels: Record<string, string> = {}): V1Pod {
    return this.put('pods', buildPod(namespace, name, labels));
  }

  // ── Internals ──

  private store(resource: FakeResource): Map<string, KubernetesObject> {
    const store = this.objects.get(resource);
    if (!store) throw new Error(`unknown resource ${resource}`);
    return store;
  }

  private resolveCollectionPath(resource: string): string {
    return isFakeResource(resource) ? collectionPath(resource) : resource.replace(/\/$/, '');
  }

  private refusalFor(route: Route): 403 | 404 | 500 | undefined {
    return this.refusals.get(collectionPath(route.resource));
  }

  private record(resource: FakeResource, event: StoredEvent, previous: KubernetesObject | undefined): void {
    const history = this.history.get(resource) ?? [];
    history.push(event);
    if (history.length > this.historyLimit) {
      const dropped = history.splice(0, history.length - this.historyLimit);
      const last = dropped[dropped.length - 1];
      if (last) this.compactedRevision.set(resource, last.resourceVersion);
    }
    this.history.set(resource, history);
    for (const watch of this.watches) {
      if (watch.resource === resource) this.deliver(watch, event, previous);
    }
  }

  /** Sends an event to one watch, translating it for the watch's namespace and label selector. */
  private deliver(watch: OpenWatch, event: StoredEvent, previous: KubernetesObject | undefined): void {
    if (watch.namespace !== undefined && event.object.metadata?.namespace !== watch.namespace) return;
    const matchesNow = event.type !== 'DELETED' && matchesSelector(event.object, watch.selector);
    const matchedBefore = previous !== undefined && matchesSelector(previous, watch.selector);
    let type: WatchEventType | undefined;
    if (event.type === 'DELETED') type = matchedBefore ? 'DELETED' : undefined;
    else if (matchesNow) type = matchedBefore ? 'MODIFIED' : 'ADDED';
    // A relabel that takes an object out of the selector looks like a delete to the watcher.
    else if (matchedBefore) type = 'DELETED';
    if (type) this.writeEvent(watch, type, event.object);
  }

  private writeEvent(watch: OpenWatch, type: string, object: unknown): void {
    watch.response.write(JSON.stringify({ type, object }) + '\n');
  }

  private endWatch(watch: OpenWatch): void {
    if (watch.bookmarkTimer) clearInterval(watch.bookmarkTimer);
    this.watches.delete(watch);
    if (!watch.response.writableEnded) watch.response.end();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams.entries());
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query });

    if (url.pathname === '/version' && req.method === 'GET') {
      const m = /^v(\d+)\.(\d+)/.exec(this.kubernetesVersion);
      return this.json(res, 200, {
        major: m?.[1] ?? '1',
        minor: m?.[2] ?? '0',
        gitVersion: this.kubernetesVersion,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.22.5',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }

    const route = parseRoute(url.pathname);
    if (!route) return this.json(res, 404, statusBody(404, `the server could not find the requested resource`));
    const refusal = this.refusalFor(route);
    if (refusal === 403) {
      return this.json(
        res,
        403,
        statusBody(
          403,
          `${route.resource} is forbidden: User "system:serviceaccount:fleetdeck-agent:fleetdeck-agent" cannot ${req.method === 'POST' ? 'create' : 'list'} resource "${route.resource}" at the cluster scope`,
          route.resource,
        ),
      );
    }
    if (refusal) return this.json(res, refusal, statusBody(refusal, `the server could not find the requested resource`));

    if (req.method === 'GET' && route.name === undefined) {
      if (query.watch === 'true' || query.watch === '1') return this.serveWatch(req, res, route, query);
      return this.serveList(res, route, query);
    }
    if (req.method === 'GET' && route.name !== undefined) {
      const found = this.store(route.resource).get(objectKey(route.namespace, route.name));
      if (!found) {
        return this.json(res, 404, statusBody(404, `${route.resource} "${route.name}" not found`, route.resource, route.name));
      }
      return this.json(res, 200, found);
    }
    if (req.method === 'POST' && route.name === undefined) return this.serveCreate(req, res, route);
    if (req.method === 'PUT' && route.name !== undefined) return this.serveReplace(req, res, route, route.name);
    if (req.method === 'DELETE' && route.name !== undefined) {
      const found = this.store(route.resource).get(objectKey(route.namespace, route.name));
      if (!found) {
        return this.json(res, 404, statusBody(404, `${route.resource} "${route.name}" not found`, route.resource, route.name));
      }
      if (route.resource === 'namespaces') this.deleteNamespace(route.name);
      else this.remove(route.resource, route.name, route.namespace);
      return this.json(res, 200, found);
    }
    return this.json(res, 405, statusBody(405, `method ${req.method ?? ''} not allowed`));
  }

  private matching(route: Route, selector: LabelRequirement[]): KubernetesObject[] {
    return [...this.store(route.resource).values()].filter(
      (o) =>
        (route.namespace === undefined || o.metadata?.namespace === route.namespace) && matchesSelector(o, selector),
    );
  }

  private serveList(res: http.ServerResponse, route: Route, query: Record<string, string>): void {
    const info = RESOURCES[route.resource];
    const items = this.matching(route, parseLabelSelector(query.labelSelector));
    this.json(res, 200, {
      kind: `${info.kind}List`,
      apiVersion: info.apiVersion,
      metadata: { resourceVersion: String(this.revision) },
      items,
    });
  }

  private serveWatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: Route,
    query: Record<string, string>,
  ): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const watch: OpenWatch = {
      resource: route.resource,
      namespace: route.namespace,
      selector: parseLabelSelector(query.labelSelector),
      response: res,
      bookmarkTimer: undefined,
    };
    const from = query.resourceVersion;
    if (!from || from === '0') {
      // "Any version": the real server starts with synthetic ADDED events for what exists.
      for (const object of this.matching(route, watch.selector)) this.writeEvent(watch, 'ADDED', object);
    } else {
      const since = Number(from);
      if (!Number.isFinite(since) || since < (this.compactedRevision.get(route.resource) ?? 0)) {
        this.writeEvent(watch, 'ERROR', statusBody(410, `too old resource version: ${from} (${this.revision})`));
        res.end();
        return;
      }
      for (const event of this.history.get(route.resource) ?? []) {
        if (event.resourceVersion <= since) continue;
        if (route.namespace !== undefined && event.object.metadata?.namespace !== route.namespace) continue;
        if (event.type === 'DELETED' || matchesSelector(event.object, watch.selector)) {
          this.writeEvent(watch, event.type, event.object);
        }
      }
    }
    if (query.allowWatchBookmarks === 'true') {
      const info = RESOURCES[route.resource];
      watch.bookmarkTimer = setInterval(() => {
        this.writeEvent(watch, 'BOOKMARK', {
          kind: info.kind,
          apiVersion: info.apiVersion,
          metadata: { resourceVersion: String(this.revision) },
        });
      }, this.bookmarkIntervalMs);
      watch.bookmarkTimer.unref();
    }
    this.watches.add(watch);
    const timeoutSeconds = Number(query.timeoutSeconds);
    if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) {
      setTimeout(() => this.endWatch(watch), timeoutSeconds * 1000).unref();
    }
    req.on('close', () => this.endWatch(watch));
  }

  private serveCreate(req: http.IncomingMessage, res: http.ServerResponse, route: Route): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: KubernetesObject;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubernetesObject;
      } catch {
        return this.json(res, 400, statusBody(400, 'request body is not JSON'));
      }
      const name = body.metadata?.name;
      if (!name) return this.json(res, 400, statusBody(400, 'metadata.name: Required value'));
      const namespace = RESOURCES[route.resource].namespaced ? (route.namespace ?? body.metadata?.namespace) : undefined;
      if (this.store(route.resource).has(objectKey(namespace, name))) {
        return this.json(res, 409, statusBody(409, `${route.resource} "${name}" already exists`, route.resource, name));
      }
      const toStore: KubernetesObject =
        route.resource === 'namespaces'
          ? buildNamespace(name, body.metadata?.labels ?? {})
          : { ...body, metadata: { ...body.metadata, ...(namespace ? { namespace } : {}) } };
      if (route.resource === 'namespaces' && body.metadata?.annotations) {
        toStore.metadata = { ...toStore.metadata, annotations: body.metadata.annotations };
      }
      this.json(res, 201, this.put(route.resource, withServerStatus(route.resource, toStore, undefined)));
    });
  }

  /**
   * PUT: replaces an object. Like the real server: 404 when it does not exist, 409
   * Conflict when the body carries a `resourceVersion` that is no longer current, and
   * the status is the server's (a client cannot set it through the main resource).
   */
  private serveReplace(req: http.IncomingMessage, res: http.ServerResponse, route: Route, name: string): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: KubernetesObject & { status?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubernetesObject;
      } catch {
        return this.json(res, 400, statusBody(400, 'request body is not JSON'));
      }
      if (body.metadata?.name !== name) {
        return this.json(res, 400, statusBody(400, `the name of the object (${body.metadata?.name ?? ''}) does not match the name on the URL (${name})`));
      }
      const namespace = RESOURCES[route.resource].namespaced ? (route.namespace ?? 'default') : undefined;
      const current = this.store(route.resource).get(objectKey(namespace, name)) as (KubernetesObject & { status?: unknown }) | undefined;
      if (!current) {
        return this.json(res, 404, statusBody(404, `${route.resource} "${name}" not found`, route.resource, name));
      }
      const version = body.metadata.resourceVersion;
      if (version && version !== current.metadata?.resourceVersion) {
        return this.json(res, 409, {
          ...statusBody(409, `Operation cannot be fulfilled on ${route.resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`, route.resource, name),
          reason: 'Conflict',
        });
      }
      const replaced: KubernetesObject & { status?: unknown } = { ...body, metadata: { ...body.metadata, ...(namespace ? { namespace } : {}) }, status: current.status };
      const next = withServerStatus(route.resource, replaced, current);
      this.json(res, 200, this.put(route.resource, next));
    });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

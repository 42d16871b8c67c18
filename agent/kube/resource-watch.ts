/**
 * List + watch of one cluster-scoped resource, kept in memory.
 *
 * Written on client-node's `Watch` rather than `makeInformer` because the agent needs
 * what the informer hides: a 403/404 is a *refusal* to report (and retry slowly), not
 * an error to stop on; any other failure retries with backoff; `410 Gone` (as a status
 * or as an ERROR event) relists.
 */
import { ApiException, type Watch } from '@kubernetes/client-node';
import { Backoff, sleep } from '@/agent/backoff';
import type { ResourceRefusal } from '@/agent/cluster-state';
import type { AgentLogger } from '@/agent/logger';
import type { KubeObject } from '@/agent/kube/objects';

export type WatchStatus =
  /** Not listed yet. */
  | 'pending'
  /** Listed; the cache reflects the cluster. */
  | 'synced'
  /** The API server refused it (403/404): reported as a warning. */
  | 'refused'
  /** Listing failed for another reason; retrying. */
  | 'failing';

export interface ResourceWatchOptions<T extends KubeObject> {
  /** Plural resource name, for warnings and logs (`ingressclasses`). */
  resource: string;
  /** Collection path for the watch, e.g. `/apis/networking.k8s.io/v1/ingressclasses`. */
  path: string;
  list: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** Label selector for the watch; `list` must apply the same one. */
  labelSelector?: string;
  watch: Watch;
  logger: AgentLogger;
  /** Called after every change to the cache or the status. */
  onChange: () => void;
  /** How long to wait before asking again for a refused resource; default 60 s. */
  refusedRetryMs?: number;
  backoff?: { baseMs?: number; capMs?: number };
}

interface WatchEnd {
  gone: boolean;
  error: unknown;
  receivedEvents: boolean;
}

/** The HTTP status of a client-node failure: `ApiException.code` for calls, `statusCode` for watches. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (typeof err === 'object' && err !== null) {
    const { statusCode, code } = err as { statusCode?: unknown; code?: unknown };
    if (typeof statusCode === 'number') return statusCode;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** A one-line account of a client-node failure, using the API server's Status message when there is one. */
export function describeKubeError(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        const status = JSON.parse(body) as { message?: unknown };
        if (typeof status.message === 'string') return `HTTP ${err.code}: ${status.message}`;
      } catch {
        // Not a Status body; fall through to the generic message.
      }
    }
    return `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Cache key: the name, under its namespace for namespaced objects (every managed quota is `fleetdeck-quota`). */
function objectKey(object: KubeObject): string {
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

export class ResourceWatch<T extends KubeObject> {
  private readonly objects = new Map<string, T>();
  private currentStatus: WatchStatus = 'pending';
  private refusalReason: 'forbidden' | 'not found' | undefined;
  private resourceVersion = '';
  private readonly stopController = new AbortController();
  private activeWatch: AbortController | undefined;
  private readonly backoff: Backoff;
  private running: Promise<void> | undefined;
  private attempted = false;
  private readonly attemptWaiters: Array<() => void> = [];

  constructor(private readonly options: ResourceWatchOptions<T>) {
    this.backoff = new Backoff(options.backoff);
  }

  get status(): WatchStatus {
    return this.currentStatus;
  }

  get resource(): string {
    return this.options.resource;
  }

  /** The objects, or undefined unless the resource is synced (refused or never listed). */
  items(): T[] | undefined {
    return this.currentStatus === 'synced' ? [...this.objects.values()] : undefined;
  }

  /**
   * Why there is no data, if there is none: refused, or failing since start. A resource
   * that fails after it synced keeps its last known objects and reports nothing here.
   */
  refusal(): ResourceRefusal | undefined {
    if (this.refusalReason) return { resource: this.options.resource, reason: this.refusalReason };
    if (this.currentStatus === 'failing') return { resource: this.options.resource, reason: 'unavailable' };
    return undefined;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Resolves once the first list attempt has an outcome (synced, refused or failed). */
  firstAttempt(): Promise<void> {
    if (this.attempted) return Promise.resolve();
    return new Promise((resolve) => this.attemptWaiters.push(resolve));
  }

  /**
   * Stops watching. Waits for the loop to wind down, but at most `graceMs`: a list call
   * stuck on an unreachable API server must not hold up the agent's shutdown.
   */
  async stop(graceMs = 2000): Promise<void> {
    this.stopController.abort();
    this.activeWatch?.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.running,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private markAttempted(): void {
    this.attempted = true;
    for (const resolve of this.attemptWaiters.splice(0)) resolve();
  }

  private setStatus(status: WatchStatus, refusal?: 'forbidden' | 'not found'): void {
    const changed = status !== this.currentStatus || refusal !== this.refusalReason;
    this.currentStatus = status;
    this.refusalReason = refusal;
    if (changed) this.options.onChange();
  }

  private async run(): Promise<void> {
    const log = this.options.logger.child({ resource: this.options.resource });
    while (!this.stopped) {
      try {
        await this.relist();
        this.markAttempted();
        await this.watchUntilGone(log);
      } catch (err) {
        if (this.stopped) break;
        const status = httpStatusOf(err);
        this.markAttempted();
        if (status === 403 || status === 404) {
          const reason = status === 403 ? 'forbidden' : 'not found';
          if (this.currentStatus !== 'refused') log.warn('the API server refused this resource', { reason, detail: describeKubeError(err) });
          this.objects.clear();
          this.resourceVersion = '';
          this.setStatus('refused', reason);
          await sleep(this.options.refusedRetryMs ?? 60_000, this.stopController.signal);
        } else {
          // Keep the last known objects (stale beats empty); retry with backoff.
          const delayMs = this.backoff.next();
          log.warn('listing failed, retrying', { detail: describeKubeError(err), delayMs });
          if (this.currentStatus === 'pending') this.setStatus('failing');
          await sleep(delayMs, this.stopController.signal);
        }
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.options.list();
    if (this.stopped) return;
    this.objects.clear();
    for (const item of list.items) this.objects.set(objectKey(item), item);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    this.backoff.reset();
    this.currentStatus = 'synced';
    this.refusalReason = undefined;
    this.options.onChange();
  }

  /** Watches from the listed version, re-watching after drops, until a relist is needed. */
  private async watchUntilGone(log: AgentLogger): Promise<void> {
    while (!this.stopped) {
      const startedAt = Date.now();
      const end = await this.watchOnce();
      if (this.stopped) return;
      if (end.gone) {
        log.info('watch history expired (410 Gone), relisting');
        this.resourceVersion = '';
        return;
      }
      const status = httpStatusOf(end.error);
      if (status === 410) {
        this.resourceVersion = '';
        return;
      }
      if (status === 403 || status === 404) throw end.error;
      const isTimeout = end.error instanceof Error && end.error.name === 'TimeoutError';
      if (end.error && !isTimeout) {
        const delayMs = this.backoff.next();
        log.warn('watch failed, re-watching', { detail: describeKubeError(end.error), delayMs });
        await sleep(delayMs, this.stopController.signal);
      } else if (!end.receivedEvents && Date.now() - startedAt < 1000) {
        // A stream that closes at once and says nothing must not become a hot loop.
        await sleep(this.backoff.next(), this.stopController.signal);
      } else {
        this.backoff.reset();
      }
    }
  }

  private watchOnce(): Promise<WatchEnd> {
    return new Promise((resolve) => {
      let gone = false;
      let receivedEvents = false;
      const onEvent = (phase: string, object: unknown) => {
        receivedEvents = true;
        if (phase === 'ERROR') {
          if ((object as { code?: unknown } | null)?.code === 410) gone = true;
          return;
        }
        const obj = object as T;
        const version = obj.metadata?.resourceVersion;
        if (version) this.resourceVersion = version;
        if (phase === 'BOOKMARK') return;
        const key = objectKey(obj);
        if (phase === 'DELETED') this.objects.delete(key);
        else if (phase === 'ADDED' || phase === 'MODIFIED') this.objects.set(key, obj);
        else return;
        this.options.onChange();
      };
      const onDone = (error: unknown) => resolve({ gone, error: error ?? undefined, receivedEvents });
      this.options.watch
        .watch(
          this.options.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            ...(this.options.labelSelector ? { labelSelector: this.options.labelSelector } : {}),
          },
          onEvent,
          onDone,
        )
        .then((controller) => {
          this.activeWatch = controller;
          if (this.stopped) controller.abort();
        })
        .catch((error: unknown) => resolve({ gone: false, error, receivedEvents }));
    });
  }
}

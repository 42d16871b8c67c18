/**
 * The gateway's work for agents, done a slice of event-loop time at a time.
 *
 * When the control plane restarts, every agent dials back at once: the kernel hands
 * the HTTP server a thousand upgrade requests in one turn of the event loop, and a
 * moment later a thousand hellos and snapshots. Done as they arrive, each one's token
 * lookup, handshake or frame would run back to back in that turn: 1,500 upgrades held
 * the loop for over a second while health checks and the UI waited. So socket
 * callbacks only queue work here, and the queue runs tasks one after another for at
 * most `sliceMs`, then lets the loop take a turn (timers, other sockets, the state
 * writer), then runs the next slice.
 *
 * A task that returns a promise is waited for, within the slice, before the next one
 * starts, so its continuation counts in the slice: on SQLite a token lookup resolves at
 * once but does its work in that continuation. One still pending when the slice ends
 * (a lookup waiting on PostgreSQL, where the loop is free meanwhile) goes on by itself
 * and the queue moves on: a slow or stuck task never holds the others. Long work, such
 * as a large snapshot read in slices of its own, is not returned at all.
 */
import { setTimeout as nextTurn } from 'node:timers/promises';

export type Task = () => void | Promise<void>;

export class SliceScheduler {
  private queue: Task[] = [];
  private head = 0;
  private running = false;

  constructor(
    private readonly sliceMs: number,
    /** Told of a task that threw: the queue goes on. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Tasks waiting. */
  get backlog(): number {
    return this.queue.length - this.head;
  }

  schedule(task: Task): void {
    this.queue.push(task);
    if (this.running) return;
    this.running = true;
    // Never run from the socket callback that scheduled: the I/O callbacks of one turn
    // (a thousand of them in a storm) only queue, and the work starts after them.
    setImmediate(() => void this.run());
  }

  private take(): Task | undefined {
    const task = this.queue[this.head];
    if (task === undefined) return undefined;
    this.head++;
    // Compact now and then rather than shift() each time (O(n) per task on a long queue).
    if (this.head >= 1_024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return task;
  }

  private async run(): Promise<void> {
    try {
      while (this.backlog > 0) {
        const sliceStarted = performance.now();
        let sliceOver: Promise<void> | undefined;
        for (let task = this.take(); task; task = performance.now() - sliceStarted < this.sliceMs ? this.take() : undefined) {
          try {
            const pending = task()?.catch(this.onError);
            if (!pending) continue;
            sliceOver ??= nextTurn(Math.max(1, this.sliceMs - (performance.now() - sliceStarted))).then(() => undefined);
            await Promise.race([pending, sliceOver]);
          } catch (error) {
            this.onError(error);
          }
        }
        // A timer turn, not setImmediate: from an I/O callback an immediate runs before timers do.
        if (this.backlog > 0) await nextTurn();
      }
    } finally {
      this.running = false;
    }
  }
}

import { createHash } from 'node:crypto';
import { CLUSTER_SCRIPTS, type ClusterScript } from './clusterScripts.js';

/**
 * What the `redis` option accepts besides a URL: a connected ioredis `Redis` client. Described by shape, not
 * imported, so `hangup/server`'s types do not depend on `ioredis` being installed.
 */
export interface RedisClientOption {
  readonly status: string;
  duplicate(): unknown;
}

/**
 * The part of an ioredis `Redis` client that cluster mode uses. Typed here, not imported, so `hangup/server`'s
 * types do not depend on `ioredis` being installed.
 */
export interface RedisClientLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  get(key: string): Promise<string | null>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  duplicate(): RedisClientLike;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'ready', listener: () => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  quit(): Promise<unknown>;
  disconnect(): void;
  readonly status: string;
}

/** The two connections cluster mode needs: commands, and a subscriber (a subscribed connection runs nothing else). */
export interface RedisPair {
  commands: RedisClientLike;
  subscriber: RedisClientLike;
  /** Closes what this module opened (a client the app passed in stays open). */
  close(): Promise<void>;
}

/**
 * Connects to Redis for cluster mode. `ioredis` is imported only here, lazily, so the single-process relay (and the
 * core) never load it. A URL opens two connections owned by the relay; a client passed in is used for commands and
 * duplicated for the subscriber.
 *
 * @internal
 */
export async function connectRedis(
  option: string | RedisClientOption,
  onError: (error: Error) => void,
): Promise<RedisPair> {
  // The app's client is an ioredis `Redis`: it has everything `RedisClientLike` describes.
  const redis = option as string | RedisClientLike;
  let module: { Redis: new (url: string, options: object) => RedisClientLike };
  try {
    module = (await import('ioredis')) as unknown as typeof module;
  } catch (cause) {
    throw new Error('createRelayServer: cluster mode needs the "ioredis" package: npm install ioredis', {
      cause,
    });
  }
  // Commands fail fast while Redis is unreachable (instead of queueing without bound); the relay then asks the
  // affected clients to resume, see docs/scaling.md.
  const options = { maxRetriesPerRequest: 1, lazyConnect: true, enableAutoPipelining: true };
  const owned = typeof redis === 'string';
  const commands = owned ? new module.Redis(redis, options) : redis;
  const subscriber = owned ? new module.Redis(redis, options) : redis.duplicate();
  commands.on('error', onError);
  subscriber.on('error', onError);
  try {
    await Promise.all([connect(commands), connect(subscriber)]);
  } catch (error) {
    if (owned) commands.disconnect();
    subscriber.disconnect();
    throw error;
  }
  return {
    commands,
    subscriber,
    async close() {
      commands.off('error', onError);
      await Promise.allSettled([subscriber.quit(), owned ? commands.quit() : undefined]);
      subscriber.disconnect();
      if (owned) commands.disconnect();
    },
  };
}

async function connect(client: RedisClientLike): Promise<void> {
  const connectable = client as RedisClientLike & { connect?: () => Promise<void> };
  if (client.status === 'wait' && connectable.connect) await connectable.connect();
}

const SHAS = Object.fromEntries(
  Object.entries(CLUSTER_SCRIPTS).map(([name, source]) => [
    name,
    createHash('sha1').update(source).digest('hex'),
  ]),
) as Record<ClusterScript, string>;

/**
 * Runs one of the cluster scripts by its SHA, loading it on `NOSCRIPT` (first use, or a Redis that restarted and
 * lost its script cache).
 *
 * @internal
 */
export async function runScript(
  client: RedisClientLike,
  name: ClusterScript,
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(SHAS[name], 0, ...args);
  } catch (error) {
    if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
    return client.eval(CLUSTER_SCRIPTS[name], 0, ...args);
  }
}

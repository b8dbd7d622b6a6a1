import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PrismaPg } from '@prisma/adapter-pg';
import { DatabaseBusyFilter } from './database-busy.filter';
import type { ReadinessProbe } from '@orderly/observability';

/** What this module needs of a service's generated Prisma client (each service generates its own). */
export interface PrismaClientLike {
  $queryRawUnsafe(query: string): Promise<unknown>;
  $disconnect(): Promise<void>;
}
export type PrismaClientClass<T extends PrismaClientLike> = new (options: { adapter: PrismaPg }) => T;

export interface DatabaseOptions {
  /** postgres:// URL of the database this service owns. */
  url: string;
  /** Pool size; each service instance keeps at most this many connections. */
  poolSize?: number;
}

export interface DatabaseModuleOptions<T extends PrismaClientLike> {
  /** The service's generated `PrismaClient` class; it is also the injection token. */
  client: PrismaClientClass<T>;
  inject?: Array<string | symbol | Type<unknown>>;
  useFactory: (...deps: never[]) => DatabaseOptions;
}

const DATABASE_CLIENT = Symbol('DATABASE_CLIENT');

/**
 * How long a query waits for a pooled connection before it fails (and HTTP answers 503). As long as
 * the inbox lets a message handler's transaction wait to start (outbox `inboxTransactionMaxWaitMs`):
 * the pool must not cut that shorter. HTTP transactions give up sooner, after Prisma's `maxWait` (2 s).
 */
const ConnectionWaitMs = 5_000;

@Injectable()
export class DatabaseReadinessProbe implements ReadinessProbe {
  readonly name = 'database';
  constructor(@Inject(DATABASE_CLIENT) private readonly client: PrismaClientLike) {}

  async check(): Promise<void> {
    await this.client.$queryRawUnsafe('SELECT 1');
  }
}

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_CLIENT) private readonly client: PrismaClientLike) {}

  // Runs after the HTTP server and consumers stopped (Nest shuts modules down in reverse order),
  // so in-flight transactions finish before the pool closes.
  async onApplicationShutdown(): Promise<void> {
    await this.client.$disconnect();
  }
}

/**
 * Provides a service's Prisma client over the `pg` driver adapter (Prisma 7 has no query engine
 * binary; the adapter is required). The client class is the injection token, so a service injects
 * its own typed client: `constructor(private readonly db: OrderDatabase)`.
 */
@Module({})
export class DatabaseModule {
  static forRoot<T extends PrismaClientLike>(options: DatabaseModuleOptions<T>): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: DATABASE_CLIENT,
          inject: options.inject ?? [],
          useFactory: (...deps: never[]) => {
            const { url, poolSize } = options.useFactory(...deps);
            const pool = {
              connectionString: url,
              max: poolSize ?? 10,
              // A query outside a transaction waits this long for a free connection (pg's default is
              // forever); transactions give up after Prisma's maxWait. Either way: 503, see DatabaseBusyFilter.
              connectionTimeoutMillis: ConnectionWaitMs,
            };
            return new options.client({ adapter: new PrismaPg(pool) });
          },
        },
        { provide: options.client, useExisting: DATABASE_CLIENT },
        DatabaseReadinessProbe,
        DatabaseLifecycle,
        // Overload answers 503 + Retry-After, not 500 (see DatabaseBusyFilter).
        { provide: APP_FILTER, useClass: DatabaseBusyFilter },
      ],
      exports: [options.client, DATABASE_CLIENT, DatabaseReadinessProbe],
    };
  }
}

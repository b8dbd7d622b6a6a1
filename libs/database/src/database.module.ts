import {
  type DynamicModule,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
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
            return new options.client({ adapter: new PrismaPg({ connectionString: url, max: poolSize ?? 10 }) });
          },
        },
        { provide: options.client, useExisting: DATABASE_CLIENT },
        DatabaseReadinessProbe,
        DatabaseLifecycle,
      ],
      exports: [options.client, DATABASE_CLIENT, DatabaseReadinessProbe],
    };
  }
}

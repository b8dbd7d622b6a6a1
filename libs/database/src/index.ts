export { DatabaseModule, DatabaseReadinessProbe } from './database.module';
export type { DatabaseModuleOptions, DatabaseOptions, PrismaClientLike } from './database.module';
export { DatabaseBusyFilter, isDatabaseBusy } from './database-busy.filter';

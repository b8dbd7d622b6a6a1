import { applyMigrations, seedDatabase } from '@orderly/prisma-migrate';
import { StackServices, type StackSchema } from './stack-services';

/** The database URL of each service, by schema key (`order`, `inventory`, …). */
export type DatabaseUrls = Record<StackSchema, string>;

/**
 * Applies every service's migrations to its database, in parallel, with the project's own migration
 * tool (what `npm run db -- deploy` runs), in this process: four CLI processes would each spend
 * seconds compiling the tool before doing anything.
 */
export async function migrateServiceDatabases(urls: DatabaseUrls): Promise<void> {
  await Promise.all(StackServices.map((service) => applyMigrations(service.schema, urls[service.schema])));
}

/** Loads inventory-service's sample catalogue and stock (`npm run db -- seed --service inventory`). */
export async function seedInventory(url: string): Promise<string> {
  return (await seedDatabase('inventory', url)).summary;
}

// What the real Prisma CLI reads for payment-service's database, e.g. in its Docker image:
//   DATABASE_URL=postgres://... npx prisma migrate deploy --config prisma/payment/prisma.config.ts
// Paths are relative to this file. tools/prisma-migrate follows the same layout where the
// schema-engine binary is missing (see prisma/README.md).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  // Every .prisma file of this folder (Prisma's multi-file schema): shared models join as a file.
  schema: '.',
  migrations: { path: 'migrations' },
  // Read, not required: `prisma generate` needs no database (prisma/config's env() would throw).
  datasource: { url: process.env['DATABASE_URL'] },
});

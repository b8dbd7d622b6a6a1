import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateClients } from './generate-clients';
import { copyPrismaDir } from './test-database';

// Runs the real `prisma generate` (offline), so it lives with the integration tests.
describe('generateClients', () => {
  let copy: ReturnType<typeof copyPrismaDir>;
  beforeAll(() => (copy = copyPrismaDir()));
  afterAll(() => copy?.dispose());

  it('generates a client, skips it while its schema is unchanged, and generates it again after an edit', async () => {
    const options = { prismaDir: copy.dir, services: ['notification'] };
    const client = path.join(copy.dir, 'notification', 'generated', 'client.ts');

    expect(await generateClients(options)).toEqual([{ service: 'notification', generated: true }]);
    expect(readFileSync(client, 'utf8')).toContain('export const PrismaClient');

    expect(await generateClients(options)).toEqual([{ service: 'notification', generated: false }]);

    const schema = path.join(copy.dir, 'notification', 'schema.prisma');
    writeFileSync(
      schema,
      readFileSync(schema, 'utf8').replace(
        '  channel    String',
        '  subject    String?\n  channel    String',
      ),
    );
    expect(await generateClients(options)).toEqual([{ service: 'notification', generated: true }]);
    expect(
      readFileSync(path.join(copy.dir, 'notification', 'generated', 'models', 'Notification.ts'), 'utf8'),
    ).toContain('subject');
  });

  it('fails with Prisma’s own message when a schema is invalid', async () => {
    const schema = path.join(copy.dir, 'payment', 'schema.prisma');
    writeFileSync(schema, `${readFileSync(schema, 'utf8')}\nmodel Broken {\n  id Strin @id\n}\n`);
    await expect(generateClients({ prismaDir: copy.dir, services: ['payment'] })).rejects.toThrow(
      /prisma generate[\s\S]*Strin/,
    );
    expect(existsSync(path.join(copy.dir, 'payment', 'generated', 'client.ts'))).toBe(false);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertSharedSchemasInSync,
  inspectSharedSchemas,
  sharedSchemaCopy,
  SharedSchemas,
  syncSharedSchemas,
} from './shared-schemas';

describe('shared schema copies', () => {
  it('in the repository match their sources (run `npm run db -- sync` when this fails)', () => {
    const copies = inspectSharedSchemas();
    expect(copies.length).toBeGreaterThanOrEqual(SharedSchemas.length);
    expect(copies.filter((copy) => copy.status !== 'up-to-date')).toEqual([]);
  });

  describe('in a scratch workspace', () => {
    let root: string;
    const schemas = [{ source: 'libs/thing/prisma/thing.prisma', file: 'thing.prisma' }];
    const source = 'model Thing {\n  id Int @id\n}\n';
    const options = () => ({ prismaDir: path.join(root, 'prisma'), workspaceRoot: root, schemas });
    const copyOf = (service: string) => path.join(root, 'prisma', service, 'thing.prisma');

    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'shared-schemas-'));
      mkdirSync(path.join(root, 'libs/thing/prisma'), { recursive: true });
      writeFileSync(path.join(root, schemas[0].source), source);
      for (const service of ['alpha', 'beta']) {
        mkdirSync(path.join(root, 'prisma', service), { recursive: true });
        writeFileSync(path.join(root, 'prisma', service, 'prisma.config.ts'), '');
      }
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('writes a missing copy with a header naming its source, and leaves it alone the second time', () => {
      expect(syncSharedSchemas(options()).map((c) => [c.service, c.status])).toEqual([
        ['alpha', 'missing'],
        ['beta', 'missing'],
      ]);
      const written = readFileSync(copyOf('alpha'), 'utf8');
      expect(written).toBe(sharedSchemaCopy(schemas[0].source, source));
      expect(written).toMatch(/^\/\/ GENERATED .* from libs\/thing\/prisma\/thing\.prisma/);
      expect(written.endsWith(source)).toBe(true);
      expect(syncSharedSchemas(options()).map((c) => c.status)).toEqual(['up-to-date', 'up-to-date']);
    });

    it('reports a copy edited by hand as stale, refuses it, and sync restores it', () => {
      syncSharedSchemas(options());
      writeFileSync(copyOf('beta'), readFileSync(copyOf('beta'), 'utf8').replace('Int @id', 'String @id'));
      expect(inspectSharedSchemas(options()).map((c) => c.status)).toEqual(['up-to-date', 'stale']);
      expect(() => assertSharedSchemasInSync(options())).toThrow(/stale: .*beta.*thing\.prisma[\s\S]*npm run db -- sync/);
      syncSharedSchemas(options());
      expect(() => assertSharedSchemasInSync(options())).not.toThrow();
    });

    it('reports every copy as stale when the source changes', () => {
      syncSharedSchemas(options());
      writeFileSync(path.join(root, schemas[0].source), `${source}// a new comment\n`);
      expect(inspectSharedSchemas(options()).map((c) => c.status)).toEqual(['stale', 'stale']);
    });
  });
});

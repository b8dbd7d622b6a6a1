import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LOCKFILE_CONTENT,
  migrationChecksum,
  migrationDirectoryName,
  readMigrations,
  sortMigrationNames,
  writeMigration,
} from './migrations-directory';

describe('migration checksum', () => {
  it('is the SHA-256 of the file in hex, as in the checksum column of _prisma_migrations', () => {
    expect(migrationChecksum('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(migrationChecksum('SELECT 1;\n')).toBe(migrationChecksum(Buffer.from('SELECT 1;\n')));
    expect(migrationChecksum('SELECT 1;\n')).not.toBe(migrationChecksum('SELECT 1;\r\n'));
  });
});

describe('migration order', () => {
  it('applies migrations in the order of their timestamps, whatever order the folder lists them in', () => {
    expect(sortMigrationNames(['20250310090000_b', '20241231235959_a', '20250310090000_a'])).toEqual([
      '20241231235959_a',
      '20250310090000_a',
      '20250310090000_b',
    ]);
  });
});

describe('new migration names', () => {
  const at = new Date('2025-03-04T05:06:07.890Z');

  it('start with the UTC time as YYYYMMDDHHMMSS, like prisma migrate dev', () => {
    expect(migrationDirectoryName('init', at)).toBe('20250304050607_init');
  });

  it('keep only lower-case letters, digits and underscores of the name', () => {
    expect(migrationDirectoryName('  Add outbox-table (v2) ', at)).toBe('20250304050607_add_outbox_table_v2');
  });

  it('refuse a name with nothing usable in it', () => {
    expect(() => migrationDirectoryName(' -- ', at)).toThrow(/not a usable migration name/);
  });
});

describe('the migrations folder', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'migrations-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is read as Prisma reads it: folders in order with their SQL, files beside them ignored', () => {
    writeMigration(dir, '20250102000000_second', 'SELECT 2;\n');
    writeMigration(dir, '20250101000000_first', 'SELECT 1;\n');
    writeFileSync(path.join(dir, 'README.md'), 'not a migration');

    const list = readMigrations(dir);
    expect(list.baseDir).toBe(dir);
    expect(list.lockfile).toEqual({ path: 'migration_lock.toml', content: LOCKFILE_CONTENT });
    expect(list.migrationDirectories).toEqual([
      {
        path: '20250101000000_first',
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: 'SELECT 1;\n' } },
      },
      {
        path: '20250102000000_second',
        migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: 'SELECT 2;\n' } },
      },
    ]);
  });

  it('reports a migration folder without migration.sql as an error for the engine to refuse', () => {
    writeMigration(dir, '20250101000000_first', 'SELECT 1;\n');
    mkdirSync(path.join(dir, '20250102000000_empty'));
    expect(readMigrations(dir).migrationDirectories[1]?.migrationFile.content.tag).toBe('error');
  });

  it('stands for PostgreSQL before the first migration, when there is no lock file yet', () => {
    expect(readMigrations(path.join(dir, 'missing')).lockfile.content).toBe(LOCKFILE_CONTENT);
    expect(readMigrations(path.join(dir, 'missing')).migrationDirectories).toEqual([]);
  });

  it('never overwrites an existing migration', () => {
    writeMigration(dir, '20250101000000_first', 'SELECT 1;\n');
    expect(() => writeMigration(dir, '20250101000000_first', 'DROP TABLE x;\n')).toThrow(/already exists/);
    expect(readFileSync(path.join(dir, '20250101000000_first', 'migration.sql'), 'utf8')).toBe('SELECT 1;\n');
  });
});

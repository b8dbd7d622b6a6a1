import { clientInputsHash } from './generate-clients';

describe('generated client freshness', () => {
  const schema = [{ path: 'schema.prisma', content: 'model A { id Int @id }' }];
  const config = "export default defineConfig({ schema: '.' });";

  it('is the same for the same inputs', () => {
    expect(clientInputsHash('7.10.0', config, schema)).toBe(clientInputsHash('7.10.0', config, [...schema]));
  });

  it('changes with the schema, its file names, the config or the Prisma version', () => {
    const base = clientInputsHash('7.10.0', config, schema);
    expect(
      clientInputsHash('7.10.0', config, [
        { path: 'schema.prisma', content: 'model A { id Int @id @default(1) }' },
      ]),
    ).not.toBe(base);
    expect(
      clientInputsHash('7.10.0', config, [{ path: 'other.prisma', content: schema[0]?.content ?? '' }]),
    ).not.toBe(base);
    expect(clientInputsHash('7.10.0', `${config}\n`, schema)).not.toBe(base);
    expect(clientInputsHash('7.11.0', config, schema)).not.toBe(base);
  });
});

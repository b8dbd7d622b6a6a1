import { parseCliArguments, UsageError } from './cli-arguments';

describe('command line', () => {
  it('reads generate with optional services', () => {
    expect(parseCliArguments(['generate'])).toEqual({
      command: 'generate',
      services: [],
      force: false,
      prismaDir: undefined,
    });
    expect(
      parseCliArguments(['generate', '--service', 'order', '--service=payment', '--force']),
    ).toMatchObject({
      services: ['order', 'payment'],
      force: true,
    });
  });

  it('takes the database URL from --url, else from DATABASE_URL', () => {
    expect(
      parseCliArguments(['deploy', '--service', 'order', '--url', 'postgres://a/b'], {
        DATABASE_URL: 'postgres://c/d',
      }),
    ).toEqual({
      command: 'deploy',
      service: 'order',
      url: 'postgres://a/b',
      prismaDir: undefined,
    });
    expect(
      parseCliArguments(['deploy', '--service', 'order'], { DATABASE_URL: 'postgres://c/d' }),
    ).toMatchObject({ url: 'postgres://c/d' });
  });

  it('reads create with a shadow database and --empty', () => {
    expect(
      parseCliArguments([
        'create',
        '--service',
        'order',
        '--name',
        'add outbox',
        '--url',
        'postgres://a/b',
        '--shadow-url',
        'postgres://a/s',
        '--empty',
      ]),
    ).toEqual({
      command: 'create',
      service: 'order',
      name: 'add outbox',
      url: 'postgres://a/b',
      shadowUrl: 'postgres://a/s',
      empty: true,
      prismaDir: undefined,
    });
  });

  it('reads sync, which takes only --prisma-dir', () => {
    expect(parseCliArguments(['sync'])).toEqual({ command: 'sync', prismaDir: undefined });
    expect(parseCliArguments(['sync', '--prisma-dir', '/tmp/p'])).toEqual({ command: 'sync', prismaDir: '/tmp/p' });
  });

  it('reads seed with one service and a database URL', () => {
    expect(parseCliArguments(['seed', '--service', 'inventory'], { DATABASE_URL: 'postgres://c/d' })).toEqual({
      command: 'seed',
      service: 'inventory',
      url: 'postgres://c/d',
      prismaDir: undefined,
    });
    expect(() => parseCliArguments(['seed', '--url', 'postgres://a/b'])).toThrow(/seed needs exactly one --service/);
  });

  it.each([
    [[], /no command/],
    [['sync', '--service', 'order'], /sync does not take --service/],
    [['migrate'], /unknown command "migrate"/],
    [['deploy', '--url', 'postgres://a/b'], /exactly one --service/],
    [['deploy', '--service', 'order'], /needs --url \(or DATABASE_URL\)/],
    [['create', '--service', 'order', '--url', 'postgres://a/b'], /needs --name/],
    [['check', '--url'], /--url needs a value/],
    [['generate', '--url', 'postgres://a/b'], /generate does not take --url/],
    [['check', 'order'], /unexpected argument "order"/],
    [['generate', '--force=yes'], /--force takes no value/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(UsageError);
    expect(() => parseCliArguments(argv)).toThrow(message);
  });
});

import { deriveRabbitMqConf } from './rabbitmq-conf';

const base = [
  '# a comment about listeners.tcp.default = 5672',
  'listeners.tcp.default = 5672',
  'management.tcp.port = 15672',
  'disk_free_limit.relative = 1.0',
  'heartbeat = 60',
].join('\n');

describe('deriveRabbitMqConf', () => {
  it('comments out each base key the node sets and appends the node keys after the base file', () => {
    const conf = deriveRabbitMqConf(base, 'base.conf', { 'management.tcp.port': '25672' });
    const active = conf.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(active).toEqual([
      'listeners.tcp.default = 5672',
      'disk_free_limit.relative = 1.0',
      'heartbeat = 60',
      'management.tcp.port = 25672',
    ]);
    expect(conf).toContain('# (replaced below) management.tcp.port = 15672');
  });

  it('replaces every variant of a key family: listeners of any name, absolute or relative disk limit', () => {
    const conf = deriveRabbitMqConf(base, 'base.conf', {
      'listeners.tcp.local': '127.0.0.1:5673',
      'disk_free_limit.absolute': '50MB',
    });
    const active = conf.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(active).toEqual([
      'management.tcp.port = 15672',
      'heartbeat = 60',
      'listeners.tcp.local = 127.0.0.1:5673',
      'disk_free_limit.absolute = 50MB',
    ]);
  });

  it('refuses a value that rabbitmq.conf would cut short at a #', () => {
    expect(() => deriveRabbitMqConf(base, 'base.conf', { default_pass: 'a#b' })).toThrow(/default_pass/);
  });
});

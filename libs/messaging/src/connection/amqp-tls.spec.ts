import { describeConnectError, validateTlsOptions } from './amqp-tls';

const codeError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('TLS options of the broker connection', () => {
  it('accepts no TLS files with any url, and TLS files with an amqps:// url', () => {
    expect(() => validateTlsOptions('amqp://u:p@host/v', undefined)).not.toThrow();
    expect(() => validateTlsOptions('amqp://u:p@host/v', {})).not.toThrow();
    expect(() => validateTlsOptions('amqps://u:p@host/v', { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' })).not.toThrow();
  });

  it('refuses TLS files with a plain amqp:// url, naming the options', () => {
    expect(() => validateTlsOptions('amqp://u:p@host/v', { caFile: '/ca.pem', keyFile: '/k.pem' })).toThrow(
      'messaging option tls.caFile, tls.keyFile is set but the url is amqp://: use amqps:// to connect over TLS',
    );
  });

  it('refuses a client certificate without its key, and the other way round', () => {
    expect(() => validateTlsOptions('amqps://host', { certFile: '/c.pem' })).toThrow(/tls\.certFile and tls\.keyFile go together/);
    expect(() => validateTlsOptions('amqps://host', { keyFile: '/k.pem' })).toThrow(/tls\.certFile and tls\.keyFile go together/);
  });

  it('says which side of the trust is wrong for TLS failures, and passes other errors through', () => {
    expect(describeConnectError(codeError('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'))).toBe(
      "TLS: the broker's certificate is not trusted by the configured CA (tls.caFile) — SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain",
    );
    expect(describeConnectError(codeError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"))).toMatch(
      /^TLS: the broker's certificate does not name the host of the url/,
    );
    expect(describeConnectError(codeError('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'alert 116'))).toMatch(/client certificate, tls\.certFile\/tls\.keyFile/);
    expect(describeConnectError(codeError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5672'))).toBe('connect ECONNREFUSED 127.0.0.1:5672');
  });

  it('passes AMQP close errors, whose codes are numbers, through unchanged', () => {
    // amqplib reports a connection closed by the broker with the AMQP reply code (320 = CONNECTION_FORCED).
    const forced = Object.assign(new Error('Connection closed: 320 (CONNECTION-FORCED)'), { code: 320 });
    expect(describeConnectError(forced)).toBe('Connection closed: 320 (CONNECTION-FORCED)');
  });
});

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files made by `createTestCertificates`, all in one folder. */
export interface TestCertificates {
  dir: string;
  /** The CA that signed the server and client certificates. */
  caFile: string;
  /** Server certificate for `localhost` and 127.0.0.1, and its key. */
  serverCertFile: string;
  serverKeyFile: string;
  /** Client certificate (CN `orderly-test-client`), for mutual TLS. */
  clientCertFile: string;
  clientKeyFile: string;
  /** A CA that signed nothing here: trusting it instead of `caFile` must fail the handshake. */
  otherCaFile: string;
}

/**
 * A throw-away certificate authority with a server and a client certificate, generated with the
 * machine's `openssl` (P-256 keys, valid 2 days). Nothing of it is committed: tests and demos make their
 * own each run. Keys are written 0600.
 */
export async function createTestCertificates(dir: string): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir }).catch((error: Error & { stderr?: string }) => {
    throw new Error(`openssl ${args[0]} failed: ${error.stderr?.trim() || error.message}`, { cause: error });
  });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  const makeCa = (name: string, subject: string) =>
    openssl(
      'req', '-x509', ...key, '-keyout', file(`${name}-key.pem`), '-out', file(`${name}.pem`), '-days', '2',
      '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    );
  const issue = async (name: string, subject: string, extensions: string) => {
    await openssl('req', ...key, '-keyout', file(`${name}-key.pem`), '-out', file(`${name}.csr`), '-subj', subject);
    writeFileSync(file(`${name}.ext`), extensions);
    await openssl(
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'),
      '-CAcreateserial', '-out', file(`${name}-cert.pem`), '-days', '2', '-extfile', file(`${name}.ext`),
    );
  };

  await Promise.all([
    makeCa('ca', '/CN=Orderly test CA'),
    makeCa('other-ca', '/CN=Orderly unrelated CA'),
  ]);
  // One after the other: both would write the CA's serial file.
  await issue(
    'server',
    '/CN=localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  await issue('client', '/CN=orderly-test-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  return {
    dir,
    caFile: file('ca.pem'),
    serverCertFile: file('server-cert.pem'),
    serverKeyFile: file('server-key.pem'),
    clientCertFile: file('client-cert.pem'),
    clientKeyFile: file('client-key.pem'),
    otherCaFile: file('other-ca.pem'),
  };
}

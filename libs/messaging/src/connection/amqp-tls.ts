import { readFileSync } from 'node:fs';

/**
 * PEM files for AMQP over TLS (an `amqps://` URL). Without `caFile` the broker's certificate is
 * verified against Node's bundled CAs; `certFile` and `keyFile` (both or neither) authenticate the
 * client to a broker that asks for a certificate (mutual TLS). The broker's host name in the URL must be
 * one its certificate names.
 */
export interface AmqpTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** What amqplib passes to `tls.connect`. */
export interface AmqpTlsSocketOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Refuses settings that would silently not do what they say: TLS files with a plain `amqp://` URL (the
 * connection would go out unencrypted), half a client identity. Throws a RangeError naming the option.
 */
export function validateTlsOptions(url: string, tls: AmqpTlsFiles | undefined): void {
  const given = Object.entries(tls ?? {}).filter(([, value]) => value !== undefined);
  if (given.length === 0) return;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    return; // the url's own check reports it
  }
  if (protocol !== 'amqps:') {
    throw new RangeError(
      `messaging option ${given.map(([key]) => `tls.${key}`).join(', ')} is set but the url is ${protocol}//: use amqps:// to connect over TLS`,
    );
  }
  for (const [key, value] of given) {
    if (typeof value !== 'string' || value === '') throw new RangeError(`messaging option tls.${key} must be a file path`);
  }
  if (Boolean(tls?.certFile) !== Boolean(tls?.keyFile)) {
    throw new RangeError('messaging options tls.certFile and tls.keyFile go together (the client certificate and its key)');
  }
}

/** Validates and reads the files, naming the option and path of one that cannot be read. */
export function readTlsFiles(url: string, tls: AmqpTlsFiles | undefined): AmqpTlsSocketOptions {
  validateTlsOptions(url, tls);
  const read = (key: keyof AmqpTlsFiles): Buffer | undefined => {
    const file = tls?.[key];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new RangeError(`messaging option tls.${key}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
        cause: error,
      });
    }
  };
  const options: AmqpTlsSocketOptions = { ca: read('caFile'), cert: read('certFile'), key: read('keyFile') };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

// Node's codes for a broker certificate the client does not trust.
const UntrustedCertificate = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * A connect or disconnect error as an operator needs to read it: TLS failures say which side of the
 * trust is wrong (Node's own messages, e.g. "self-signed certificate in certificate chain", do not).
 */
export function describeConnectError(error: Error): string {
  // Socket errors carry string codes; AMQP close errors carry numeric reply codes (320, 541…).
  const raw: unknown = (error as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  if (UntrustedCertificate.has(code)) {
    return `TLS: the broker's certificate is not trusted by the configured CA (tls.caFile) — ${code}: ${error.message}`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS: the broker's certificate does not name the host of the url — ${error.message}`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `TLS: the broker's certificate is not valid now — ${code}: ${error.message}`;
  }
  if (code.startsWith('ERR_SSL_')) {
    return `TLS handshake failed (${code}; does the broker require a client certificate, tls.certFile/tls.keyFile?) — ${error.message}`;
  }
  return error.message;
}

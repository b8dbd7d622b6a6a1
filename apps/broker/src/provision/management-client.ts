import { BrokerError } from '../errors/broker-error';

export interface ManagementCredentials {
  user: string;
  password: string;
}

/** The management API refused a request, or could not be reached (`status` undefined). */
export class ManagementApiError extends BrokerError {
  readonly code = 'BROKER.MANAGEMENT_API';

  constructor(
    readonly method: string,
    readonly apiPath: string,
    readonly status: number | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `management API ${method} /api${apiPath}: ${status === undefined ? '' : `${status} `}${reason}`,
      options,
    );
  }
}

/**
 * A path of the management API with every interpolated name percent-encoded: vhost, queue and user names
 * may hold `/` (the default vhost is `/`), which must not split the path.
 */
export function apiPath(strings: TemplateStringsArray, ...names: string[]): string {
  return strings.reduce(
    (path, part, i) => path + part + (i < names.length ? encodeURIComponent(names[i] ?? '') : ''),
    '',
  );
}

/**
 * A small client of RabbitMQ's management HTTP API (the same on 3.10 and 4.x for what we use). Credentials
 * come from the URL's user info (`http://admin:secret@host:15672`) unless given explicitly.
 */
export class ManagementClient {
  /** The API root without credentials, for messages (`http://host:15672/api`). */
  readonly apiRoot: string;
  readonly user: string;
  private readonly authorization: string;

  constructor(managementUrl: string, credentials?: ManagementCredentials) {
    let url: URL;
    try {
      url = new URL(managementUrl);
    } catch {
      throw new ManagementApiError(
        'GET',
        '',
        undefined,
        `"${managementUrl}" is not a URL (expected http://user:password@host:15672)`,
      );
    }
    const user = credentials?.user ?? decodeURIComponent(url.username);
    const password = credentials?.password ?? decodeURIComponent(url.password);
    if (!user) {
      throw new ManagementApiError(
        'GET',
        '',
        undefined,
        `no administrator for ${url.host}: put it in the URL (http://user:password@host:port) or pass credentials`,
      );
    }
    this.user = user;
    this.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    // A management UI behind a path prefix (management.path_prefix) keeps its API under that prefix.
    this.apiRoot = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}/api`;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET that answers `undefined` for 404 (a vhost, queue or user that does not exist yet). */
  async find<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (error) {
      if (error instanceof ManagementApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  put(path: string, body: unknown): Promise<void> {
    return this.request('PUT', path, body);
  }

  post(path: string, body: unknown): Promise<void> {
    return this.request('POST', path, body);
  }

  delete(path: string): Promise<void> {
    return this.request('DELETE', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.apiRoot}${path}`, {
        method,
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ManagementApiError(
        method,
        path,
        undefined,
        `cannot reach ${this.apiRoot} (${cause?.code ?? cause?.message ?? String(error)})`,
        {
          cause: error,
        },
      );
    }
    const text = await response.text();
    if (!response.ok)
      throw new ManagementApiError(method, path, response.status, this.reasonOf(response.status, text));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private reasonOf(status: number, text: string): string {
    if (status === 401) return `${this.apiRoot} refused the credentials of user "${this.user}"`;
    try {
      const parsed = JSON.parse(text) as { error?: string; reason?: string };
      return [parsed.error, parsed.reason].filter(Boolean).join(': ') || text;
    } catch {
      return text;
    }
  }
}

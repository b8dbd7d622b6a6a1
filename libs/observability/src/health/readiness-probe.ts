/**
 * Something the service needs before it can take traffic (its database, the broker). A probe resolves
 * when the dependency is usable and throws with a reason when it is not.
 */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<Record<string, unknown> | void>;
}

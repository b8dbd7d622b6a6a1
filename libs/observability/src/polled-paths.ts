/**
 * Paths polled every few seconds by probes (`/health/*`) and Prometheus (`/metrics`): they are neither
 * traced nor logged per request, since a line or a trace per poll would bury real traffic.
 */
export const POLLED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

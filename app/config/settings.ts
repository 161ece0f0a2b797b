/**
 * The one table of settings. It drives the convict schema, `--help`, `mongo2pg config`,
 * docs/configuration.md and the chart. Env var and flag names and defaults match the original
 * utility so its users need not relearn. Every setting may also be read from the file named by
 * `<ENV>_FILE` (meant for mounted Secrets).
 */
import { FormatError, boolean, custom, date, duration, integer, mongoDsn, oneOf, text, url, type ValueType } from './formats.js';

export type Group = 'connection' | 'tuning' | 'progress';

export interface Setting {
  /** Path in the convict schema and in the typed config object. */
  key: string;
  env: string;
  flag: string;
  /** Default as the operator would type it; '' means unset. */
  default: string;
  doc: string;
  group: Group;
  /** How the raw text is parsed and what is allowed. */
  type: ValueType;
  required?: boolean;
  /** Value is never printed, logged or exported; meant to come from `<ENV>_FILE`. */
  secret?: boolean;
}

const READ_PREFERENCES = ['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest'] as const;
export const LOG_FORMATS = ['auto', 'json', 'text'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;

const mongoDbName = custom(text(), 'MongoDB database name', (raw) => {
  const name = raw.trim();
  if (name === '' || /[/\\. "$*<>:|?]/.test(name)) throw new FormatError('must be a MongoDB database name (no spaces or any of /\\. "$*<>:|?)');
  return name;
}, 'my.db');
/** Kept as text in the config; validated as a port. */
const portText = custom(integer(1), 'port number', (raw) => String(integer(1).parse(raw)));

export const SETTINGS: readonly Setting[] = [
  // Connection
  { key: 'mongo.dsn', env: 'API_MONGO_DSN', flag: 'mongo_dsn', default: '', group: 'connection', required: true, secret: true,
    doc: 'MongoDB connection string.', type: mongoDsn() },
  { key: 'mongo.db', env: 'API_MONGO_DB', flag: 'mongo_db', default: 'testkubecloud', group: 'connection',
    doc: 'MongoDB database name.', type: mongoDbName },
  { key: 'mongo.minPoolSize', env: 'API_MONGO_MIN_POOL_SIZE', flag: 'mongo_min_pool_size', default: '0', group: 'connection',
    doc: 'Minimum connection pool size for MongoDB.', type: integer(0) },
  { key: 'mongo.maxPoolSize', env: 'API_MONGO_MAX_POOL_SIZE', flag: 'mongo_max_pool_size', default: '100', group: 'connection',
    doc: 'Maximum connection pool size for MongoDB.', type: integer(1) },
  { key: 'mongo.maxConnecting', env: 'API_MONGO_MAX_CONNECTING', flag: 'mongo_max_connecting', default: '2', group: 'connection',
    doc: 'Maximum number of MongoDB connections being established concurrently.', type: integer(1) },
  { key: 'mongo.readPreference', env: 'API_MONGO_READ_PREFERENCE', flag: 'mongo_read_preference', default: 'secondaryPreferred', group: 'connection',
    doc: 'MongoDB read preference.', type: oneOf(READ_PREFERENCES) },
  { key: 'mongo.connectionTimeout', env: 'API_MONGO_CONNECTION_TIMEOUT', flag: 'mongo_connection_timeout', default: '5s', group: 'connection',
    doc: 'Timeout for establishing a MongoDB connection (each attempt).', type: duration() },
  { key: 'mongo.connectionDelay', env: 'API_MONGO_CONNECTION_DELAY', flag: 'mongo_connection_delay', default: '1s', group: 'connection',
    doc: 'Delay between MongoDB connection attempts.', type: duration() },
  { key: 'mongo.connectionAttempts', env: 'API_MONGO_CONNECTION_ATTEMPTS', flag: 'mongo_connection_attempts', default: '120', group: 'connection',
    doc: 'Number of MongoDB connection attempts.', type: integer(1) },
  { key: 'mongo.socketTimeout', env: 'API_MONGO_SOCKET_TIMEOUT', flag: 'mongo_socket_timeout', default: '5m', group: 'connection',
    doc: 'Inactivity timeout of a MongoDB socket: a server that stops answering mid-read fails the read after this long (0: never).', type: duration() },
  { key: 'postgres.url', env: 'API_POSTGRES_URL', flag: 'postgres_url', default: '', group: 'connection', required: true, secret: true,
    doc: 'PostgreSQL connection string.', type: url(['postgres:', 'postgresql:']) },
  { key: 'postgres.connectionTimeout', env: 'API_POSTGRES_CONNECTION_TIMEOUT', flag: 'postgres_connection_timeout', default: '5s', group: 'connection',
    doc: 'Timeout for establishing a PostgreSQL connection (each attempt).', type: duration() },
  { key: 'postgres.connectionDelay', env: 'API_POSTGRES_CONNECTION_DELAY', flag: 'postgres_connection_delay', default: '1s', group: 'connection',
    doc: 'Delay between PostgreSQL connection attempts.', type: duration() },
  { key: 'postgres.connectionAttempts', env: 'API_POSTGRES_CONNECTION_ATTEMPTS', flag: 'postgres_connection_attempts', default: '30', group: 'connection',
    doc: 'Number of PostgreSQL connection attempts.', type: integer(1) },
  { key: 'postgres.statementTimeout', env: 'API_POSTGRES_STATEMENT_TIMEOUT', flag: 'postgres_statement_timeout', default: '6h', group: 'connection',
    doc: 'Client-side timeout of one PostgreSQL statement: a server that stops answering fails the statement after this long (0: never). Index rebuilds of the largest tables must fit in it.', type: duration() },
  { key: 'credentials.masterPassword', env: 'CREDENTIALS_MASTER_PASSWORD', flag: 'credentials_master_password', default: '', group: 'connection', required: true, secret: true,
    doc: 'Master password the source credentials were encrypted with; at least 32 characters (checked by the pre-flight gate).', type: text() },

  // Migration tuning
  { key: 'convert.batchSize', env: 'CONVERT_BATCH_SIZE', flag: 'convert_batch_size', default: '1000', group: 'tuning',
    doc: 'Records fetched per batch in record-level migrations.', type: integer(1) },
  { key: 'convert.bulkReadSize', env: 'CONVERT_BULK_READ_SIZE', flag: 'convert_bulk_read_size', default: '10000', group: 'tuning',
    doc: 'Records fetched per cursor batch in bulk migrations.', type: integer(1) },
  { key: 'convert.bulkWriteSize', env: 'CONVERT_BULK_WRITE_SIZE', flag: 'convert_bulk_write_size', default: '100000', group: 'tuning',
    doc: 'Records committed per COPY chunk in bulk migrations.', type: integer(1) },
  { key: 'convert.workers', env: 'CONVERT_WORKERS', flag: 'convert_parallel_workers', default: '10', group: 'tuning',
    doc: 'Parallel workers for record-level migrations.', type: integer(1) },
  { key: 'convert.bulkParallel', env: 'CONVERT_BULK_PARALLEL', flag: 'convert_bulk_parallel', default: '2', group: 'tuning',
    doc: 'Bulk data sets (or ranges of one) migrated at the same time.', type: integer(1) },
  { key: 'convert.bulkThreads', env: 'CONVERT_BULK_THREADS', flag: 'convert_bulk_threads', default: '2', group: 'tuning',
    doc: 'Threads that decode and transform bulk documents while the main thread feeds COPY (0: all on the main thread). Match the CPUs the job may use.', type: integer(0) },
  { key: 'convert.dryRun', env: 'CONVERT_DRY_RUN', flag: 'convert_dry_run', default: 'false', group: 'tuning',
    doc: 'Read and transform everything, write nothing, report what would fail.', type: boolean() },
  { key: 'convert.skipExisting', env: 'CONVERT_SKIP_EXISTING', flag: 'convert_skip_existing', default: 'false', group: 'tuning',
    doc: 'Skip records already in PostgreSQL instead of failing (resume an interrupted run); the pre-flight gate then accepts a non-empty target.', type: boolean() },
  { key: 'convert.workDir', env: 'CONVERT_WORK_DIR', flag: 'convert_work_dir', default: '', group: 'tuning',
    doc: 'Directory for error reports (default: current directory).', type: text() },
  { key: 'convert.skipIntegrityErrors', env: 'CONVERT_SKIP_INTEGRITY_ERRORS', flag: 'convert_skip_integrity_errors', default: 'false', group: 'tuning',
    doc: 'Skip and report records with dangling references instead of aborting.', type: boolean() },
  { key: 'convert.since', env: 'CONVERT_SINCE', flag: 'convert_since', default: '', group: 'tuning',
    doc: 'Only usage records created on or after this date (YYYY-MM-DD, UTC); empty means all.', type: date() },
  { key: 'convert.verify', env: 'CONVERT_VERIFY', flag: 'convert_verify', default: 'true', group: 'tuning',
    doc: 'Verify counts and a sample of rows against the source after migrating.', type: boolean() },
  { key: 'convert.stallTimeout', env: 'CONVERT_STALL_TIMEOUT', flag: 'convert_stall_timeout', default: '10m', group: 'tuning',
    doc: 'Give up (exit 4) when the record-level and bulk phases make no progress for this long; "no progress" warnings start at a quarter of it (0: never).', type: duration() },
  { key: 'convert.catchUpLookback', env: 'CATCHUP_LOOKBACK', flag: 'catchup_lookback', default: '24h', group: 'tuning',
    doc: 'Catch-up at cutover: the window before the pre-copy\'s last `_id` in which every `_id` of an append-only bulk data set is compared one by one (documents created out of order by clients with slow clocks); older `_id`s are compared by per-range counts. Larger is slower and more thorough.', type: duration() },

  // Progress
  { key: 'progress.logFormat', env: 'LOG_FORMAT', flag: 'log_format', default: 'auto', group: 'progress',
    doc: 'Log format: json (one object per line), text, or auto (text on a terminal, else json).', type: oneOf(LOG_FORMATS) },
  { key: 'progress.logLevel', env: 'LOG_LEVEL', flag: 'log_level', default: 'info', group: 'progress',
    doc: 'Log level.', type: oneOf(LOG_LEVELS) },
  { key: 'progress.interval', env: 'PROGRESS_INTERVAL', flag: 'progress_interval', default: '10s', group: 'progress',
    doc: 'Interval between progress log lines.', type: duration() },
  { key: 'progress.pushgatewayUrl', env: 'PUSHGATEWAY_URL', flag: 'pushgateway_url', default: '', group: 'progress',
    doc: 'Prometheus Pushgateway URL; empty disables metrics.', type: url(['http:', 'https:'], { optional: true }) },
  { key: 'progress.pushInterval', env: 'PUSHGATEWAY_INTERVAL', flag: 'pushgateway_interval', default: '15s', group: 'progress',
    doc: 'Interval between metric pushes.', type: duration() },
  { key: 'progress.release', env: 'RELEASE_NAME', flag: 'release_name', default: '', group: 'progress',
    doc: 'Helm release name, used as a metrics grouping label.', type: text() },
  { key: 'progress.jobName', env: 'JOB_NAME', flag: 'job_name', default: '', group: 'progress',
    doc: 'Name of the Kubernetes Job running this migration (downward API); empty disables annotations.', type: text() },
  { key: 'progress.jobNamespace', env: 'JOB_NAMESPACE', flag: 'job_namespace', default: '', group: 'progress',
    doc: 'Namespace of the Kubernetes Job (downward API).', type: text() },
  { key: 'progress.annotationInterval', env: 'ANNOTATION_INTERVAL', flag: 'annotation_interval', default: '10s', group: 'progress',
    doc: 'Minimum interval between updates of the Job annotations.', type: duration() },
  { key: 'progress.kubeServiceAccountDir', env: 'KUBE_SERVICE_ACCOUNT_DIR', flag: 'kube_service_account_dir', default: '/var/run/secrets/kubernetes.io/serviceaccount', group: 'progress',
    doc: 'Service-account directory (token, ca.crt, namespace) used to annotate the Job.', type: text() },
  { key: 'progress.kubeHost', env: 'KUBERNETES_SERVICE_HOST', flag: 'kubernetes_service_host', default: '', group: 'progress',
    doc: 'Kubernetes API host (set by the kubelet in a pod); empty means not in a cluster.', type: text() },
  { key: 'progress.kubePort', env: 'KUBERNETES_SERVICE_PORT', flag: 'kubernetes_service_port', default: '443', group: 'progress',
    doc: 'Kubernetes API port (set by the kubelet in a pod).', type: portText },
];

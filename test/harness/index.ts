// The harness in one import, for tests, the demo and benchmarks.
export { createTestDatabases, uniqueDatabaseName, withDatabase, type TestDatabases } from './databases.js';
export { startMongo, describeMongo, ping as pingMongo, MONGO_URL_ENV, type MongoServerInfo } from './mongo.js';
export { startPostgres, PG_URL_ENV } from './postgres.js';
export { startPushgateway, PUSHGATEWAY_URL_ENV } from './pushgateway.js';
export { freePort } from './ports.js';
export { type RunningService } from './service.js';
export { toolPath, pgToolPath, toolsDir, ToolMissingError } from './tools.js';

/**
 * Record-level data sets read from one global collection each (or embedded in one), parents
 * first: users, organisations (with members) and their payments, environments, then everything
 * that references an organisation/environment, and incidents after their status pages.
 */
import type { Config } from '../../config/load.js';
import type { DataSet } from '../types.js';
import { agents } from './agents.js';
import { boards } from './boards.js';
import { config as configDataSet } from './config.js';
import { credentials } from './credentials.js';
import { cronSchedules } from './cron-schedules.js';
import { environments } from './environments.js';
import { incidents } from './incidents.js';
import { invites } from './invites.js';
import { metadata } from './metadata.js';
import { organizationDomains } from './organization-domains.js';
import { organizations } from './organizations.js';
import { paymentsHistory } from './payments-history.js';
import { resourceGroups } from './resource-groups.js';
import { settings } from './settings.js';
import { statusPages } from './status-pages.js';
import { tokens } from './tokens.js';
import { trackers } from './trackers.js';
import { users } from './users.js';
import { views } from './views.js';

export function globalRecordDataSets(config: Config): DataSet[] {
  return [
    users,
    organizations,
    paymentsHistory,
    environments,
    agents,
    organizationDomains,
    invites,
    tokens,
    credentials(config),
    resourceGroups,
    settings,
    configDataSet,
    metadata,
    boards,
    views,
    trackers,
    statusPages,
    incidents,
    cronSchedules,
  ];
}

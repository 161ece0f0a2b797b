/**
 * The PostgreSQL user must be able to create and own everything the run creates: tables in its
 * current schema (schema/ files use unqualified names), the `mongo2pg` schema for the bulk
 * phase's progress (or CREATE on it if it exists), and ownership of any of those objects that
 * already exist (after the load, indexes set aside are rebuilt and sequences moved). Catalog reads only.
 */
import { fail, pass, warn, type CheckResult } from './result.js';
import type { Queryable } from './target-empty.js';
import { displayTableName } from './written-tables.js';

export interface PrivilegeFacts {
  user: string;
  database: string;
  superuser: boolean;
  /** current_schema(): where unqualified CREATE TABLE lands; null if no search_path schema exists. */
  schema: string | null;
  createInSchema: boolean;
  createInDatabase: boolean;
  /** The tool's own schema (mongo2pg) exists / may be created in. */
  ownSchemaExists: boolean;
  createInOwnSchema: boolean;
  /** Existing tables the run writes whose owner is not a role the user belongs to. */
  notOwned: string[];
}

export const OWN_SCHEMA = 'mongo2pg';

/** Every table in the tool's own schema, whatever later code adds there. */
export async function ownSchemaTables(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(`SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [OWN_SCHEMA]);
  return rows.map((r) => r.name);
}

export async function privilegeFacts(db: Queryable, tables: readonly string[]): Promise<PrivilegeFacts> {
  const { rows } = await db.query<Omit<PrivilegeFacts, 'notOwned'>>(
    `SELECT current_user AS "user",
            current_database() AS "database",
            coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false) AS "superuser",
            current_schema() AS "schema",
            coalesce(has_schema_privilege(current_schema(), 'CREATE'), false) AS "createInSchema",
            has_database_privilege(current_database(), 'CREATE') AS "createInDatabase",
            to_regnamespace($1) IS NOT NULL AS "ownSchemaExists",
            CASE WHEN to_regnamespace($1) IS NULL THEN false ELSE has_schema_privilege($1, 'CREATE') END AS "createInOwnSchema"`,
    [OWN_SCHEMA],
  );
  const { rows: notOwned } = await db.query<{ name: string }>(
    `SELECT t.name FROM unnest($1::text[]) AS t(name)
       JOIN pg_class c ON c.oid = to_regclass(t.name)
      WHERE NOT pg_has_role(current_user, c.relowner, 'MEMBER')
      ORDER BY t.name`,
    [tables],
  );
  return { ...(rows[0] as Omit<PrivilegeFacts, 'notOwned'>), notOwned: notOwned.map((r) => displayTableName(r.name)) };
}

/** Pure: what is missing, each with the statement an administrator would run to grant it. */
export function permissionsVerdict(f: PrivilegeFacts, dryRun: boolean): CheckResult {
  const missing: string[] = [];
  const user = `"${f.user}"`;
  if (!f.superuser) {
    if (f.schema === null) missing.push('no schema on the search_path exists to create tables in (set search_path or create the schema)');
    else if (!f.createInSchema) missing.push(`create tables in schema "${f.schema}" (GRANT CREATE ON SCHEMA "${f.schema}" TO ${user})`);
    if (!f.ownSchemaExists && !f.createInDatabase) missing.push(`create schema ${OWN_SCHEMA} (GRANT CREATE ON DATABASE "${f.database}" TO ${user})`);
    if (f.ownSchemaExists && !f.createInOwnSchema) missing.push(`create tables in schema ${OWN_SCHEMA} (GRANT CREATE ON SCHEMA ${OWN_SCHEMA} TO ${user})`);
    if (f.notOwned.length > 0) missing.push(`own the existing tables ${f.notOwned.join(', ')} (ALTER TABLE … OWNER TO ${user})`);
  }
  const details = { user: f.user, database: f.database, schema: f.schema, superuser: f.superuser, missing };
  if (missing.length === 0) return pass('postgres-permissions', `PostgreSQL user ${user} may create and own the schema objects in "${f.schema}" and ${OWN_SCHEMA}`, details);
  const message = `PostgreSQL user ${user} is missing privileges: it may not ${missing.join('; nor ')}`;
  return dryRun ? warn('postgres-permissions', `${message} (dry run: nothing will be written)`, details) : fail('postgres-permissions', message, details);
}

export async function checkPermissions(db: Queryable, tables: readonly string[], dryRun: boolean): Promise<CheckResult> {
  return permissionsVerdict(await privilegeFacts(db, tables), dryRun);
}

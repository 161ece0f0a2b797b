/**
 * Naming of per-organisation and per-organisation/environment source collections.
 * One place, so the convention can change without touching data sets or engines.
 *   per organisation:              <base>_<organizationId>
 *   per organisation/environment:  <base>_<organizationId>_<environmentId>
 */
export function scopedCollectionName(base: string, organizationId?: string, environmentId?: string): string {
  if (organizationId === undefined) return base;
  if (environmentId === undefined) return `${base}_${organizationId}`;
  return `${base}_${organizationId}_${environmentId}`;
}

/**
 * Every base name of a scoped collection, so that a collection of one base is never mistaken for
 * an orphan of another base that is its prefix. Data sets with scope 'organization' or
 * 'environment' must list their base here.
 */
export const SCOPED_COLLECTION_BASES: readonly string[] = [
  // per organisation
  'ai_assistants', 'ai_llm_providers', 'ai_mcp_servers', 'ai_mcp_server_tokens', 'ai_mcp_server_tools',
  'ai_agent_triggers', 'ai_sessions', 'ai_session_tool_calls',
  // per organisation/environment
  'agent_configs', 'testworkflows', 'testworkflowtemplates', 'testtriggers', 'webhooks', 'webhooktemplates',
  'testworkflowresults', 'sequences',
];

/**
 * Record-level data sets with one collection per organisation or per organisation/environment,
 * parents first: MCP servers before their tokens and tools, sessions before their tool calls.
 * The global data sets (organizations, environments …) run before all of these.
 */
import type { Config } from '../../config/load.js';
import type { DataSet } from '../types.js';
import { aiAgentTriggers } from './ai-agent-triggers.js';
import { aiAssistants } from './ai-assistants.js';
import { aiLlmProviders } from './ai-llm-providers.js';
import { aiMcpServers } from './ai-mcp-servers.js';
import { aiMcpServerTokens } from './ai-mcp-server-tokens.js';
import { aiMcpServerTools } from './ai-mcp-server-tools.js';
import { aiSessions } from './ai-sessions.js';
import { aiSessionToolCalls } from './ai-session-tool-calls.js';
import { agentConfigs } from './env-agent-configs.js';
import { testTriggers } from './env-test-triggers.js';
import { testWorkflowTemplates } from './env-test-workflow-templates.js';
import { testWorkflows } from './env-test-workflows.js';
import { webhookTemplates } from './env-webhook-templates.js';
import { webhooks } from './env-webhooks.js';

export function scopedRecordDataSets(_config: Config): DataSet[] {
  return [
    aiLlmProviders,
    aiMcpServers,
    aiMcpServerTokens,
    aiMcpServerTools,
    aiAssistants,
    aiAgentTriggers,
    aiSessions,
    aiSessionToolCalls,
    agentConfigs,
    testWorkflowTemplates,
    testWorkflows,
    testTriggers,
    webhookTemplates,
    webhooks,
  ];
}

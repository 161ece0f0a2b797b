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

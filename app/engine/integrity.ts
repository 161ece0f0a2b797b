/**
 * Referential integrity, checked by the engines themselves (so dry runs and bulk tables without
 * foreign keys are covered too): each data set may provide keys (organizations provide
 * 'organization' ids) and declare the references its records make. A record whose reference is
 * not among the keys migrated so far fails with an IntegrityError: the run aborts, or with
 * CONVERT_SKIP_INTEGRITY_ERRORS the record is skipped and reported.
 */
import { IntegrityError } from '../errors.js';

/** What a reference points at; environments are keyed `<organizationId>/<environmentId>`. */
export type RefKind = string;

export interface Reference {
  kind: RefKind;
  /** null/undefined: the record has no such reference (optional reference absent). */
  id: string | null | undefined;
  /** Source field, for the report. */
  field: string;
}

export class KnownIds {
  private readonly sets = new Map<RefKind, Set<string>>();

  /** Declares that keys of this kind are being collected (its provider ran or is running). */
  track(kind: RefKind): void {
    if (!this.sets.has(kind)) this.sets.set(kind, new Set());
  }

  add(kind: RefKind, id: string): void {
    this.track(kind);
    this.sets.get(kind)?.add(id);
  }

  /** Unknown kinds (no provider in this run) are not checked. */
  has(kind: RefKind, id: string): boolean {
    const set = this.sets.get(kind);
    return set === undefined || set.has(id);
  }

  /** The keys as a structured-cloneable value, for another thread (see `fromSnapshot`). */
  snapshot(): Map<RefKind, Set<string>> {
    return this.sets;
  }

  static fromSnapshot(sets: Map<RefKind, Set<string>>): KnownIds {
    const known = new KnownIds();
    for (const [kind, ids] of sets) known.sets.set(kind, ids);
    return known;
  }
}

export function environmentKey(organizationId: string, environmentId: string): string {
  return `${organizationId}/${environmentId}`;
}

/** The first unresolved reference as an IntegrityError, or null when all resolve. */
export function checkReferences(refs: readonly Reference[], known: KnownIds): IntegrityError | null {
  for (const ref of refs) {
    if (ref.id === null || ref.id === undefined) continue;
    if (!known.has(ref.kind, ref.id)) {
      return new IntegrityError(`${ref.field} references ${ref.kind} ${JSON.stringify(ref.id)}, which does not exist (or failed to migrate)`, { context: { field: ref.field, kind: ref.kind, ref: ref.id } });
    }
  }
  return null;
}

export function orphanCollectionError(collection: string): IntegrityError {
  return new IntegrityError(`collection ${collection} belongs to no existing organisation/environment`, { context: { collection } });
}

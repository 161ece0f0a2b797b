/**
 * A small model of the Go types used by Testkube's API structs, enough to reproduce what the
 * mongo-go-driver decodes from BSON and what Go's encoding/json then writes (fact sheet §0).
 * The field tables themselves live in go-model.ts.
 */

/** [bsonKey, jsonTag, goType], see go-model.ts. */
export type FieldRow = readonly [bsonKey: string, jsonTag: string, goType: string];
export type StructTable = Readonly<Record<string, readonly FieldRow[]>>;

export type GoType =
  | { kind: 'string' | 'bool' | 'int32' | 'int64' | 'float64' | 'time' | 'any' | 'boxedInt' }
  | { kind: 'ptr' | 'slice' | 'map'; elem: GoType }
  | { kind: 'struct'; name: string };

export interface GoField {
  bsonKey: string;
  jsonKey: string;
  omitEmpty: boolean;
  type: GoType;
}

export interface GoStruct {
  name: string;
  /** Declaration order: the order encoding/json writes the fields in. */
  fields: readonly GoField[];
  /** By BSON key. The driver matches a document key exactly, then in lowercase; both land here. */
  byBsonKey: ReadonlyMap<string, GoField>;
}

const SCALARS: Readonly<Record<string, GoType>> = {
  string: { kind: 'string' },
  bool: { kind: 'bool' },
  int32: { kind: 'int32' },
  int64: { kind: 'int64' },
  float64: { kind: 'float64' },
  'time.Time': { kind: 'time' },
  'interface{}': { kind: 'any' },
  // Custom (Un)MarshalBSON/JSON methods, see encodeBoxedInt in go-json.ts.
  TemplatableBoxedInteger: { kind: 'boxedInt' },
};

/** Parses the Go type syntax used in go-model.ts (`*T`, `[]T`, `map[string]T`, names). */
export function parseGoType(text: string, structs: StructTable): GoType {
  if (text.startsWith('*')) return { kind: 'ptr', elem: parseGoType(text.slice(1), structs) };
  if (text.startsWith('[]')) return { kind: 'slice', elem: parseGoType(text.slice(2), structs) };
  if (text.startsWith('map[string]')) return { kind: 'map', elem: parseGoType(text.slice('map[string]'.length), structs) };
  const scalar = SCALARS[text];
  if (scalar) return scalar;
  if (Object.hasOwn(structs, text)) return { kind: 'struct', name: text };
  throw new Error(`go-model: unknown Go type ${text}`);
}

/** Resolves a struct table into GoStructs once; the transform looks them up by name. */
export function buildStructs(table: StructTable): ReadonlyMap<string, GoStruct> {
  const out = new Map<string, GoStruct>();
  for (const [name, rows] of Object.entries(table)) {
    const fields = rows.map(([bsonKey, jsonTag, goType]): GoField => {
      const [jsonKey = '', ...options] = jsonTag.split(',');
      return { bsonKey, jsonKey, omitEmpty: options.includes('omitempty'), type: parseGoType(goType, table) };
    });
    out.set(name, { name, fields, byBsonKey: new Map(fields.map((f) => [f.bsonKey, f])) });
  }
  return out;
}

/**
 * Replaces secret values (and the password part of any connection string) with [redacted].
 * Applied to every log line, error message and annotation the program emits.
 */
// Up to the last @ of the word: a password that is not percent-encoded may hold @ and / itself.
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)(\S+)(@)/gi;

export interface Redactor {
  text(value: string): string;
  deep(value: unknown): unknown;
}

export function redactor(secrets: readonly string[]): Redactor {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    needles.add(secret);
    // Passwords inside DSNs may appear URL-decoded in driver errors.
    for (const part of passwordsIn(secret)) needles.add(part);
  }
  const ordered = [...needles].filter((n) => n.length >= 3).sort((a, b) => b.length - a.length);
  const text = (value: string): string => {
    let out = value.replace(URL_PASSWORD, (all: string, head: string, password: string, at: string) => (isPlaceholder(head, password) ? all : `${head}[redacted]${at}`));
    for (const needle of ordered) out = out.split(needle).join('[redacted]');
    return out;
  };
  const deep = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return text(value);
    if (depth > 8 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) return text(value.message);
    if (Array.isArray(value)) return value.map((v) => deep(v, depth + 1));
    const obj = value as Record<string | symbol, unknown>;
    for (const key of Reflect.ownKeys(obj)) obj[key] = deep(obj[key], depth + 1);
    return obj;
  };
  return { text, deep };
}

/**
 * The literal `user:password@` of a usage hint (`mongodb://[user:password@]host…`) names no
 * secret and is kept as written, so the hint reads correctly. A configured secret that happens to
 * be the word "password" and is given to the redactor is still replaced (secrets go after this pattern).
 */
function isPlaceholder(head: string, password: string): boolean {
  return password === 'password' && /:\/\/\[?user:$/.test(head);
}

function passwordsIn(dsn: string): string[] {
  try {
    const url = new URL(dsn);
    if (!url.password) return [];
    return [url.password, decodeURIComponent(url.password)];
  } catch {
    return [];
  }
}

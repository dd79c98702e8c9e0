/**
 * A port the PostgreSQL store does not implement yet: every call rejects with an error that names the
 * port, so a feature that needs it fails loudly and at once on PostgreSQL instead of losing data. The
 * embedded store implements them all; README "Running more than one instance" lists what is missing.
 */
export function notYetOnPostgres<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get(_target, name) {
      if (name === 'then') return undefined;
      return () =>
        Promise.reject(new Error(`${port}.${String(name)} is not available on the PostgreSQL store yet`));
    },
  });
}

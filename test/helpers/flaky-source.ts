/**
 * A MongoDB source (a driver Db or a SourceDb) whose first collection call that `breaks` picks fails
 * as a connection the server closed would (a MongoNetworkError, thrown where the call is made), and
 * which works as the real one from then on: a restart or failover met by a read-only step.
 */
export function breakFirstRead<T extends { collection(name: string): object }>(source: T, breaks: (collection: string, method: string) => boolean): { source: T; broken: () => number } {
  let broken = 0;
  const flaky = new Proxy(source, {
    get(target, prop) {
      if (prop !== 'collection') return Reflect.get(target, prop, target);
      return (name: string) => new Proxy(target.collection(name), {
        get(collection, key) {
          const value = Reflect.get(collection, key, collection) as unknown;
          if (broken === 0 && typeof key === 'string' && breaks(name, key)) {
            return () => {
              broken++;
              throw Object.assign(new Error('connection 1 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' });
            };
          }
          return typeof value === 'function' ? value.bind(collection) : value;
        },
      });
    },
  });
  return { source: flaky, broken: () => broken };
}

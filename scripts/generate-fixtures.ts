/**
 * Fills a MongoDB database with the generated control-plane fixtures and prints the manifest.
 *   tsx scripts/generate-fixtures.ts --mongo-url mongodb://127.0.0.1:27017/ --db testkubecloud --seed 1 --scale medium
 * See test/fixtures/cli-args.ts (or --help) for every flag.
 */
import { writeFile } from 'node:fs/promises';
import { MongoClient } from 'mongodb';
import { USAGE, parseCli } from '../test/fixtures/cli-args.js';
import { generateFixtures } from '../test/fixtures/generate.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseCli(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    console.log(USAGE);
    return 0;
  }
  const started = performance.now();
  const client = new MongoClient(args.mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const db = client.db(args.db);
    if (!args.append) await db.dropDatabase();
    const manifest = await generateFixtures(db, args.options, {
      scale: args.scale,
      onCollection: (collection, written) => {
        if (written > 0) process.stderr.write(`${collection}: ${written}\n`);
      },
    });
    const json = JSON.stringify(manifest, null, 2);
    if (args.manifestFile !== undefined) await writeFile(args.manifestFile, `${json}\n`);
    console.log(json);
    const seconds = (performance.now() - started) / 1000;
    console.error(`generated ${manifest.totalDocuments} documents in ${Object.keys(manifest.collections).length} collections in ${seconds.toFixed(2)}s (${Math.round(manifest.totalDocuments / seconds)} docs/s)`);
    return 0;
  } catch (err) {
    console.error(err instanceof RangeError ? err.message : err);
    return 1;
  } finally {
    await client.close();
  }
}

process.exitCode = await main();

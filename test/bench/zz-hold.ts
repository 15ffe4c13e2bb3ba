import { openBenchDatabase } from './bench-database.ts';
const db = await openBenchDatabase(process.argv[2]);
console.log(db.url);
process.once('SIGTERM', () => void db.close().then(() => process.exit(0)));
setInterval(() => {}, 1 << 30);

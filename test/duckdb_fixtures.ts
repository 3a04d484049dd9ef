// DuckDB (its Node package, a dev dependency) as an independent Parquet engine for the tests: it
// writes the Parquet files rdm2 reads and reads the Parquet files rdm2 writes.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A fresh in-memory DuckDB connection. */
export async function duckdb(): Promise<DuckDBConnection> {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  return db.connect();
}

/** SQL string literal. */
export function sqlText(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The probe column names p00, p01, ... (zero-padded, so text order is index order). */
export function probeNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, '0')}`);
}

/**
 * Loads a row-major T x n matrix into table `name` (step BIGINT, p00.. DOUBLE) through the
 * appender, so every value is the exact float64 given.
 */
export async function loadMatrix(c: DuckDBConnection, name: string, data: Float64Array, T: number, n: number, steps: ArrayLike<number>): Promise<void> {
  const cols = probeNames(n);
  await c.run(`CREATE TABLE ${name} (step BIGINT, ${cols.map((p) => `${p} DOUBLE`).join(', ')})`);
  const app = await c.createAppender(name);
  for (let t = 0; t < T; t++) {
    app.appendBigInt(BigInt(steps[t]!));
    for (let i = 0; i < n; i++) app.appendDouble(data[t * n + i]!);
    app.endRow();
  }
  app.closeSync();
}

/** Rows of a query, as arrays of plain values. */
export async function rows(c: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await c.runAndReadAll(sql)).getRows() as unknown[][];
}

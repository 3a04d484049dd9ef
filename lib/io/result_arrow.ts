// Results as an Arrow IPC file (apache-arrow; `.arrow` or `.feather`, Feather v2): the result
// table of result_table.ts, with the `rdm2` JSON document in the schema's metadata.
// pyarrow.feather.read_table(f), pl.read_ipc(f), pd.read_feather(f) read it.
import { Bool, Field, Float32, Float64, Int32, List, RecordBatch, Schema, Struct, Table, makeData, tableToIPC, type Data, type DataType } from 'apache-arrow';
import { writeFileAtomic } from './atomic_write.js';
import type { ResultSource } from './result_json.js';
import { RESULT_METADATA_KEY, resultTable, type ResultColumn } from './result_table.js';

function offsets(count: number, per: number): Int32Array {
  return Int32Array.from({ length: count + 1 }, (_, j) => j * per);
}

function listOf(child: Data, count: number, per: number): Data {
  const type = new List(new Field('element', child.type as DataType, false));
  return makeData({ type, length: count, nullCount: 0, valueOffsets: offsets(count, per), child });
}

function arrowData(c: ResultColumn, rows: number): Data {
  switch (c.type) {
    case 'int32':
      return makeData({ type: new Int32(), length: rows, nullCount: 0, data: c.values });
    case 'float64':
      return makeData({ type: new Float64(), length: rows, nullCount: 0, data: c.values });
    case 'bool': {
      const bits = new Uint8Array(Math.ceil(rows / 8));
      for (let j = 0; j < rows; j++) if (c.values[j]) bits[j >> 3]! |= 1 << (j & 7);
      return makeData({ type: new Bool(), length: rows, nullCount: 0, data: bits });
    }
    case 'list<float64>':
      return listOf(makeData({ type: new Float64(), length: c.values.length, nullCount: 0, data: c.values }), rows, c.per);
    case 'list<list<float32>>': {
      const leaf = makeData({ type: new Float32(), length: c.values.length, nullCount: 0, data: c.values });
      return listOf(listOf(leaf, rows * c.outer, c.inner), rows, c.outer);
    }
  }
}

/** The Arrow IPC file bytes of a result: one row per window. */
export function resultArrow(r: ResultSource): Uint8Array {
  const table = resultTable(r);
  const children = table.columns.map((c) => arrowData(c, table.rows));
  const fields = table.columns.map((c, i) => new Field(c.name, children[i]!.type, false));
  const schema = new Schema(fields, new Map([[RESULT_METADATA_KEY, table.metadata]]));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: table.rows, nullCount: 0, children }));
  return tableToIPC(new Table(schema, [batch]), 'file');
}

/** Writes the Arrow result atomically. */
export async function writeResultArrow(path: string, r: ResultSource): Promise<void> {
  await writeFileAtomic(path, resultArrow(r));
}

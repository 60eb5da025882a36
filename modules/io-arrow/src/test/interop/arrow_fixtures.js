#!/usr/bin/env node
// Arrow JS interop for dev.proxima.io.ArrowTensors (manual check; the Java tests do not need Node).
//
//   npm install apache-arrow            (in a scratch folder; run with NODE_PATH=<it>/node_modules)
//   node arrow_fixtures.js generate ../resources/fixtures/arrow
//       writes fixed_shape_tensor.arrow: 4 rows, column "t" float32 tensors [2,3], column "p"
//       int32 tensors with physical shape [2,3] and permutation [1,0] (logical [3,2]).
//       Arrow JS has no extension-type class: the fields are FixedSizeLists carrying the
//       ARROW:extension:name / ARROW:extension:metadata field metadata.
//       Also writes, as seeds of the Arrow IPC fuzz target (ArrowIpcFuzzTest):
//       state.arrows: a stream of one row, columns "w" float64 [3, 2], "m" bool [5], "n" int64 [],
//         "u" uint8 [4], "i" int8 [2, 2] (a state file as ArrowTensors.readState reads it);
//       two_batches.arrows: a stream of two record batches (2 and 3 rows) of column "t" float32 [2];
//       two_batches.arrow: the same as a file.
//   node arrow_fixtures.js hostile ../resources/dev/proxima/io/ArrowIpcFuzzTestInputs/arrowIpc
//       writes issue-12-shape-overflows-to-list-size-2.arrow, a regression input of the Arrow IPC
//       fuzz target: column "t" is a FixedSizeList<float32>[2] whose metadata claims the shape
//       [2147483649, 8589934593, 2], whose product wraps to 2 in 64-bit arithmetic.
//   node arrow_fixtures.js verify ../../../target/interop/arrow
//       checks batch.arrow (column "t": float32 [5, 2, 3]) and state.arrows (a stream: one row,
//       columns "w" float32 [3, 4], "b" float64 [4], "n" int64 [] ) written by ArrowTensorsTest.
//
// Values follow the pattern of NpyTest: element k is k * 0.5 - 3 (floats), k - 5 (ints).
'use strict';
const fs = require('fs');
const path = require('path');
const arrow = require('apache-arrow');
const { Bool, Field, FixedSizeList, Float32, Float64, Int8, Int32, Int64, Uint8, Schema, Struct, RecordBatch, Table, makeData, tableToIPC, tableFromIPC } = arrow;

const EXT = 'arrow.fixed_shape_tensor';
const floatPattern = (n) => Float32Array.from({ length: n }, (_, k) => k * 0.5 - 3);
const intPattern = (n) => Int32Array.from({ length: n }, (_, k) => k - 5);

function tensorColumn(name, valueType, values, rows, meta, count = values.length) {
  const size = count / rows;
  const item = new Field('item', valueType, false);
  const type = new FixedSizeList(size, item);
  const child = makeData({ type: valueType, length: count, nullCount: 0, data: values });
  const data = makeData({ type, length: rows, nullCount: 0, child });
  const md = new Map([['ARROW:extension:name', EXT], ['ARROW:extension:metadata', JSON.stringify(meta)]]);
  return { field: new Field(name, type, false, md), data };
}

function generate(out) {
  fs.mkdirSync(out, { recursive: true });
  const t = tensorColumn('t', new Float32(), floatPattern(24), 4, { shape: [2, 3], dim_names: ['y', 'x'] });
  const p = tensorColumn('p', new Int32(), intPattern(24), 4, { shape: [2, 3], permutation: [1, 0] });
  const schema = new Schema([t.field, p.field]);
  const body = makeData({ type: new Struct(schema.fields), length: 4, nullCount: 0, children: [t.data, p.data] });
  const table = new Table([new RecordBatch(schema, body)]);
  fs.writeFileSync(path.join(out, 'fixed_shape_tensor.arrow'), tableToIPC(table, 'file'));
  console.log('wrote', path.join(out, 'fixed_shape_tensor.arrow'));

  const bits = (n) => { // element k is k % 3 == 0, bit-packed LSB first
    const b = new Uint8Array(Math.ceil(n / 8));
    for (let k = 0; k < n; k += 3) b[k >> 3] |= 1 << (k & 7);
    return b;
  };
  const state = [
    tensorColumn('w', new Float64(), Float64Array.from({ length: 6 }, (_, k) => k * 0.5 - 3), 1, { shape: [3, 2] }),
    tensorColumn('m', new Bool(), bits(5), 1, { shape: [5] }, 5),
    tensorColumn('n', new Int64(), BigInt64Array.from([-5n]), 1, { shape: [] }),
    tensorColumn('u', new Uint8(), Uint8Array.from({ length: 4 }, (_, k) => (7 * k) % 256), 1, { shape: [4] }),
    tensorColumn('i', new Int8(), Int8Array.from({ length: 4 }, (_, k) => k - 5), 1, { shape: [2, 2] }),
  ];
  writeTable(out, 'state.arrows', 'stream', [state], 1);
  const rows = [2, 3];
  let start = 0;
  const batches = rows.map((r) => {
    const v = Float32Array.from({ length: 2 * r }, (_, k) => (start + k) * 0.5 - 3);
    start += 2 * r;
    return [tensorColumn('t', new Float32(), v, r, { shape: [2] })];
  });
  writeTable(out, 'two_batches.arrows', 'stream', batches, rows);
  writeTable(out, 'two_batches.arrow', 'file', batches, rows);
}

function writeTable(out, name, format, batches, rows) {
  const schema = new Schema(batches[0].map((c) => c.field));
  const recordBatches = batches.map((cols, b) => {
    const n = Array.isArray(rows) ? rows[b] : rows;
    const body = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: cols.map((c) => c.data) });
    return new RecordBatch(schema, body);
  });
  fs.writeFileSync(path.join(out, name), tableToIPC(new Table(recordBatches), format));
  console.log('wrote', path.join(out, name));
}

function check(cond, msg) {
  if (!cond) { console.error('FAIL:', msg); process.exit(1); }
}

function column(table, name, wantShape, wantRows, pattern) {
  const i = table.schema.fields.findIndex((f) => f.name === name);
  check(i >= 0, 'no column ' + name);
  const f = table.schema.fields[i];
  check(f.metadata.get('ARROW:extension:name') === EXT, name + ': extension name ' + f.metadata.get('ARROW:extension:name'));
  const meta = JSON.parse(f.metadata.get('ARROW:extension:metadata'));
  check(JSON.stringify(meta.shape) === JSON.stringify(wantShape), name + ': shape ' + JSON.stringify(meta.shape));
  const size = wantShape.reduce((a, b) => a * b, 1);
  check(f.type.listSize === size, name + ': list size ' + f.type.listSize);
  check(table.numRows === wantRows, name + ': rows ' + table.numRows);
  const col = table.getChildAt(i);
  const values = [];
  for (const d of col.data) {
    const c = d.children[0];
    for (let k = 0; k < d.length * size; k++) values.push(Number(c.values[c.offset + k]));
  }
  const want = pattern(size * wantRows);
  check(values.length === want.length, name + ': ' + values.length + ' values');
  for (let k = 0; k < want.length; k++) check(values[k] === Number(want[k]), name + ': value ' + k + ' is ' + values[k]);
  console.log('ok', name, JSON.stringify(meta), f.type.children[0].type.toString());
}

function verify(dir) {
  const batch = tableFromIPC(fs.readFileSync(path.join(dir, 'batch.arrow')));
  column(batch, 't', [2, 3], 5, floatPattern);
  const state = tableFromIPC(fs.readFileSync(path.join(dir, 'state.arrows')));
  column(state, 'w', [3, 4], 1, floatPattern);
  column(state, 'b', [4], 1, (n) => Float64Array.from({ length: n }, (_, k) => k * 0.5 - 3));
  column(state, 'n', [], 1, (n) => Array.from({ length: n }, (_, k) => k - 5));
  console.log('verified files written by Proxima in', dir);
}

function hostile(out) {
  fs.mkdirSync(out, { recursive: true });
  const t = tensorColumn('t', new Float32(), floatPattern(6), 3, { shape: [2147483649, 8589934593, 2] });
  writeTable(out, 'issue-12-shape-overflows-to-list-size-2.arrow', 'file', [[t]], 3);
}

const [mode, dir] = process.argv.slice(2);
if (mode === 'generate') generate(dir);
else if (mode === 'hostile') hostile(dir);
else if (mode === 'verify') verify(dir);
else { console.error('usage: node arrow_fixtures.js generate|hostile|verify DIR'); process.exit(2); }

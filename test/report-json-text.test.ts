/** The report's own JSON writer gives JSON.stringify's text, compact and indented, on any JSON data. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { reportJson } from '../src/render/json.js';

it('writes what JSON.stringify writes, compact and with 4-space indent at any depth', () => {
  const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\u2028', '\ud800', 'é\n\t\u0000'));
  const value = fc.letrec((tie) => ({
    leaf: fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 4 })),
  })).node;
  fc.assert(
    fc.property(value, fc.integer({ min: 0, max: 3 }), (data, depth) => {
      assert.equal(reportJson(data, false), JSON.stringify(data));
      assert.equal(reportJson(data, true, depth), JSON.stringify(data, null, 4).replace(/\n/g, `\n${'    '.repeat(depth)}`));
    }),
    { numRuns: 2000, seed: 11 },
  );
  assert.equal(reportJson({ a: undefined, b: [undefined], c: 1 }, false), JSON.stringify({ a: undefined, b: [undefined], c: 1 }));
});

/**
 * A JSON array with one compact item per line, yielded in chunks of `itemsPerChunk` items: the
 * layout of the OCSF and ASFF files. A fraction of the size of indented JSON, line-oriented tools
 * can split it, and no string of the whole file is ever built.
 */
export function* jsonArrayChunks(items: Iterable<unknown>, itemsPerChunk: number): Generator<string> {
  let batch: string[] = ['['];
  let first = true;
  for (const item of items) {
    batch.push(`${first ? '\n' : ',\n'}${JSON.stringify(item)}`);
    first = false;
    if (batch.length >= itemsPerChunk) {
      yield batch.join('');
      batch = [];
    }
  }
  batch.push(first ? ']\n' : '\n]\n');
  yield batch.join('');
}

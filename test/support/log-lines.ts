import { Writable } from 'node:stream';

/**
 * A stream to hand the server's logger (`loggerOptions(level, sink)`), and the lines it has
 * written so far, one JSON object each; a test empties `lines` to look at what follows.
 */
export function logLines(): { sink: Writable; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { sink, lines };
}

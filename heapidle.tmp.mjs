import { readFileSync } from 'node:fs';
await import('./dist/main.js');
setTimeout(() => {
  const before = readFileSync('/proc/self/status','utf8').match(/(VmRSS|RssAnon|RssFile).*/g).join(' ');
  globalThis.gc();
  const m = process.memoryUsage();
  console.error('MEM', before, 'heapUsed', (m.heapUsed/1048576).toFixed(1), 'heapTotal', (m.heapTotal/1048576).toFixed(1), 'external', (m.external/1048576).toFixed(1), 'ab', (m.arrayBuffers/1048576).toFixed(1));
  console.error('after gc', readFileSync('/proc/self/status','utf8').match(/(VmRSS|RssAnon|RssFile).*/g).join(' '));
  process.exit(0);
}, 5000);

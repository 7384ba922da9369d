// A second thread that draws ids from a clock it is handed (test/unit/ids.test.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { newId, useIdClock } = await import('../../src/services/ids.ts');
useIdClock(workerData.clock);
parentPort.once('message', () => {
  parentPort.postMessage(Array.from({ length: workerData.count }, () => newId(workerData.now)));
});
parentPort.postMessage('ready');

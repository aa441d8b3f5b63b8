// A researcher's own recurrent cell, end to end: register it, train with it, save, reload, and get the same
// predictions. The cell, a minimal gated unit, is defined in ./cells/minimal-gated-cell.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecommender, generateSyntheticCatalog, loadRecommender, registerCell } from 'reelrec';
// The cell itself: a subclass of tf.layers.RNNCell with a static className (see the file).
import { MinimalGatedCell } from './cells/minimal-gated-cell';

registerCell('mgu', MinimalGatedCell);

const data = generateSyntheticCatalog({ users: 150, movies: 200, seed: 21 });
const rec = await createRecommender({ model: { cell: 'mgu', hiddenSize: 32 }, training: { epochs: 2 } });
const summary = await rec.fit(data);
console.log(
  `trained the custom cell: ${summary.epochs} epochs, last loss ${summary.history.at(-1)?.loss.toFixed(3)}`,
);

const folder = await mkdtemp(join(tmpdir(), 'reelrec-cell-'));
await rec.save(join(folder, 'model'));
registerCell('mgu', MinimalGatedCell); // what a new process does before loading: the same class again is a no-op
const loaded = await loadRecommender(join(folder, 'model'));

const userId = data.users[0]!.id;
const [a, b] = [await rec.recommend(userId), await loaded.recommend(userId)];
const same = a.every((r, i) => r.movieId === b[i]!.movieId && Math.abs(r.score - b[i]!.score) < 1e-5);
console.log('reloaded model gives the same recommendations:', same);
if (!same) process.exitCode = 1;

rec.dispose();
loaded.dispose();
await rm(folder, { recursive: true, force: true });

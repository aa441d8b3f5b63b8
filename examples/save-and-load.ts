// Train once, save the model folder, load it elsewhere: the loaded model gives the same recommendations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecommender, generateSyntheticCatalog, loadRecommender } from 'reelrec';

const data = generateSyntheticCatalog({ users: 150, movies: 200, seed: 3 });
const rec = await createRecommender({ model: { cell: 'gru' }, training: { epochs: 2 } });
await rec.fit(data);

const folder = await mkdtemp(join(tmpdir(), 'reelrec-'));
const modelDir = join(folder, 'model');
await rec.save(modelDir); // model.json + weights.bin, written atomically

const loaded = await loadRecommender(modelDir);
const userId = data.users[0]!.id;
const before = (await rec.recommend(userId)).map((r) => r.movieId);
const after = (await loaded.recommend(userId)).map((r) => r.movieId);
console.log('same recommendations after reload:', JSON.stringify(before) === JSON.stringify(after));

rec.dispose();
loaded.dispose();
await rm(folder, { recursive: true, force: true });

// Quick start: train a recommender and ask it for movies. Uses MovieLens when REELREC_DATA points at an
// ML-100k folder, otherwise a seeded synthetic catalog, so it runs anywhere.
import { createRecommender, generateSyntheticCatalog, loadMovieLens } from 'reelrec';

const dir = process.env.REELREC_DATA;
const data = dir ? await loadMovieLens(dir) : generateSyntheticCatalog({ users: 200, movies: 300, seed: 7 });

const rec = await createRecommender({ model: { cell: 'lstm' }, training: { epochs: 3 } });
await rec.fit(data, { onEpochEnd: (e) => console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(3)}`) });

const userId = data.users[0]!.id;
for (const r of await rec.recommend(userId, { k: 5 })) {
  console.log(`${r.rank}. ${r.title} (predicted rating ${r.predictedRating?.toFixed(1)})`);
}
console.log('rating of movie 1:', (await rec.predictRating(userId, data.movies[0]!.id)).toFixed(2));
rec.dispose();
